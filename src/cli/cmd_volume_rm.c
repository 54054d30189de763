/* a3s-box volume rm [-f] VOLUME... */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "volume/store.h"

int cmd_volume_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool force = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'h': return cli_help(ctx);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	for (int i = optind; i < argc; i++) {
		if (volume_remove(ctx->root, argv[i], &ctx->err) == 0) {
			printf("%s\n", argv[i]);
			continue;
		}
		/* -f: a missing volume is no error (docker); one in use still is */
		if (force && ctx->err.kind == ERR_NOT_FOUND)
			continue;
		fflush(stdout);
		rc = cli_fail(ctx);
	}
	return rc;
}
