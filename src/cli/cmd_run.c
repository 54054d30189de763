/* a3s-box run: create a box from an image, run it in the foreground. */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "box/admin.h"
#include "box/attachcli.h"
#include "box/boot.h"
#include "box/healthmon.h"
#include "box/monitor.h"
#include "box/mounts.h"
#include "box/policy.h"
#include "box/ports.h"
#include "box/publish.h"
#include "box/rwlayer.h"
#include "box/session.h"
#include "box/spec.h"
#include "box/store.h"
#include "boxes.h"
#include "cli.h"
#include "mountflags.h"
#include "image/default.h"
#include "image/ref.h"
#include "image/rootfs.h"
#include "image/store.h"
#include "util/fs.h"
#include "util/units.h"
#include "vmm/accel.h"

enum {
	OPT_RM = 256,
	OPT_NAME,
	OPT_ENV_FILE,
	OPT_ENTRYPOINT,
	OPT_CPUS,
	OPT_NETWORK,
	OPT_ACCEL,
	OPT_RESTART,
	OPT_DETACH_KEYS,
	OPT_HELP,
	OPT_PULL,
	OPT_PLATFORM,
	OPT_STORAGE_FIRST, /* storage flags: mountflags.c */
	OPT_STORAGE_LAST = OPT_STORAGE_FIRST + MOUNTFLAGS_COUNT - 1,
};

static const struct option run_opts[] = {
	{"rm", no_argument, NULL, OPT_RM},
	{"name", required_argument, NULL, OPT_NAME},
	{"env", required_argument, NULL, 'e'},
	{"env-file", required_argument, NULL, OPT_ENV_FILE},
	{"workdir", required_argument, NULL, 'w'},
	{"user", required_argument, NULL, 'u'},
	{"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
	{"hostname", required_argument, NULL, 'h'},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"memory", required_argument, NULL, 'm'},
	{"interactive", no_argument, NULL, 'i'},
	{"tty", no_argument, NULL, 't'},
	{"detach", no_argument, NULL, 'd'},
	{"network", required_argument, NULL, OPT_NETWORK},
	{"net", required_argument, NULL, OPT_NETWORK},
	{"accel", required_argument, NULL, OPT_ACCEL},
	{"label", required_argument, NULL, 'l'},
	{"publish", required_argument, NULL, 'p'},
	{"publish-all", no_argument, NULL, 'P'},
	{"restart", required_argument, NULL, OPT_RESTART},
	{"volume", required_argument, NULL, 'v'},
	{"mount", required_argument, NULL, OPT_STORAGE_FIRST + MOUNTFLAG_MOUNT},
	{"tmpfs", required_argument, NULL, OPT_STORAGE_FIRST + MOUNTFLAG_TMPFS},
	{"read-only", no_argument, NULL, OPT_STORAGE_FIRST + MOUNTFLAG_READ_ONLY},
	{"workspace", required_argument, NULL, OPT_STORAGE_FIRST + MOUNTFLAG_WORKSPACE},
	{"volumes-from", required_argument, NULL, OPT_STORAGE_FIRST + MOUNTFLAG_VOLUMES_FROM},
	{"detach-keys", required_argument, NULL, OPT_DETACH_KEYS},
	{"help", no_argument, NULL, OPT_HELP},
	BOX_HEALTH_LONGOPTS,
	{"pull", required_argument, NULL, OPT_PULL},
	{"platform", required_argument, NULL, OPT_PLATFORM},
	{NULL, 0, NULL, 0},
};

static const char run_help[] =
	"\nUsage:  a3s-box run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
	"Create and run a new box from an image\n\nOptions:\n"
	"      --accel string       Accelerator: kvm, tcg or auto (default auto, or $A3S_BOX_ACCEL)\n"
	"      --cpus decimal       Number of CPUs (rounded up to whole vCPUs; default 1)\n"
	"      --entrypoint string  Overwrite the default ENTRYPOINT of the image\n"
	"  -e, --env list           Set environment variables\n"
	"      --env-file list      Read in a file of environment variables\n"
	BOX_HEALTH_HELP
	"  -h, --hostname string    Box host name\n"
	"  -i, --interactive        Keep STDIN open\n"
	"  -m, --memory bytes       Memory of the VM (default 512m)\n"
	MOUNTFLAGS_HELP
	"      --name string        Assign a name to the box\n"
	"      --network string     Connect a box to a network: default (NAT) or none\n"
	BOX_HEALTH_HELP_NONE
	"      --platform string    Platform to pull when the image is pulled (os/arch[/variant])\n"
	"      --pull string        Pull image before running (\"always\", \"missing\", \"never\") (default \"missing\")\n"
	"  -d, --detach             Run the box in the background and print its ID\n"
	"      --detach-keys string Override the key sequence for detaching a box\n"
	"  -l, --label list         Set meta data on a box\n"
	"      --restart string     Restart policy: no, always, on-failure[:N], unless-stopped\n"
	"  -p, --publish list       Publish a box's port(s) to the host ([ip:][hostport:]port[/proto])\n"
	"  -P, --publish-all        Publish all exposed ports to random ports\n"
	"      --rm                 Automatically remove the box when it exits\n"
	"  -t, --tty                Allocate a pseudo-TTY\n"
	"  -u, --user string        Username or UID (format: <name|uid>[:<group|gid>])\n"
	"  -w, --workdir string     Working directory inside the box\n";

