/*
 * Running a process in a running box: the EXEC request on the guest's exec
 * port (A3S_VSOCK_PORT_EXEC, or _PTY with a terminal), through the box's
 * vsock device socket (boxes/<id>/vsock.sock). docs/exec.md.
 */
#ifndef A3S_BOX_EXEC_H
#define A3S_BOX_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "box/record.h"
#include "util/err.h"
#include "util/fs.h"

struct box_exec_req {
	char **argv; /* at least one */
	size_t argc;
	const struct strv *env; /* "NAME=value", added to the box's; may be NULL */
	const char *workdir, *user; /* NULL: the box's */
	bool tty, interactive, detach, privileged;
	unsigned short rows, cols; /* the terminal's size, with tty */
	const char *op; /* A3S_EXEC_OP ("ps": the process table, box/top.h); NULL */
};

/* How long connecting to a box's exec service may take. */
#define BOX_EXEC_CONNECT_MS 10000

/*
 * Connect to a guest port through the box's vsock device socket
 * (box_vsock_path(); may be long). A box started with -d may still be
 * booting: the guest's refusals are retried for up to BOX_EXEC_CONNECT_MS;
 * failing to reach the device itself (no monitor) is final at once.
 */
int box_vsock_connect(const char *vsock_path, uint32_t port, struct err *e);

/* Is b in a state exec can reach (running, not paused)? e says why not. */
int box_exec_check(const struct box_record *b, struct err *e);

/*
 * Connect to the box's exec service and send the request. Returns the
 * connected socket (the stream then follows, see box/stream.h) or -1.
 */
int box_exec_open(struct root *r, const struct box_record *b, const struct box_exec_req *req, struct err *e);

#endif
