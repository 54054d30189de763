/* a3s-box exec [OPTIONS] BOX COMMAND [ARG...]: run a process in a running box. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "box/detachkeys.h"
#include "box/exec.h"
#include "box/spec.h"
#include "box/stream.h"
#include "cli.h"
#include "util/fs.h"
#include "util/term.h"

enum { OPT_ENV_FILE = 256, OPT_PRIVILEGED, OPT_DETACH_KEYS, OPT_HELP };

static const struct option exec_opts[] = {
	{"interactive", no_argument, NULL, 'i'},
	{"tty", no_argument, NULL, 't'},
	{"detach", no_argument, NULL, 'd'},
	{"env", required_argument, NULL, 'e'},
	{"env-file", required_argument, NULL, OPT_ENV_FILE},
	{"workdir", required_argument, NULL, 'w'},
	{"user", required_argument, NULL, 'u'},
	{"privileged", no_argument, NULL, OPT_PRIVILEGED},
	{"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static const char exec_help[] =
	"\nUsage:  a3s-box exec [OPTIONS] BOX COMMAND [ARG...]\n\n"
	"Execute a command in a running box\n\nOptions:\n"
	"  -d, --detach               Detached mode: run command in the background\n"
	"      --detach-keys string   Override the key sequence for detaching a box\n"
	"  -e, --env list             Set environment variables\n"
	"      --env-file list        Read in a file of environment variables\n"
	"  -i, --interactive          Keep STDIN open even if not attached\n"
	"      --privileged           Give extended privileges to the command\n"
	"  -t, --tty                  Allocate a pseudo-TTY\n"
	"  -u, --user string          Username or UID (format: \"<name|uid>[:<group|gid>]\")\n"
	"  -w, --workdir string       Working directory inside the box\n";

static const char *host_getenv(const char *name)
{
	return getenv(name);
}

/* -e NAME (no '=') takes the value from the CLI's environment, as docker does. */
static int add_env(struct cli_ctx *ctx, const char *kv, struct strv *env)
{
	const char *v;
	if (!*kv || *kv == '=')
		return err_setk(&ctx->err, ERR_USAGE, "invalid environment variable: %s", kv);
	if (strchr(kv, '=')) {
		strv_push(env, kv);
	} else if ((v = getenv(kv))) {
		char *s = xasprintf("%s=%s", kv, v);
		strv_push_owned(env, s);
	}
	return 0;
}

static int env_file(struct cli_ctx *ctx, const char *path, struct strv *env)
{
	char *text;
	int rc;
	if (fs_read_file(path, 1 << 20, &text, NULL, &ctx->err) < 0)
		return err_wrap(&ctx->err, "--env-file");
	rc = box_env_file_parse(path, text, host_getenv, env, &ctx->err);
	free(text);
	return rc;
}

int cmd_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	struct box_exec_req req = {0};
	struct strv env = STRV_INIT;
	struct detach_keys keys;
	struct box_record *b = NULL;
	struct stream_result res = {0};
	struct term_saved saved = {0};
	const char *keyspec = NULL;
	int c, fd = -1, rc = 125, srun;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:itde:w:u:", exec_opts, NULL)) != -1) {
		switch (c) {
		case 'i': req.interactive = true; break;
		case 't': req.tty = true; break;
		case 'd': req.detach = true; break;
		case 'e':
			if (add_env(ctx, optarg, &env) < 0)
				goto usage;
			break;
		case OPT_ENV_FILE:
			if (env_file(ctx, optarg, &env) < 0)
				goto fail;
			break;
		case 'w': req.workdir = optarg; break;
		case 'u': req.user = optarg; break;
		case OPT_PRIVILEGED: req.privileged = true; break;
		case OPT_DETACH_KEYS: keyspec = optarg; break;
		case OPT_HELP: fputs(exec_help, stdout); rc = 0; goto out;
		case ':': rc = cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]); goto out;
		default: rc = cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]); goto out;
		}
	}
	if (argc - optind < 2) {
		rc = cli_usage_error(ctx, "\"%s\" requires at least 2 arguments", ctx->cmd_name);
		goto out;
	}
	if (detach_keys_parse(keyspec, &keys, &ctx->err) < 0)
		goto usage;
	if (req.workdir && req.workdir[0] != '/') {
		err_setk(&ctx->err, ERR_USAGE, "the working directory '%s' is invalid, it needs to be an absolute path",
			 req.workdir);
		goto usage;
	}
	if (req.interactive && req.tty && !req.detach && !isatty(0)) {
		err_set(&ctx->err, "the input device is not a TTY");
		rc = 1;
		fprintf(stderr, "%s: %s\n", ctx->prog, ctx->err.msg);
		goto out;
	}
	req.argv = argv + optind + 1;
	req.argc = (size_t)(argc - optind - 1);
	req.env = &env;
	if (req.tty)
		(void)term_size(isatty(1) ? 1 : 0, &req.rows, &req.cols);
	if (box_store_find(ctx->root, argv[optind], &b, &ctx->err) < 0 || box_exec_check(b, &ctx->err) < 0)
		goto fail;
	fd = box_exec_open(ctx->root, b, &req, &ctx->err);
	if (fd < 0)
		goto fail;
	signal(SIGPIPE, SIG_IGN);
	{
		struct stream_opts so = {
			.in_fd = req.interactive && !req.detach ? 0 : -1,
			.out_fd = 1,
			.err_fd = 2,
			.tty_fd = req.tty && !req.detach && isatty(0) ? 0 : -1,
			.keys = req.tty && req.interactive ? &keys : NULL,
			.proxy_signals = !req.tty,
			.stdin_eof = !req.tty,
			.started = true,
			.peer = "box",
		};
		if (req.tty && req.interactive && !req.detach && isatty(0))
			(void)term_raw(0, &saved);
		srun = stream_run(fd, &so, req.detach, &res, &ctx->err);
		term_restore(&saved);
	}
	if (srun < 0)
		goto fail;
	if (srun == STREAM_STARTED || srun == STREAM_DETACHED) {
		rc = 0;
		goto out;
	}
	if (res.message)
		fprintf(stderr, "%s: %s\n", ctx->prog, res.message);
	rc = res.exit_code;
	goto out;
usage:
	rc = cli_usage_error(ctx, "%s", ctx->err.msg);
	goto out;
fail:
	rc = cli_fail(ctx);
out:
	if (fd >= 0)
		close(fd);
	free(res.message);
	box_record_free(b);
	strv_release(&env);
	return rc;
}
