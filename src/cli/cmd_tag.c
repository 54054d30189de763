/* a3s-box tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] */
#include <getopt.h>

#include "cli.h"
#include "image/store.h"

int cmd_tag(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help(ctx);
		return cli_usage_error(ctx, "invalid option");
	}
	if (argc - optind != 2)
		return cli_usage_error(ctx, "\"%s\" requires exactly 2 arguments", ctx->cmd_name);
	if (image_store_tag(ctx->root, argv[optind], argv[optind + 1], &ctx->err) < 0)
		return cli_fail(ctx);
	return 0;
}
