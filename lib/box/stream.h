/*
 * The client end of a process stream (exec and attach): the user's stdin
 * becomes STDIN frames, the terminal's size RESIZE frames, signals SIGNAL
 * frames; STDOUT/STDERR frames are written out until EXIT. The peer is the
 * guest (exec, through the vsock device) or the box's monitor (attach).
 */
#ifndef A3S_BOX_STREAM_H
#define A3S_BOX_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "box/detachkeys.h"
#include "util/err.h"

struct stream_opts {
	int in_fd; /* forwarded as STDIN frames; -1 for none */
	int out_fd, err_fd; /* where STDOUT / STDERR go (when output is NULL) */
	/* Instead of the fds: called with stream 1 or 2. */
	void (*output)(void *arg, int stream, const void *p, size_t n);
	void *arg;
	int tty_fd; /* the user's terminal: its size is sent now and on SIGWINCH; -1 */
	struct detach_keys *keys; /* typed on in_fd, they end the client; NULL: off */
	bool proxy_signals; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 go to the process */
	bool stdin_eof; /* send EOF (an empty STDIN) when in_fd ends */
	bool started; /* the peer first answers STARTED (exec) */
	int timeout_ms; /* give up after this long (health checks); 0: never */
	const char *peer; /* for errors: "box", "monitor" */
};

struct stream_result {
	int exit_code; /* with STREAM_EXITED */
	char *message; /* the peer's reason (e.g. exec failed), or NULL; owned */
	unsigned pid; /* from STARTED, if any */
};

enum { STREAM_EXITED = 0, STREAM_DETACHED = 1, STREAM_STARTED = 2 };

/*
 * Run the stream on fd (a connected socket; made non-blocking here). With
 * detach_after_start, returns STREAM_STARTED as soon as STARTED arrives.
 * Returns STREAM_EXITED (res->exit_code set), STREAM_DETACHED (the detach
 * keys were typed), or -1 with e (the stream broke, timed out, or the peer
 * sent garbage). The caller owns fd.
 */
int stream_run(int fd, const struct stream_opts *o, bool detach_after_start, struct stream_result *res,
	       struct err *e);

/* Queue-less helper: send one frame on a blocking fd; 0 or -1 with errno. */
int stream_send_frame(int fd, uint8_t type, const void *p, uint32_t len);

#endif
