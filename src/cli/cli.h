/*
 * The a3s-box CLI: one file per command, a table in commands.c, one
 * dispatcher in main.c. A command parses its flags, calls lib/, prints, and
 * returns the process exit code. Errors travel in ctx->err; a command that
 * fails returns cli_fail(ctx) (or a specific code) and main() prints
 * "a3s-box: <message>" on stderr.
 */
#ifndef A3S_CLI_H
#define A3S_CLI_H

#include <stdbool.h>

#include "state/root.h"
#include "util/err.h"

/* What a command needs before it runs (enforced by the dispatcher). */
enum {
	CLI_NEED_ROOT = 1 << 0, /* open the data root into ctx->root */
};

struct cli_ctx {
	const char *root_flag; /* --root, or NULL */
	struct root *root; /* opened when CLI_NEED_ROOT */
	const char *prog; /* "a3s-box" */
	const char *cmd_name; /* e.g. "image inspect" */
	struct err err;
};

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli_ctx *ctx, int argc, char **argv); /* argv[0] is the command name */
	unsigned flags;
	const char *usage; /* "[OPTIONS] IMAGE [COMMAND] [ARG...]" */
	const char *summary;
	const struct cli_cmd *sub; /* nested verbs ("image ls"), NULL-name terminated */
};

extern const struct cli_cmd cli_commands[];

/* Print ctx->err and return the exit code for its kind (125, or 1 for
 * not-found lookups in inspect-like commands). */
int cli_fail(struct cli_ctx *ctx);
/* Print "a3s-box: <msg>\nSee 'a3s-box CMD --help'." and return 125. */
int cli_usage_error(struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the usage block of the current command to stdout; returns 0. */
int cli_help(struct cli_ctx *ctx);
/* Print "WARNING...\nAre you sure you want to continue? [y/N] " and read
 * the answer from stdin (a terminal or not, as docker does): true for "y"
 * or "yes" in any case; EOF is no. */
bool cli_confirm(const char *warning);

/* Commands (one file each). */
int cmd_run(struct cli_ctx *ctx, int argc, char **argv);
int cmd_info(struct cli_ctx *ctx, int argc, char **argv);
int cmd_version(struct cli_ctx *ctx, int argc, char **argv);
int cmd_load(struct cli_ctx *ctx, int argc, char **argv);
int cmd_images(struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_inspect(struct cli_ctx *ctx, int argc, char **argv);
int cmd_tag(struct cli_ctx *ctx, int argc, char **argv);
int cmd_rmi(struct cli_ctx *ctx, int argc, char **argv);
int cmd_port(struct cli_ctx *ctx, int argc, char **argv);
int cmd_stats(struct cli_ctx *ctx, int argc, char **argv);
int cmd_start(struct cli_ctx *ctx, int argc, char **argv);
int cmd_stop(struct cli_ctx *ctx, int argc, char **argv);
int cmd_restart(struct cli_ctx *ctx, int argc, char **argv);
int cmd_kill(struct cli_ctx *ctx, int argc, char **argv);
int cmd_rm(struct cli_ctx *ctx, int argc, char **argv);
int cmd_wait(struct cli_ctx *ctx, int argc, char **argv);
int cmd_logs(struct cli_ctx *ctx, int argc, char **argv);
int cmd_pause(struct cli_ctx *ctx, int argc, char **argv);
int cmd_unpause(struct cli_ctx *ctx, int argc, char **argv);
int cmd_ps(struct cli_ctx *ctx, int argc, char **argv);
int cmd_inspect(struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_inspect(struct cli_ctx *ctx, int argc, char **argv);
int cmd_rename(struct cli_ctx *ctx, int argc, char **argv);
int cmd_container_prune(struct cli_ctx *ctx, int argc, char **argv);
int cmd_events(struct cli_ctx *ctx, int argc, char **argv);
int cmd_update(struct cli_ctx *ctx, int argc, char **argv);
int cmd_volume_create(struct cli_ctx *ctx, int argc, char **argv);
int cmd_volume_ls(struct cli_ctx *ctx, int argc, char **argv);
int cmd_volume_inspect(struct cli_ctx *ctx, int argc, char **argv);
int cmd_volume_rm(struct cli_ctx *ctx, int argc, char **argv);
int cmd_volume_prune(struct cli_ctx *ctx, int argc, char **argv);
int cmd_exec(struct cli_ctx *ctx, int argc, char **argv);
int cmd_attach(struct cli_ctx *ctx, int argc, char **argv);
int cmd_save(struct cli_ctx *ctx, int argc, char **argv);
int cmd_history(struct cli_ctx *ctx, int argc, char **argv);
int cmd_image_prune(struct cli_ctx *ctx, int argc, char **argv);
int cmd_top(struct cli_ctx *ctx, int argc, char **argv);
int cmd_pull(struct cli_ctx *ctx, int argc, char **argv);
int cmd_push(struct cli_ctx *ctx, int argc, char **argv);
int cmd_login(struct cli_ctx *ctx, int argc, char **argv);
int cmd_logout(struct cli_ctx *ctx, int argc, char **argv);
/* "true"/"false"/"1"/"0" (NULL is true) for a boolean flag; a usage error
 * (125 printed) otherwise. */
int cli_parse_bool(struct cli_ctx *ctx, const char *flag, const char *arg, bool *out);
/* run/create --pull and --platform (run_pull.c). */
struct image;
int cli_run_pull_flag(struct cli_ctx *ctx, const char *flag, const char *value);
bool cli_run_pull_always(void);
/* Pull name per the --pull policy ("never" fails with "No such image"),
 * progress on stderr, then look it up. */
int cli_run_pull(struct cli_ctx *ctx, const char *name, struct image **img);
int cmd_cp(struct cli_ctx *ctx, int argc, char **argv);

#endif
