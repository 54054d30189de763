/* a3s-box wait BOX...: block until each box stops, print its exit code. */
#include <stdio.h>
#include <string.h>

#include "box/control.h"
#include "boxes.h"

static int wait_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	struct box_record *n = NULL;
	(void)arg;
	if (box_wait_monitor(ctx->root, b->id, -1, &ctx->err) < 0)
		return -1;
	if (box_store_find(ctx->root, b->id, &n, &ctx->err) < 0) {
		if (ctx->err.kind != ERR_NOT_FOUND)
			return -1;
		printf("%d\n", b->exit_code); /* removed on exit (--rm) */
		return 0;
	}
	printf("%d\n", n->exit_code);
	box_record_free(n);
	return 0;
}

int cmd_wait(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(ctx, "\"wait\" requires at least 1 argument");
	if (argv[1][0] == '-')
		return argv[1][1] == 'h' || !strcmp(argv[1], "--help") ? cli_help(ctx)
									: cli_usage_error(ctx, "unknown flag: %s", argv[1]);
	return cli_each_box(ctx, argc, argv, 1, false, wait_one, NULL);
}