static const char *host_getenv(const char *name)
{
	return getenv(name);
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct box_opts *o)
{
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:w:u:h:m:l:p:v:itdP", run_opts, NULL)) != -1) {
		switch (c) {
		case OPT_RM: o->rm = true; break;
		case OPT_NAME: o->name = optarg; break;
		case 'e': strv_push(&o->env, optarg); break;
		case OPT_ENV_FILE: strv_push(&o->env_files, optarg); break;
		case 'w': o->workdir = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_ENTRYPOINT: o->entrypoint_set = true; o->entrypoint = optarg; break;
		case 'h': o->hostname = optarg; break;
		case OPT_CPUS:
			if (units_parse_cpus(optarg, &o->cpus_milli, &ctx->err) < 0)
				return cli_usage_error(ctx, "%s", ctx->err.msg);
			break;
		case 'm':
			if (units_parse_ram(optarg, &o->mem_bytes, &ctx->err) < 0)
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"-m, --memory\" flag: %s", optarg,
						       ctx->err.msg);
			break;
		case 'i': o->interactive = true; break;
		case 't': o->tty = true; break;
		case OPT_DETACH_KEYS: o->detach_keys = optarg; break;
		case 'd': o->detach = true; break;
		case 'l': strv_push(&o->labels, optarg); break;
		case 'p': strv_push(&o->publish, optarg); break;
		case 'P': o->publish_all = true; break;
		case OPT_RESTART: o->restart = optarg; break;
		case OPT_NETWORK: o->network = optarg; break;
		case OPT_ACCEL: o->accel = optarg; break;
		case 'v': mountflags_add(o, MOUNTFLAG_VOLUME, optarg); break;
		case OPT_STORAGE_FIRST ... OPT_STORAGE_LAST: mountflags_add(o, c - OPT_STORAGE_FIRST, optarg); break;
		case OPT_HELP: fputs(run_help, stdout); return 0;
		case BOX_HEALTH_OPT_CMD ... BOX_HEALTH_OPT_NONE:
			if (box_health_flag(&o->health, c, optarg, &ctx->err) < 0)
				return cli_usage_error(ctx, "%s", ctx->err.msg);
			break;
		case OPT_PULL:
			if (cli_run_pull_flag(ctx, "pull", optarg) < 0)
				return 125;
			break;
		case OPT_PLATFORM: cli_run_pull_flag(ctx, "platform", optarg); break;
		case ':': return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "\"%s\" requires at least 1 argument", ctx->cmd_name);
	o->image = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return -1; /* continue */
}

static int read_env_files(struct cli_ctx *ctx, struct box_opts *o)
{
	struct strv entries = STRV_INIT;
	for (size_t i = 0; i < o->env_files.n; i++) {
		char *text;
		if (fs_read_file(o->env_files.v[i], 1 << 20, &text, NULL, &ctx->err) < 0) {
			strv_release(&entries);
			return err_wrap(&ctx->err, "--env-file");
		}
		if (box_env_file_parse(o->env_files.v[i], text, host_getenv, &entries, &ctx->err) < 0) {
			free(text);
			strv_release(&entries);
			return -1;
		}
		free(text);
	}
	strv_release(&o->env_files);
	o->env_files = entries;
	return 0;
}

static int find_image(struct cli_ctx *ctx, const char *name, struct image **img)
{
	struct image_ref ref = IMAGE_REF_INIT;
	if (image_ref_parse_tagged(name, &ref, &ctx->err) < 0)
		return -1;
	if (cli_run_pull_always()) {
		if (cli_run_pull(ctx, name, img) < 0)
			goto fail;
		goto ok;
	}
	if (image_store_lookup(ctx->root, name, img, &ctx->err) == 0)
		goto ok;
	if (ctx->err.kind != ERR_NOT_FOUND)
		goto fail;
	{
		char *full = image_ref_string(&ref), *deffull = NULL;
		struct image_ref def = IMAGE_REF_INIT;
		int is_default = 0;
		if (image_ref_parse_tagged(IMAGE_DEFAULT_NAME, &def, &ctx->err) == 0) {
			deffull = image_ref_string(&def);
			is_default = !strcmp(full, deffull);
		}
		image_ref_release(&def);
		free(deffull);
		free(full);
		if (is_default) {
			if (image_store_ensure_default(ctx->root, &ctx->err) < 0 ||
			    image_store_lookup(ctx->root, name, img, &ctx->err) < 0)
				goto fail;
			goto ok;
		}
	}
	if (cli_run_pull(ctx, name, img) == 0)
		goto ok;
fail:
	image_ref_release(&ref);
	return -1;
ok:
	image_ref_release(&ref);
	return 0;
}

