/* a3s-box start BOX...: start stopped boxes under a monitor. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <unistd.h>

#include "box/attach.h"
#include "box/control.h"
#include "util/xalloc.h"
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

/*
 * start -a [-i]: start one box with this process attached from the first
 * byte; exit with its code (docker). Already running: attach to it.
 */
static int start_attached(struct cli_ctx *ctx, const char *name, bool interactive, const char *keys)
{
	struct box_record *b = NULL;
	struct attach_cli_opts ao = {.sig_proxy = true, .detach_keys = keys};
	int rc;
	if (box_store_find(ctx->root, name, &b, &ctx->err) < 0)
		return cli_fail(ctx);
	ao.tty = json_is_true(json_object_get(b->config, "Tty"));
	ao.interactive = interactive && json_is_true(json_object_get(b->config, "Interactive"));
	ao.no_stdin = !interactive;
	if (box_is_active(b)) {
		/* docker attaches to a running box */
		char *dir = box_dir(ctx->root, b->id), *path = xasprintf("%s/attach.sock", dir);
		int fd = attach_connect(path, &ctx->err);
		free(path);
		free(dir);
		box_record_free(b);
		if (fd < 0)
			return cli_fail(ctx);
		rc = attach_cli_run(fd, &ao, &ctx->err);
		close(fd);
		return rc < 0 ? cli_fail(ctx) : rc;
	}
	rc = cli_start_attached(ctx, b->id, &ao);
	box_record_free(b);
	return rc < 0 ? cli_fail(ctx) : rc;
}

int cmd_start(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"attach", no_argument, NULL, 'a'},
					     {"interactive", no_argument, NULL, 'i'},
					     {"detach-keys", required_argument, NULL, 'K'},
					     {"help", no_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	bool attach = false, interactive = false;
	const char *keys = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ai", opts, NULL)) != -1) {
		if (c == 'a')
			attach = true;
		else if (c == 'i')
			interactive = attach = true; /* docker: -i attaches stdin (and the streams) */
		else if (c == 'K')
			keys = optarg;
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
		return start_attached(ctx, argv[optind], interactive, keys);
	}
	return cli_each_box(ctx, argc, argv, optind, true, start_one, NULL);
}
