/*
 * Maintenance boots (docs/cp.md): a stopped box's own disks (its image and
 * its writable layer) booted in a VM that runs no workload, so that `cp`
 * can reach the box's files through the guest, the only party that ever
 * mounts the writable layer. The VM is a private foreground session in a
 * thread of the caller; the box's state does not change. A concurrent
 * `start` of the box fails on QEMU's lock of the writable layer image.
 */
#ifndef A3S_BOX_MAINT_H
#define A3S_BOX_MAINT_H

#include "box/record.h"
#include "state/root.h"
#include "util/err.h"

struct box_maint;

/*
 * Boot box b (created or exited) for maintenance. Returns once the guest
 * answers on its exec port, or -1 with e (and no VM left). SIGINT, SIGTERM, SIGHUP and SIGQUIT stay
 * blocked in the caller until box_maint_stop(): they stop the VM.
 */
int box_maint_start(struct root *r, const struct box_record *b, struct box_maint **out, struct err *e);
/* The vsock device socket to reach the guest through. */
const char *box_maint_vsock(const struct box_maint *m);
/*
 * Ask the guest to power off (it syncs and remounts the writable layer
 * read-only first), wait for the VM to end, and free m. Returns 0, or -1
 * with e if the VM did not end cleanly. Safe on NULL.
 */
int box_maint_stop(struct box_maint *m, struct err *e);

#endif
