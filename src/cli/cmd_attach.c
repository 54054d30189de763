/* a3s-box attach [--detach-keys K] [--no-stdin] [--sig-proxy=false] BOX */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "box/attach.h"
#include "box/attachcli.h"
#include "box/control.h"
#include "box/detachkeys.h"
#include "box/record.h"
#include "box/store.h"
#include "cli.h"
#include "util/xalloc.h"

enum { OPT_DETACH_KEYS = 256, OPT_NO_STDIN, OPT_SIG_PROXY, OPT_HELP };

static const struct option attach_opts[] = {
	{"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
	{"no-stdin", no_argument, NULL, OPT_NO_STDIN},
	{"sig-proxy", optional_argument, NULL, OPT_SIG_PROXY},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static const char attach_help[] =
	"\nUsage:  a3s-box attach [OPTIONS] BOX\n\n"
	"Attach local standard input, output, and error streams to a running box\n\nOptions:\n"
	"      --detach-keys string   Override the key sequence for detaching a box\n"
	"      --no-stdin             Do not attach STDIN\n"
	"      --sig-proxy            Proxy all received signals to the process (default true)\n";

int cmd_attach(struct cli_ctx *ctx, int argc, char **argv)
{
	struct attach_cli_opts ao = {.sig_proxy = true};
	struct box_record *b = NULL;
	char *dir = NULL, *path = NULL;
	int c, fd = -1, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", attach_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DETACH_KEYS: ao.detach_keys = optarg; break;
		case OPT_NO_STDIN: ao.no_stdin = true; break;
		case OPT_SIG_PROXY:
			if (optarg && strcmp(optarg, "true") && strcmp(optarg, "false"))
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"--sig-proxy\" flag", optarg);
			ao.sig_proxy = !optarg || !strcmp(optarg, "true");
			break;
		case OPT_HELP: fputs(attach_help, stdout); return 0;
		case ':': return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "\"%s\" requires exactly 1 argument", ctx->cmd_name);
	{
		struct detach_keys k;
		if (detach_keys_parse(ao.detach_keys, &k, &ctx->err) < 0)
			return cli_usage_error(ctx, "%s", ctx->err.msg);
	}
	if (box_store_find(ctx->root, argv[optind], &b, &ctx->err) < 0)
		goto fail;
	if (!strcmp(b->state, "paused")) {
		err_setk(&ctx->err, ERR_CONFLICT, "you cannot attach to a paused box, unpause it first");
		goto fail;
	}
	if (!box_is_active(b)) {
		err_setk(&ctx->err, ERR_CONFLICT, "you cannot attach to a stopped box, start it first");
		goto fail;
	}
	if (b->monitor_pid <= 0) {
		err_setk(&ctx->err, ERR_CONFLICT, "box '%s' runs in the foreground of another a3s-box; attach works on boxes started with -d, -t or start",
			 b->name);
		goto fail;
	}
	dir = box_dir(ctx->root, b->id);
	path = xasprintf("%s/attach.sock", dir);
	fd = attach_connect(path, &ctx->err);
	if (fd < 0)
		goto fail;
	ao.tty = json_is_true(json_object_get(b->config, "Tty"));
	ao.interactive = json_is_true(json_object_get(b->config, "Interactive"));
	rc = attach_cli_run(fd, &ao, &ctx->err);
	if (rc < 0)
		goto fail;
	goto out;
fail:
	rc = cli_fail(ctx);
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(dir);
	box_record_free(b);
	return rc;
}
