/* a3s-box pause BOX... / unpause BOX...: stop and resume the whole VM. */
#include "box/control.h"
#include "box/store.h"
#include "boxes.h"

static int pause_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	return box_control_pause(ctx->root, b, *(bool *)arg, &ctx->err);
}

static int run(struct cli_ctx *ctx, int argc, char **argv, bool pause)
{
	if (argc < 2)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	return cli_each_box(ctx, argc, argv, 1, true, pause_one, &pause);
}

int cmd_pause(struct cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, true);
}

int cmd_unpause(struct cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, false);
}
