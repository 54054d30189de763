/* a3s-box rm [-f] [-v] BOX... */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "box/admin.h"
#include "box/control.h"
#include "box/mounts.h"
#include "box/store.h"
#include "boxes.h"

struct rm_opts {
	bool force, volumes;
};

static int rm_one(struct cli_ctx *ctx, struct box_record *b, void *arg)
{
	const struct rm_opts *o = arg;
	bool force = o->force;
	int gone;
	if (box_is_active(b) || (b->monitor_pid == 0 && b->pid > 0)) {
		if (!force)
			return err_setk(&ctx->err, ERR_CONFLICT,
					"cannot remove box '%s': it is running; stop it first or use 'rm -f'", b->name);
		/* the VM dies with its monitor (PR_SET_PDEATHSIG) */
		if (box_store_set_stopped_by_user(ctx->root, b->id, true, &ctx->err) < 0)
			return -1;
		if (box_monitor_alive(b->monitor_pid, b->id))
			kill(b->monitor_pid, SIGKILL);
		else if (b->monitor_pid == 0 && b->pid > 0)
			kill(b->pid, SIGKILL); /* a foreground run's engine */
		if (box_wait_monitor(ctx->root, b->id, 30000, &ctx->err) < 0 && ctx->err.kind != ERR_RUNTIME)
			return -1;
		/* the engine dies with its monitor, but not in the same instant */
		for (int i = 0; i < 200 && box_engine_alive(b->pid, b->id); i++) {
			kill(b->pid, SIGKILL);
			nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
		}
	}
	gone = box_remove(ctx->root, b->id, b->name, b->image_ref, false, &ctx->err);
	if (gone > 0 && o->volumes) /* -v: its anonymous volumes too */
		box_mounts_discard(ctx->root, json_object_get(b->config, "Mounts"));
	return gone < 0 ? -1 : 0;
}

int cmd_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
					     {"volumes", no_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	struct rm_opts o = {false, false};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fv", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.force = true; break;
		case 'v': o.volumes = true; break;
		case 'H': return cli_help(ctx);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"rm\" requires at least 1 argument");
	return cli_each_box(ctx, argc, argv, optind, true, rm_one, &o);
}
