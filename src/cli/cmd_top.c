/* a3s-box top BOX [ps OPTIONS]: the processes running in a box (docs/health.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box/record.h"
#include "box/top.h"
#include "cli.h"

int cmd_top(struct cli_ctx *ctx, int argc, char **argv)
{
	struct box_record *b = NULL;
	struct box_top t = BOX_TOP_INIT;
	char *text;
	int rc;
	if (argc >= 2 && !strcmp(argv[1], "--help"))
		return cli_help(ctx);
	if (argc < 2)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	if (argv[1][0] == '-')
		return cli_usage_error(ctx, "unknown flag: %s", argv[1]);
	if (box_store_find(ctx->root, argv[1], &b, &ctx->err) < 0)
		return cli_fail(ctx);
	rc = box_top(ctx->root, b, argv + 2, (size_t)(argc - 2), &t, &ctx->err);
	box_record_free(b);
	if (rc < 0) {
		box_top_release(&t);
		return cli_fail(ctx);
	}
	text = box_top_table(&t);
	fputs(text, stdout);
	free(text);
	box_top_release(&t);
	return 0;
}
