/*
 * A maintenance boot (CONFIG record "maint", docs/cp.md): the box's root
 * filesystem is up and the vsock services answer (cp into or out of a
 * stopped box), but no workload runs.
 */
#ifndef A3S_GUEST_MAINT_H
#define A3S_GUEST_MAINT_H

#include "ctl.h"
#include "vsrv.h"

/*
 * Serve v's ports and reap their processes until the host sends a SIGNAL
 * frame or the control stream ends. Returns the exit code to report (0).
 */
int maint_run(struct ctl *c, struct vsrv *v, int sigfd);

#endif
