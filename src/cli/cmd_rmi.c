/* a3s-box rmi [-f] IMAGE [IMAGE...] */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "image/store.h"

int cmd_rmi(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"no-prune", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool force = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'P':
			break; /* there are no parent images to prune */
		case 'h':
			return cli_help(ctx);
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	/* like docker: go on with the others when one fails */
	for (int i = optind; i < argc; i++) {
		struct strv lines = STRV_INIT;
		err_clear(&ctx->err);
		if (image_store_remove(ctx->root, argv[i], force, &lines, &ctx->err) < 0)
			rc = cli_fail(ctx);
		for (size_t j = 0; j < lines.n; j++)
			printf("%s\n", lines.v[j]);
		fflush(stdout);
		strv_release(&lines);
	}
	return rc;
}
