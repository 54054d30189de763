/* a3s-box ps [-a] [-q] [-n N] [-l] [--no-trunc] [-f FILTER]... [--format T] (also "container ls") */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "box/format.h"
#include "box/health.h"
#include "box/ports.h"
#include "box/record.h"
#include "cli.h"
#include "format.h"
#include "image/store.h"
#include "util/humanize.h"
#include "util/timefmt.h"

#define DEFAULT_TABLE "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

struct opts {
	bool all, quiet, no_trunc;
	long last; /* -n; -1 = no limit */
	const char *format;
	struct box_filter filter;
	struct strv health; /* --filter health=...: docker's, over boxes/<id>/health.json */
	struct root *root;
};

static json_t *header(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Command",
			 "COMMAND", "CreatedAt", "CREATED AT", "ID", "CONTAINER ID", "Image", "IMAGE", "Labels",
			 "LABELS", "LocalVolumes", "LOCAL VOLUMES", "Mounts", "MOUNTS", "Names", "NAMES", "Networks",
			 "NETWORKS", "Ports", "PORTS", "RunningFor", "CREATED", "Size", "SIZE", "State", "STATE",
			 "Status", "STATUS");
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char *ports(const struct box_record *b)
{
	const json_t *p = json_object_get(b->config, "Ports");
	return json_is_array(p) ? box_ports_summary(p) : xstrdup("");
}

/* One row: docker's keys, in sorted order (that is how {{json .}} prints). */
static json_t *row(const struct box_record *b, const struct opts *o, int64_t now)
{
	char created[64], since[64], status[128], id[13];
	char *cmd = box_command_column(b, o->no_trunc), *labels = box_labels_string(b), *p = ports(b);
	char *running_for;
	const char *netmode = json_string_value(json_object_get(b->config, "Network"));
	bool net = !netmode || strcmp(netmode, "none") != 0;
	json_t *j;

	human_duration((now - b->created_at) / 1000000000LL, since, sizeof(since));
	running_for = xasprintf("%s ago", since);
	snprintf(id, sizeof(id), "%.12s", b->id);
	box_status_string(b, now, status, sizeof(status));
	if (!strcmp(b->state, "running")) {
		/* docker's State.String(): "Up 3 minutes (healthy)", "(health: starting)" */
		const char *h = box_health_status(o->root, b->id);
		size_t l = strlen(status);
		if (strcmp(h, "none"))
			snprintf(status + l, sizeof(status) - l, " (%s%s)", !strcmp(h, "starting") ? "health: " : "", h);
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Command", cmd,
		      "CreatedAt", time_format_go(b->created_at / 1000000000LL, created, sizeof(created)), "ID",
		      o->no_trunc ? b->id : id, "Image", b->image_ref, "Labels", labels, "LocalVolumes", "0",
		      "Mounts", "", "Names", b->name, "Networks", net ? "default" : "none", "Ports", p, "RunningFor",
		      running_for, "Size", "0B", "State", b->state, "Status", status);
	free(cmd);
	free(labels);
	free(p);
	free(running_for);
	return j;
}

static int row_lookup(void *data, const char *field, json_t **out)
{
	json_t *obj = data;
	if (field && !json_object_get(obj, field))
		return -1; /* docker's rows are structs: unknown fields are errors */
	return template_json_lookup(data, field, out);
}

static bool shown(const struct opts *o, const struct box_record *b)
{
	bool all = o->all || o->last > 0 || o->filter.status.n;
	bool health = !o->health.n;
	if (!all && strcmp(b->state, "running") && strcmp(b->state, "paused") && strcmp(b->state, "restarting"))
		return false;
	for (size_t i = 0; i < o->health.n && !health; i++)
		health = !strcmp(o->health.v[i], box_health_status(o->root, b->id));
	return health && box_filter_match(&o->filter, b);
}

