/*
 * Starting the workload: fork, set the child up as a container runtime
 * would (new session, default signals, pipes for stdio, user and groups,
 * workdir), search PATH ourselves and execve.
 */
#ifndef A3S_GUEST_WORKLOAD_H
#define A3S_GUEST_WORKLOAD_H

#include <sys/types.h>

#include "cfg.h"
#include "user.h"
#include "util.h"

/* what docker puts in PATH when the image sets none */
#define WORKLOAD_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct workload {
	pid_t pid;
	int in_fd; /* write end of its stdin pipe, non-blocking; -1 without stdin */
	int out_fd, err_fd; /* read ends of its stdout and stderr pipes, non-blocking */
	int tty_fd; /* with a tty: its master (also out_fd; err_fd is -1); else -1 */
};

/* Set the terminal size of a pty master (no-op for -1 or a zero size). */
void workload_resize(int master, unsigned short rows, unsigned short cols);

/*
 * Start c->argv as user u in workdir, with pipes for stdio, or with a new
 * pseudo-terminal when c->tty (sized c->rows x c->cols). The environment is c->env plus, when
 * missing, PATH (WORKLOAD_DEFAULT_PATH), HOME (u->home) and HOSTNAME.
 *
 * Returns 0 with *w filled once execve() has succeeded. If the command
 * could not be started, returns -1 with docker's exit code in *code (127
 * not found, 126 not executable, 125 anything else) and the message in *e;
 * the child has been reaped by then.
 */
int workload_start(const struct cfg *c, const struct user_ids *u, const char *workdir,
		   struct workload *w, int *code, struct ierr *e);

#endif
