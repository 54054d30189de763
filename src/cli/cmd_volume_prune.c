/* a3s-box volume prune [-a] [-f] [--filter label=...] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/humanize.h"
#include "volume/store.h"

static bool confirmed(bool all)
{
	return cli_confirm(all ? "WARNING! This will remove all local volumes not used by at least one container."
			       : "WARNING! This will remove anonymous local volumes not used by at least one container.");
}

int cmd_volume_prune(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"filter", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct strv deleted = STRV_INIT, filters = STRV_INIT;
	uint64_t reclaimed = 0;
	bool force = false, all = false;
	char size[32];
	int c, rc;

	while ((c = getopt_long(argc, argv, "afh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'f': force = true; break;
		case 'F': strv_push(&filters, optarg); break;
		case 'h': strv_release(&filters); return cli_help(ctx);
		default: strv_release(&filters); return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		strv_release(&filters);
		return cli_usage_error(ctx, "\"%s\" accepts no arguments", ctx->cmd_name);
	}
	if (!force && !confirmed(all)) {
		strv_release(&filters);
		return 0;
	}
	rc = volume_prune(ctx->root, all, &filters, &deleted, &reclaimed, &ctx->err);
	if (deleted.n) {
		printf("Deleted Volumes:\n");
		for (size_t i = 0; i < deleted.n; i++)
			printf("%s\n", deleted.v[i]);
		printf("\n");
	}
	if (rc == 0 || deleted.n)
		printf("Total reclaimed space: %s\n", human_size((double)reclaimed, 4, size, sizeof(size)));
	strv_release(&deleted);
	strv_release(&filters);
	if (rc < 0) {
		fflush(stdout);
		return cli_fail(ctx);
	}
	return 0;
}
