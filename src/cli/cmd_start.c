/* a3s-box start BOX...: start stopped boxes under a monitor. */
#include <getopt.h>
#include <stdio.h>

#include "box/control.h"
#include "box/monitor.h"
#include "box/store.h"
#include "boxes.h"

static int start_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	(void)arg;
	if (box_is_active(b))
		return 0; /* docker: starting a running box is a no-op */
	return box_monitor_spawn(ctx->root, b->id, &ctx->err);
}

int cmd_start(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'H')
			return cli_help(ctx);
		return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"start\" requires at least 1 argument");
	return cli_each_box(ctx, argc, argv, optind, true, start_one, NULL);
}
