/* a3s-box container prune [-f] */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "box/admin.h"
#include "cli.h"
#include "util/humanize.h"

int cmd_container_prune(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct strv deleted = STRV_INIT;
	uint64_t reclaimed = 0;
	char size[32];
	bool force = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			return cli_help(ctx);
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "\"%s\" accepts no arguments", ctx->cmd_name);
	if (!force && !cli_confirm("WARNING! This will remove all stopped containers."))
		return 0;
	rc = box_prune(ctx->root, &deleted, &reclaimed, &ctx->err);
	/* what was removed before a failure is still reported */
	if (deleted.n) {
		printf("Deleted Containers:\n");
		for (size_t i = 0; i < deleted.n; i++)
			printf("%s\n", deleted.v[i]);
		printf("\n");
	}
	printf("Total reclaimed space: %s\n", human_size((double)reclaimed, 4, size, sizeof(size)));
	strv_release(&deleted);
	if (rc < 0) {
		fflush(stdout);
		return cli_fail(ctx);
	}
	return 0;
}
