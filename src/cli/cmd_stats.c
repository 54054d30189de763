/* a3s-box stats [-a] [--no-stream] [--no-trunc] [--format T] [BOX...] */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "box/control.h"
#include "box/record.h"
#include "box/stats.h"
#include "box/store.h"
#include "cli.h"
#include "format.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/xalloc.h"

#define DEFAULT_TABLE \
	"table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
#define SAMPLE_MS 500

struct sample {
	struct box_record *b;
	double cpu0;
	long long t0;
	char *stats_path;
};

static int lookup(void *data, const char *field, json_t **out)
{
	if (field && !json_object_get(data, field))
		return -1;
	return template_json_lookup(data, field, out);
}

static json_t *header(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", "CONTAINER ID", "Container",
			 "CONTAINER", "Name", "NAME", "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT", "MemPerc",
			 "MEM %", "NetIO", "NET I/O", "BlockIO", "BLOCK I/O", "PIDs", "PIDS");
}

/* Boxes to show: those named, or every running one (-a: every one). */
static int pick(struct cli_ctx *ctx, int argc, char **argv, bool all, struct sample **out, size_t *n)
{
	struct box_record **v = NULL;
	size_t cnt = 0;
	*out = NULL;
	*n = 0;
	if (argc > 0) {
		for (int i = 0; i < argc; i++) {
			struct box_record *b;
			if (box_store_find(ctx->root, argv[i], &b, &ctx->err) < 0)
				return -1;
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = (struct sample){.b = b};
		}
		return 0;
	}
	if (box_store_list(ctx->root, &v, &cnt, &ctx->err) < 0)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		if (!all && !box_is_active(v[i])) {
			box_record_free(v[i]);
			continue;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = (struct sample){.b = v[i]};
	}
	free(v);
	return 0;
}

static void begin(struct cli_ctx *ctx, struct sample *s)
{
	uint64_t rd, wr;
	char *dir = box_dir(ctx->root, s->b->id);
	s->stats_path = xasprintf("%s/stats", dir);
	free(dir);
	s->t0 = io_now_ms();
	if (box_is_active(s->b) && s->b->pid > 0 && box_stats_engine(s->b->pid, &s->cpu0, &rd, &wr) < 0)
		s->cpu0 = -1;
	if (box_is_active(s->b) && s->b->monitor_pid > 0)
		sigqueue(s->b->monitor_pid, SIGUSR2, (union sigval){.sival_int = 2});
}

static json_t *finish(struct sample *s)
{
	struct box_stats st = {.pids = -1};
	double cpu1;
	long long t1 = io_now_ms();
	struct stat sb;
	json_int_t mib = json_integer_value(json_object_get(s->b->config, "MemoryMiB"));
	st.mem_limit = (uint64_t)mib << 20;
	if (box_is_active(s->b) && s->b->pid > 0 &&
	    box_stats_engine(s->b->pid, &cpu1, &st.blk_read, &st.blk_write) == 0 && s->cpu0 >= 0 && t1 > s->t0)
		st.cpu_perc = 100.0 * (cpu1 - s->cpu0) / ((double)(t1 - s->t0) / 1000.0);
	/* the guest's answer, if it came after our request */
	if (box_is_active(s->b) && stat(s->stats_path, &sb) == 0 &&
	    sb.st_mtim.tv_sec * 1000LL + sb.st_mtim.tv_nsec / 1000000 + 5000 >= (long long)time(NULL) * 1000LL) {
		char *text;
		struct err e = ERR_INIT;
		if (fs_read_file(s->stats_path, 4096, &text, NULL, &e) == 0) {
			box_stats_parse_guest(text, &st);
			free(text);
		}
	}
	return box_stats_row(s->b->id, s->b->name, &st);
}

static void release(struct sample *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		box_record_free(v[i].b);
		free(v[i].stats_path);
	}
	free(v);
}

int cmd_stats(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
					     {"no-stream", no_argument, NULL, 'S'},
					     {"no-trunc", no_argument, NULL, 'T'},
					     {"format", required_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	bool all = false, stream = true, notrunc = false;
	const char *format = NULL;
	json_t *hdr = header();
	int c, rc = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:a", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'S': stream = false; break;
		case 'T': notrunc = true; break;
		case 'f': format = optarg; break;
		case 'H': json_decref(hdr); return cli_help(ctx);
		case ':': json_decref(hdr); return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default: json_decref(hdr); return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	for (;;) {
		struct sample *v;
		size_t n;
		struct cli_format *f = NULL;
		if (pick(ctx, argc - optind, argv + optind, all, &v, &n) < 0) {
			rc = cli_fail(ctx);
			break;
		}
		for (size_t i = 0; i < n; i++)
			begin(ctx, &v[i]);
		nanosleep(&(struct timespec){SAMPLE_MS / 1000, (SAMPLE_MS % 1000) * 1000000L}, NULL);
		if (cli_format_new(format, DEFAULT_TABLE, hdr, &f, &ctx->err) < 0) {
			release(v, n);
			rc = cli_fail(ctx);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			json_t *row = finish(&v[i]);
			if (!notrunc)
				json_object_set_new(row, "ID", json_string(json_string_value(json_object_get(row, "Container"))));
			if (cli_format_row(f, lookup, row, &ctx->err) < 0) {
				json_decref(row);
				cli_format_free(f);
				release(v, n);
				json_decref(hdr);
				return cli_fail(ctx);
			}
			json_decref(row);
		}
		release(v, n);
		if (stream)
			fputs("\033[2J\033[H", stdout); /* docker redraws the screen */
		cli_format_finish(f, stdout);
		fflush(stdout);
		if (!stream)
			break;
	}
	json_decref(hdr);
	return rc;
}
