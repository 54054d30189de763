/*
 * The main loop while the workload runs: its stdout/stderr pipes become
 * STDOUT/STDERR frames, STDIN frames feed its stdin pipe, SIGNAL frames are
 * delivered to it, RESIZE frames size its terminal, and every child is
 * reaped. Runs in PID 1 for the main process and in each exec's own
 * process (guest/init/exec.c) for exec'd ones.
 */
#ifndef A3S_GUEST_LOOP_H
#define A3S_GUEST_LOOP_H

#include "ctl.h"
#include "workload.h"

#include <stddef.h>

#define LOOP_MAX_LISTEN 4

struct loop_hooks {
	/* The main process: when it exits everything else is killed, and a
	 * broken stream kills everything. Otherwise (an exec) other processes
	 * are left alone either way. */
	int kill_all;
	/* Listening sockets watched while the process runs; on_listen is
	 * called when one is readable. */
	const int *listen_fds;
	size_t nlisten; /* at most LOOP_MAX_LISTEN */
	void (*on_listen)(int lfd, void *arg);
	void *arg;
};

/*
 * Run until the workload has exited and its output is drained (everything
 * else is SIGKILLed when it exits; the drain is cut off after a few
 * seconds in case a killed process lingers). sigfd is a signalfd for
 * SIGCHLD. Returns docker's exit code (the status, or 128 + signal), or -1
 * if the control stream broke, in which case every process has been killed.
 */
int loop_run(struct ctl *c, struct workload *w, int sigfd, const struct loop_hooks *h);

#endif
