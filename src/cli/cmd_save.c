/* a3s-box save [-o FILE] IMAGE [IMAGE...] */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "image/save.h"

int cmd_save(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			return cli_help(ctx);
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument.", ctx->cmd_name);
	if (output && !output[0])
		return cli_usage_error(ctx, "invalid output path: the -o value is empty");
	if (!output && isatty(STDOUT_FILENO)) {
		/* docker's wording and exit status */
		fprintf(stderr, "%s: cowardly refusing to save to a terminal. Use the -o flag or redirect\n", ctx->prog);
		return 1;
	}
	if (output)
		rc = image_save_file(ctx->root, argv + optind, (size_t)(argc - optind), output, &ctx->err);
	else
		rc = image_save(ctx->root, argv + optind, (size_t)(argc - optind), STDOUT_FILENO, &ctx->err);
	return rc < 0 ? cli_fail(ctx) : 0;
}
