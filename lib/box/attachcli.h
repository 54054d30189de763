/* The client side of attaching to a box's main process (`attach`, `run -t`). */
#ifndef A3S_BOX_ATTACHCLI_H
#define A3S_BOX_ATTACHCLI_H

#include <stdbool.h>

#include "util/err.h"

struct attach_cli_opts {
	bool tty; /* the box's main process has a terminal */
	bool interactive; /* ...and takes stdin (-i) */
	bool no_stdin; /* --no-stdin */
	bool sig_proxy; /* without a terminal: forward signals */
	const char *detach_keys; /* NULL: default */
	bool detached; /* out: the user typed the detach keys */
};

/*
 * Stream the box's main process through fd (a connection to its attach
 * socket), on this process's stdin/stdout/stderr; with a terminal, put it
 * in raw mode for the duration. Returns the process's exit code, 0 when
 * the user detached, or -1 with e.
 */
int attach_cli_run(int fd, struct attach_cli_opts *o, struct err *e);

#endif
