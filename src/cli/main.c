#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd *current;

int cli_fail(struct cli_ctx *ctx)
{
	fprintf(stderr, "%s: %s\n", ctx->prog, ctx->err.msg[0] ? ctx->err.msg : "unknown error");
	/* docker: a missing object or a conflict is 1, anything else 125 */
	return ctx->err.kind == ERR_NOT_FOUND || ctx->err.kind == ERR_CONFLICT ? 1 : 125;
}

int cli_usage_error(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", ctx->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee '%s %s --help'.\n", ctx->prog, ctx->cmd_name ? ctx->cmd_name : "");
	return 125;
}

static void print_usage(FILE *f, const char *prog, const char *name, const struct cli_cmd *c)
{
	fprintf(f, "\nUsage:  %s %s %s\n\n%s\n", prog, name, c->usage ? c->usage : "", c->summary ? c->summary : "");
	if (c->sub) {
		fprintf(f, "\nCommands:\n");
		for (const struct cli_cmd *s = c->sub; s->name; s++)
			fprintf(f, "  %-10s %s\n", s->name, s->summary);
	}
}

int cli_help(struct cli_ctx *ctx)
{
	if (current)
		print_usage(stdout, ctx->prog, ctx->cmd_name, current);
	return 0;
}

static void top_usage(FILE *f)
{
	fprintf(f, "\nUsage:  a3s-box [OPTIONS] COMMAND\n\nRun OCI images in microVMs\n\n"
		   "Options:\n"
		   "      --root string   Data root (default \"" ROOT_DEFAULT "\", or $A3S_BOX_ROOT)\n"
		   "  -v, --version       Print version information and quit\n\nCommands:\n");
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		if (c->name[0] != '_') /* internal commands */
			fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nRun 'a3s-box COMMAND --help' for more information on a command.\n");
}

static const struct cli_cmd *find(const struct cli_cmd *tab, const char *name)
{
	for (const struct cli_cmd *c = tab; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	static char name_buf[64];
	struct cli_ctx ctx = {.prog = "a3s-box", .err = ERR_INIT};
	const struct cli_cmd *cmd;
	int i = 1, rc;

	/* global options come before the command */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			ctx.root_flag = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--root=", 7)) {
			ctx.root_flag = argv[i] + 7;
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			top_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
			return cmd_version(&ctx, 1, argv);
		} else {
			fprintf(stderr, "a3s-box: unknown flag: %s\nSee 'a3s-box --help'.\n", argv[i]);
			return 125;
		}
	}
	if (i >= argc) {
		top_usage(stderr);
		return 0;
	}
	cmd = find(cli_commands, argv[i]);
	if (!cmd) {
		fprintf(stderr, "a3s-box: '%s' is not an a3s-box command\nSee 'a3s-box --help'\n", argv[i]);
		return 125;
	}
	snprintf(name_buf, sizeof(name_buf), "%s", cmd->name);
	if (cmd->sub) {
		const struct cli_cmd *parent = cmd;
		if (i + 1 >= argc || !strcmp(argv[i + 1], "--help") || !strcmp(argv[i + 1], "-h")) {
			print_usage(stdout, ctx.prog, parent->name, parent);
			return 0;
		}
		cmd = find(parent->sub, argv[i + 1]);
		if (!cmd) {
			fprintf(stderr, "a3s-box: '%s %s' is not an a3s-box command\nSee 'a3s-box %s --help'\n",
				parent->name, argv[i + 1], parent->name);
			return 125;
		}
		snprintf(name_buf, sizeof(name_buf), "%s %s", parent->name, cmd->name);
		i++;
	}
	ctx.cmd_name = name_buf;
	current = cmd;
	if (cmd->flags & CLI_NEED_ROOT) {
		if (root_open(root_default_path(ctx.root_flag), &ctx.root, &ctx.err) < 0)
			return cli_fail(&ctx);
	}
	optind = 0; /* full getopt reset for the command */
	rc = cmd->fn(&ctx, argc - i, argv + i);
	root_close(ctx.root);
	fflush(stdout);
	return rc;
}
