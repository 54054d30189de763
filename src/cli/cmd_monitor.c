/* The hidden `__monitor ID READY_FD` command: a detached box's monitor. */
#include <stdlib.h>

#include "box/monitor.h"
#include "cli.h"

int cmd_monitor(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 3)
		return cli_usage_error(ctx, "usage: __monitor ID READY_FD (internal)");
	return box_monitor_main(ctx->root, argv[1], atoi(argv[2]));
}
