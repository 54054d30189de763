/* a3s-box kill [-s SIGNAL] BOX... */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "box/control.h"
#include "boxes.h"

/* "KILL", "SIGKILL", "9" -> 9; 0 when unknown. */
static int parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
		     {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"STOP", SIGSTOP}, {"CONT", SIGCONT}, {"ALRM", SIGALRM},
		     {"WINCH", SIGWINCH}, {"PIPE", SIGPIPE}};
	if (isdigit((unsigned char)*s)) {
		char *end;
		long v = strtol(s, &end, 10);
		return *end || v <= 0 || v > 64 ? 0 : (int)v;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].sig;
	return 0;
}

static int kill_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	return box_control_kill(ctx->root, b, *(int *)arg, &ctx->err);
}

int cmd_kill(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"signal", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	int c, sig = SIGKILL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sig = parse_signal(optarg);
			if (!sig)
				return cli_usage_error(ctx, "invalid signal: %s", optarg);
			break;
		case 'H':
			return cli_help(ctx);
		case ':':
			return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default:
			return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"kill\" requires at least 1 argument");
	return cli_each_box(ctx, argc, argv, optind, true, kill_one, &sig);
}