/* A blocked SIGINT/SIGTERM/SIGHUP/SIGQUIT is pending: stop before the next step. */
static bool interrupted(struct cli_ctx *ctx, int *code)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	sigset_t pending;
	sigpending(&pending);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigismember(&pending, sigs[i])) {
			err_set(&ctx->err, "interrupted by signal %d before the box started", sigs[i]);
			*code = 128 + sigs[i];
			return true;
		}
	}
	return false;
}

struct started {
	struct root *root;
	const char *id;
	const json_t *config;
	struct box_health_mon *health;
};

static void on_started(void *arg, pid_t pid)
{
	struct started *st = arg;
	struct err e = ERR_INIT;
	(void)box_store_set_running(st->root, st->id, pid, &e);
	box_event(st->root, st->id, "start", NULL);
	st->health = box_health_mon_start(st->root->path, st->id, st->config);
}

static void on_booted(void *arg)
{
	struct started *st = arg;
	box_health_mon_booted(st->health);
}

int cmd_run(struct cli_ctx *ctx, int argc, char **argv)
{
	struct box_opts o = {0};
	struct box_spec spec = {0};
	struct image *img = NULL;
	struct boot_paths boot = {0};
	struct session_result res = {0};
	char id[65], *rootfs = NULL, *dir = NULL, *rw = NULL, *cfgjson = NULL, *wire = NULL, *name = NULL;
	size_t wire_len = 0;
	bool recorded = false;
	int rc = 125;
	enum accel accel_req = ACCEL_AUTO;
	int interrupt_code = 0, policy_max = 0;
	const char *policy = "no";
	json_t *labels = NULL, *config = NULL;
	bool creating = !strcmp(ctx->cmd_name, "create") || !strcmp(ctx->cmd_name, "container create");
	sigset_t set, old;

	/*
	 * Signals stay blocked for the whole command: before the VM exists a
	 * Ctrl-C is noticed between steps (so nothing is left half-made), and
	 * the session reads them from a signalfd.
	 */
	session_signals(false, &set);
	sigprocmask(SIG_BLOCK, &set, &old);
	rc = parse_args(ctx, argc, argv, &o);
	if (rc >= 0)
		goto out_opts;
	rc = 125;
	if (o.accel && accel_parse(o.accel, &accel_req, &ctx->err) < 0)
		goto fail;
	if (box_policy_parse(o.restart, &policy, &policy_max, &ctx->err) < 0 ||
	    box_labels_parse(&o.labels, &labels, &ctx->err) < 0)
		goto fail;
	if (o.rm && strcmp(policy, "no")) {
		err_setk(&ctx->err, ERR_USAGE, "conflicting options: --restart and --rm");
		goto fail;
	}
	if (read_env_files(ctx, &o) < 0)
		goto fail;
	if (o.tty && o.interactive && !o.detach && !creating && !isatty(0)) {
		err_set(&ctx->err, "the input device is not a TTY");
		goto fail;
	}
	if (find_image(ctx, o.image, &img) < 0)
		goto fail;
	box_new_id(id);
	if (box_spec_build(&o, img->config, id, host_getenv, &spec, &ctx->err) < 0 ||
	    box_mounts_resolve(ctx->root, &o, img->config, id, &spec.mounts, &ctx->err) < 0)
		goto fail;
	if (boot_paths_resolve(accel_req, &boot, &ctx->err) < 0)
		goto fail;
	if (interrupted(ctx, &interrupt_code) || image_rootfs_ensure(ctx->root, img, &rootfs, &ctx->err) < 0 ||
	    interrupted(ctx, &interrupt_code))
		goto fail;
	{
		json_t *j = box_spec_to_json(&spec, o.rm), *ports = json_array();
		for (size_t i = 0; i < o.publish.n; i++)
			if (box_port_parse(o.publish.v[i], ports, &ctx->err) < 0) {
				json_decref(ports);
				json_decref(j);
				goto fail;
			}
		if (o.publish_all)
			box_ports_expose_all(img->config, ports);
		if (json_array_size(ports) && !spec.net) {
			json_decref(ports);
			json_decref(j);
			err_setk(&ctx->err, ERR_USAGE, "conflicting options: port publishing and --network none");
			goto fail;
		}
		json_object_set_new(j, "Ports", ports);
		if (box_health_config(&o.health, img->config, j, &ctx->err) < 0) {
			json_decref(j);
			goto fail;
		}
		cfgjson = json_dumps(j, JSON_COMPACT);
		config = j;
	}
	if (box_store_create(ctx->root, id, o.name, img->id, o.image, cfgjson, &name, &ctx->err) < 0)
		goto fail;
	recorded = true;
	dir = box_dir(ctx->root, id);
	if (fs_mkdir_p(dir, 0700, &ctx->err) < 0 || box_rw_create(ctx->root, dir, o.rm, &rw, &ctx->err) < 0)
		goto fail;
	{
		char *lj = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
		int prc = box_store_set_policy(ctx->root, id, policy, policy_max, lj, &ctx->err);
		free(lj);
		if (prc < 0)
			goto fail;
	}
	box_event(ctx->root, id, "create", json_pack("{s:s, s:s}", "name", name, "image", o.image));
	if (!creating && !o.detach && spec.tty) {
		/* run -t: the monitor runs the box, this process attaches to it */
		struct attach_cli_opts ao = {.tty = true, .interactive = o.interactive, .sig_proxy = true,
					     .detach_keys = o.detach_keys};
		rc = cli_start_attached(ctx, id, &ao);
		if (rc < 0) {
			recorded = false; /* kept, exited with the error, as docker keeps it */
			goto fail;
		}
		goto out;
	}
	if (creating || o.detach) {
		/* create, or run -d: the monitor runs the box from here on */
		if (!creating && box_monitor_spawn(ctx->root, id, -1, &ctx->err) < 0) {
			recorded = false; /* the box stays, exited with the error, as docker keeps it */
			goto fail;
		}
		printf("%s\n", id);
		rc = 0;
		goto out;
	}
	box_spec_wire(&spec, true, &wire, &wire_len);

	if (interrupted(ctx, &interrupt_code))
		goto fail;
	signal(SIGPIPE, SIG_IGN);
	{
		struct box_vm vm;
		char *hostfwd = NULL;
		struct session_io io = {.in_fd = spec.interactive ? 0 : -1, .out_fd = 1, .err_fd = 2, .discard = o.rm};
		struct started st = {ctx->root, id, config, NULL};
		char *vsock;
		int srun;
		if (box_mounts_prepare(spec.mounts, &ctx->err) < 0 ||
		    box_publish(ctx->root, id, config, &hostfwd, &ctx->err) < 0)
			goto fail;
		vsock = box_vsock_path(dir);
		io.vsock_path = vsock; /* exec works on foreground boxes too */
		io.booted = on_booted;
		io.arg = &st;
		box_vm_init(&vm, &boot, &spec, dir, rootfs, rw);
		vm.vc.net_hostfwd = hostfwd;
		srun = box_session_run(&vm.vc, wire, wire_len, &io, on_started, &st, &res, &ctx->err);
		box_health_mon_stop(st.health);
		box_vm_release(&vm);
		free(hostfwd);
		free(vsock);
		if (srun < 0)
			goto fail;
	}
	if (res.message)
		fprintf(stderr, "%s: %s\n", ctx->prog, res.message);
	rc = res.exit_code;
	box_event(ctx->root, id, "die", json_pack("{s:i}", "exitCode", rc));
	if (o.rm) {
		struct err e2 = ERR_INIT;
		if (box_remove(ctx->root, id, name, o.image, false, &e2) < 0)
			fprintf(stderr, "%s: removing box '%s': %s\n", ctx->prog, name, e2.msg);
		box_mounts_discard(ctx->root, spec.mounts);
	} else {
		struct err e2 = ERR_INIT;
		if (box_store_set_exited(ctx->root, id, rc, &e2) < 0)
			fprintf(stderr, "%s: %s\n", ctx->prog, e2.msg);
	}
	goto out;
fail:
	rc = cli_fail(ctx);
	if (interrupt_code)
		rc = interrupt_code;
	else if (rc == 1)
		rc = 125; /* run reports every failure as 125, as docker run does */
	if (recorded) {
		/* nothing half-made survives a failed run */
		struct err e2 = ERR_INIT;
		if (dir)
			(void)fs_rmtree(dir, &e2);
		(void)box_store_delete(ctx->root, id, &e2);
	}
	box_mounts_discard(ctx->root, spec.mounts); /* anonymous volumes made for it */
out:
	free(res.message);
	free(wire);
	free(rw);
	free(dir);
	free(name);
	free(cfgjson);
	free(rootfs);
	boot_paths_release(&boot);
	box_spec_release(&spec);
	image_free(img);
	json_decref(labels);
	json_decref(config);
out_opts:
	box_opts_release(&o);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
