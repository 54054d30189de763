/* The per-box monitor of detached boxes (docs/lifecycle.md). */
#ifndef A3S_BOX_MONITOR_H
#define A3S_BOX_MONITOR_H

#include "state/root.h"

/*
 * Start the monitor of box id (already created, with its writable layer),
 * detached from the caller. Returns once the monitor has started the VM, or
 * with the error that kept it from starting. attach_fd (or -1) becomes the
 * monitor's first attach client (box/attach.h), connected before the box
 * starts so that no output is missed (`run -t`); the caller keeps its copy.
 */
int box_monitor_spawn(struct root *r, const char *id, int attach_fd, struct err *e);
/*
 * The monitor itself (`a3s-box-monitor ... __monitor ID READY_FD ATTACH_FD`):
 * runs the box, restarting it by its policy, until it stops for good.
 * Writes "ok\n" or an error line to ready_fd once the first VM started or
 * failed. attach_fd (-1: none) is an owner attach client. Returns the
 * process exit status.
 */
int box_monitor_main(struct root *r, const char *id, int ready_fd, int attach_fd);

#endif
