#include "box/attachcli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "box/detachkeys.h"
#include "box/stream.h"
#include "util/term.h"

int attach_cli_run(int fd, struct attach_cli_opts *o, struct err *e)
{
	struct detach_keys keys;
	struct term_saved saved = {0};
	struct stream_result res;
	bool term = o->tty && isatty(0) && isatty(1);
	bool in = o->interactive && !o->no_stdin;
	struct stream_opts so = {
		.in_fd = in ? 0 : -1,
		.out_fd = 1,
		.err_fd = 2,
		.tty_fd = term ? 0 : -1,
		.proxy_signals = !o->tty && o->sig_proxy,
		.stdin_eof = !o->tty,
		.peer = "box",
	};
	int rc;
	if (detach_keys_parse(o->detach_keys, &keys, e) < 0)
		return -1;
	if (o->tty && in)
		so.keys = &keys;
	signal(SIGPIPE, SIG_IGN);
	if (term && in)
		(void)term_raw(0, &saved);
	rc = stream_run(fd, &so, false, &res, e);
	term_restore(&saved);
	free(res.message);
	o->detached = rc == STREAM_DETACHED;
	if (o->detached)
		return 0;
	return rc < 0 ? -1 : res.exit_code;
}
