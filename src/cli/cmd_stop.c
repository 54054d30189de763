/* a3s-box stop [-t N] BOX... and restart [-t N] BOX... */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box/control.h"
#include "box/monitor.h"
#include "boxes.h"

static int stop_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	return box_control_stop(ctx->root, b, *(int *)arg, &ctx->err);
}

static int restart_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	if (box_control_stop(ctx->root, b, *(int *)arg, &ctx->err) < 0)
		return -1;
	return box_monitor_spawn(ctx->root, b->id, -1, &ctx->err);
}

static int stop_or_restart(struct cli_ctx *ctx, int argc, char **argv, bool restart)
{
	static const struct option opts[] = {
		{"time", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	int c, timeout = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg)
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"-t, --time\" flag", optarg);
			break;
		case 'H':
			return cli_help(ctx);
		case ':':
			return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default:
			return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	return cli_each_box(ctx, argc, argv, optind, true, restart ? restart_one : stop_one, &timeout);
}

int cmd_stop(struct cli_ctx *ctx, int argc, char **argv)
{
	return stop_or_restart(ctx, argc, argv, false);
}

int cmd_restart(struct cli_ctx *ctx, int argc, char **argv)
{
	return stop_or_restart(ctx, argc, argv, true);
}
