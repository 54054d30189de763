/* a3s-box image prune [-a] [-f] [--filter until=...|label=...] */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "image/prune.h"
#include "util/humanize.h"

#define WARN_DANGLING "WARNING! This will remove all dangling images."
#define WARN_ALL "WARNING! This will remove all images without at least one container associated to them."

int cmd_image_prune(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"filter", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct image_prune_opts o = {0};
	struct strv lines = STRV_INIT;
	uint64_t reclaimed = 0;
	char size[32];
	bool force = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "afh", opts, NULL)) != -1 && rc == 0) {
		switch (c) {
		case 'a':
			o.all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'F':
			rc = image_prune_filter(&o, optarg, &ctx->err);
			break;
		case 'h':
			image_prune_opts_release(&o);
			return cli_help(ctx);
		default:
			image_prune_opts_release(&o);
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (rc < 0) {
		image_prune_opts_release(&o);
		return cli_usage_error(ctx, "%s", ctx->err.msg);
	}
	if (optind < argc) {
		image_prune_opts_release(&o);
		return cli_usage_error(ctx, "\"%s\" accepts no arguments", ctx->cmd_name);
	}
	if (!force && !cli_confirm(o.all ? WARN_ALL : WARN_DANGLING)) {
		image_prune_opts_release(&o);
		return 0;
	}
	rc = image_prune(ctx->root, &o, &lines, &reclaimed, &ctx->err);
	image_prune_opts_release(&o);
	if (rc < 0)
		return cli_fail(ctx);
	if (lines.n) {
		printf("Deleted Images:\n");
		for (size_t i = 0; i < lines.n; i++)
			printf("%s\n", lines.v[i]);
		printf("\n");
	}
	printf("Total reclaimed space: %s\n", human_size((double)reclaimed, 4, size, sizeof(size)));
	strv_release(&lines);
	return 0;
}
