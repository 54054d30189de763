/*
 * The box's own mounts (docs/volumes.md): host paths from the one 9p share
 * bind-mounted where the box wants them (read-only ones stay read-only:
 * the host refuses the writes too), tmpfs mounts, and a read-only root.
 */
#ifndef A3S_GUEST_SHARES_H
#define A3S_GUEST_SHARES_H

#include "cfg.h"
#include "util.h"

/* Before the switch: mount the share (when any record uses it) on
 * /mnt/shares and keep a descriptor to it for shares_mount(). */
int shares_attach(const struct cfg *c, struct ierr *e);
/* After the switch (paths resolve inside the box): every "mount" record,
 * in order; a volume marked copy is first filled from the image. */
int shares_mount(const struct cfg *c, struct ierr *e);
/* --read-only: remount the root read-only (last, once mount points and
 * the workdir exist). */
int shares_root_readonly(struct ierr *e);

#endif
