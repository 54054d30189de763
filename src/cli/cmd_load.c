/* a3s-box load [-i FILE] [-q] */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "image/cache.h"
#include "image/load.h"

int cmd_load(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"input", required_argument, NULL, 'i'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct strv lines = STRV_INIT;
	const char *input = "-";
	uint64_t cap;
	int c;

	while ((c = getopt_long(argc, argv, "+i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			break; /* there is no progress output to silence */
		case 'h':
			return cli_help(ctx);
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "\"%s\" accepts no arguments", ctx->cmd_name);
	if (input[0] == '-' && !input[1] && isatty(0))
		return cli_usage_error(ctx, "requested load from stdin, but stdin is empty");
	/* a malformed cache cap is reported before anything is loaded */
	if (image_cache_limit(ctx->root, &cap, &ctx->err) < 0)
		return cli_fail(ctx);
	if (image_load(ctx->root, input, &lines, &ctx->err) < 0) {
		strv_release(&lines);
		return cli_fail(ctx);
	}
	for (size_t i = 0; i < lines.n; i++)
		printf("%s\n", lines.v[i]);
	strv_release(&lines);
	return 0;
}
