/*
 * The main loop while the workload runs: its stdout/stderr pipes become
 * STDOUT/STDERR frames, STDIN frames feed its stdin pipe, SIGNAL frames are
 * delivered to it, and every child is reaped (we are PID 1).
 */
#ifndef A3S_GUEST_LOOP_H
#define A3S_GUEST_LOOP_H

#include "ctl.h"
#include "workload.h"

/*
 * Run until the workload has exited and its output is drained (everything
 * else is SIGKILLed when it exits; the drain is cut off after a few
 * seconds in case a killed process lingers). sigfd is a signalfd for
 * SIGCHLD. Returns docker's exit code (the status, or 128 + signal), or -1
 * if the control stream broke, in which case every process has been killed.
 */
int loop_run(struct ctl *c, struct workload *w, int sigfd);

#endif