static int list(struct cli_ctx *ctx, struct cli_format *f, const struct opts *o)
{
	struct box_record **v;
	size_t n;
	long count = 0;
	int64_t now = now_ns();
	int rc = 0;
	if (box_store_list(ctx->root, &v, &n, &ctx->err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *j;
		if (o->last > 0 && count >= o->last)
			break;
		if (!shown(o, v[i]))
			continue;
		count++;
		j = row(v[i], o, now);
		rc = cli_format_row(f, row_lookup, j, &ctx->err);
		json_decref(j);
	}
	box_record_list_free(v, n);
	return rc;
}

/* ancestor=IMAGE: the image's id, when there is such an image. */
static void resolve_ancestors(struct cli_ctx *ctx, struct box_filter *bf)
{
	for (size_t i = 0; i < bf->ancestor.n; i++) {
		struct image *img;
		struct err e = ERR_INIT;
		if (image_store_lookup(ctx->root, bf->ancestor.v[i], &img, &e) == 0) {
			strv_push(&bf->ancestor_ids, img->id);
			image_free(img);
		}
	}
}

static int parse(struct cli_ctx *ctx, struct opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"quiet", no_argument, NULL, 'q'},
		{"last", required_argument, NULL, 'n'},
		{"latest", no_argument, NULL, 'l'},
		{"no-trunc", no_argument, NULL, 'T'},
		{"size", no_argument, NULL, 's'},
		{"format", required_argument, NULL, 'F'},
		{"filter", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool latest = false;
	char *end;
	int c;
	while ((c = getopt_long(argc, argv, "aqn:lsf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'n':
			o->last = strtol(optarg, &end, 10);
			if (!*optarg || *end)
				return cli_usage_error(ctx, "invalid argument \"%s\" for \"-n, --last\" flag: invalid syntax",
						       optarg);
			break;
		case 'l':
			latest = true;
			break;
		case 'T':
			o->no_trunc = true;
			break;
		case 's':
			break; /* sizes are not computed: "0B" */
		case 'F':
			o->format = optarg;
			break;
		case 'f':
			if (!strncmp(optarg, "health=", 7)) {
				const char *v = optarg + 7;
				if (strcmp(v, "starting") && strcmp(v, "healthy") && strcmp(v, "unhealthy") &&
				    strcmp(v, "none"))
					return cli_usage_error(ctx, "Unrecognised filter value for health: %s", v);
				strv_push(&o->health, v);
				break;
			}
			if (box_filter_add(&o->filter, optarg, &ctx->err) < 0)
				return cli_usage_error(ctx, "%s", ctx->err.msg);
			break;
		case 'h':
			cli_help(ctx);
			return 1;
		default:
			return cli_usage_error(ctx, "invalid option");
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "\"%s\" accepts no arguments", ctx->cmd_name);
	if (latest && o->last == -1)
		o->last = 1;
	return 0;
}

int cmd_ps(struct cli_ctx *ctx, int argc, char **argv)
{
	struct opts o = {.last = -1, .filter = BOX_FILTER_INIT, .health = STRV_INIT, .root = ctx->root};
	struct cli_format *f = NULL;
	json_t *hdr;
	int rc = parse(ctx, &o, argc, argv);

	if (rc != 0) {
		box_filter_release(&o.filter);
		strv_release(&o.health);
		return rc == 1 ? 0 : rc;
	}
	resolve_ancestors(ctx, &o.filter);
	hdr = header();
	rc = cli_format_new(o.quiet ? "{{.ID}}" : o.format, DEFAULT_TABLE, hdr, &f, &ctx->err);
	if (rc == 0)
		rc = list(ctx, f, &o);
	if (rc == 0)
		cli_format_finish(f, stdout);
	else
		cli_format_free(f);
	json_decref(hdr);
	box_filter_release(&o.filter);
	strv_release(&o.health);
	return rc < 0 ? cli_fail(ctx) : 0;
}
