/* Requests to a detached box's monitor (docs/lifecycle.md). */
#ifndef A3S_BOX_CONTROL_H
#define A3S_BOX_CONTROL_H

#include <stdbool.h>

#include "box/record.h"

/* Is the box's monitor up (running, paused or restarting)? */
bool box_is_active(const struct box_record *b);
/* Stop: the workload gets SIGTERM, the VM is killed timeout_s later; waits
 * until the monitor has ended. A stopped box is left alone. */
int box_control_stop(struct root *r, const struct box_record *b, int timeout_s, struct err *e);
/* Deliver signo to the workload (SIGKILL stops the VM; waits for it). */
int box_control_kill(struct root *r, const struct box_record *b, int signo, struct err *e);
/* Pause (QMP stop) or resume the whole VM; waits for the state change. */
int box_control_pause(struct root *r, const struct box_record *b, bool pause, struct err *e);
/* Wait until the box's monitor has ended (timeout_ms < 0: forever). */
int box_wait_monitor(struct root *r, const char *id, long long timeout_ms, struct err *e);

#endif
