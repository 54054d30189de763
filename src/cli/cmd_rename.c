/* a3s-box rename BOX NEW_NAME (also "container rename") */
#include <getopt.h>

#include "box/admin.h"
#include "cli.h"

int cmd_rename(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_help(ctx);
		return cli_usage_error(ctx, "invalid option");
	}
	if (argc - optind != 2)
		return cli_usage_error(ctx, "\"%s\" requires exactly 2 arguments", ctx->cmd_name);
	if (!argv[optind][0] || !argv[optind + 1][0])
		return cli_usage_error(ctx, "neither old nor new names may be empty");
	if (box_rename(ctx->root, argv[optind], argv[optind + 1], &ctx->err) < 0)
		return cli_fail(ctx);
	return 0;
}
