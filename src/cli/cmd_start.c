/* a3s-box start BOX...: start stopped boxes under a monitor. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/xalloc.h"

#include "box/control.h"
#include "box/monitor.h"
#include "box/store.h"
#include "boxes.h"

static int start_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	(void)arg;
	if (box_is_active(b))
		return 0; /* docker: starting a running box is a no-op */
	return box_monitor_spawn(ctx->root, b->id, -1, &ctx->err);
}

/* start -a: start one box, stream its output from now on, exit with its code. */
static int start_attached(struct cli_ctx *ctx, const char *name)
{
	struct box_record *b = NULL;
	char since[32], *id;
	struct timespec ts;
	int rc;
	if (box_store_find(ctx->root, name, &b, &ctx->err) < 0)
		return cli_fail(ctx);
	id = xstrdup(b->id);
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(since, sizeof(since), "%lld.%09ld", (long long)ts.tv_sec, ts.tv_nsec);
	rc = start_one(ctx, b, NULL);
	box_record_free(b);
	if (rc < 0) {
		free(id);
		return cli_fail(ctx);
	}
	{
		char *largv[] = {"logs", "--follow", "--since", since, id, NULL};
		optind = 0;
		rc = cmd_logs(ctx, 5, largv);
	}
	if (rc == 0 && box_store_find(ctx->root, id, &b, &ctx->err) == 0) {
		rc = b->exit_code;
		box_record_free(b);
	}
	free(id);
	return rc;
}

int cmd_start(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"attach", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	bool attach = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c == 'a')
			attach = true;
		else if (c == 'H')
			return cli_help(ctx);
		else
			return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"start\" requires at least 1 argument");
	if (attach) {
		if (argc - optind != 1)
			return cli_usage_error(ctx, "you cannot start and attach multiple boxes at once");
		return start_attached(ctx, argv[optind]);
	}
	return cli_each_box(ctx, argc, argv, optind, true, start_one, NULL);
}
