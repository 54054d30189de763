#include "boxes.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "box/monitor.h"

int cli_each_box(struct cli_ctx *ctx, int argc, char **argv, int first, bool print_name,
		 int (*fn)(struct cli_ctx *ctx, struct box_record *b, void *arg), void *arg)
{
	int rc = 0;
	for (int i = first; i < argc; i++) {
		struct box_record *b = NULL;
		err_clear(&ctx->err);
		if (box_store_find(ctx->root, argv[i], &b, &ctx->err) < 0 || fn(ctx, b, arg) < 0) {
			fprintf(stderr, "%s: %s\n", ctx->prog, ctx->err.msg);
			rc = 1;
		} else if (print_name) {
			printf("%s\n", argv[i]);
		}
		box_record_free(b);
	}
	return rc;
}

int cli_start_attached(struct cli_ctx *ctx, const char *id, struct attach_cli_opts *ao)
{
	int sp[2], rc;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return err_sys(&ctx->err, errno, "creating the attach socket");
	if (box_monitor_spawn(ctx->root, id, sp[1], &ctx->err) < 0) {
		close(sp[0]);
		close(sp[1]);
		return -1;
	}
	close(sp[1]);
	rc = attach_cli_run(sp[0], ao, &ctx->err);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", ctx->prog, ctx->err.msg);
		rc = 125;
	} else if (!ao->detached) {
		/* the monitor holds its end until it has finished with the box */
		struct pollfd p = {.fd = sp[0], .events = POLLIN};
		char c;
		fcntl(sp[0], F_SETFL, 0);
		while (poll(&p, 1, 30000) > 0 && read(sp[0], &c, 1) > 0)
			;
	}
	close(sp[0]);
	return rc;
}
