/* a3s-box logs [-f] [--tail N] [-t] [--since T] [--until T] BOX */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "box/control.h"
#include "box/logfile.h"
#include "box/store.h"
#include "boxes.h"
#include "util/io.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

struct logs_opts {
	bool follow, timestamps;
	long tail; /* -1 = all */
	double since, until; /* unix seconds, 0 = unset */
};

/* time_parse_user() as unix seconds (logs compares in seconds). */
static int parse_time(const char *s, double *out)
{
	struct timespec now;
	int64_t ns;
	clock_gettime(CLOCK_REALTIME, &now);
	if (time_parse_user(s, (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec, &ns) < 0)
		return -1;
	*out = (double)ns / 1e9;
	return 0;
}

static bool wanted(const struct logs_opts *o, const struct box_log_entry *en)
{
	double t = (double)en->sec + en->nsec / 1e9;
	return (!o->since || t >= o->since) && (!o->until || t <= o->until);
}

static void print_entry(const struct logs_opts *o, const struct box_log_entry *en)
{
	FILE *f = en->stream == 2 ? stderr : stdout;
	if (o->timestamps)
		fprintf(f, "%s ", en->time);
	fwrite(en->text, 1, en->len, f);
	fflush(f);
}

/* Print complete lines from f; keep a trailing partial line for later. */
static void drain(FILE *f, const struct logs_opts *o, struct strv *keep_tail)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long pos = ftell(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		struct box_log_entry en;
		if (line[n - 1] != '\n') {
			fseek(f, pos, SEEK_SET); /* the writer is mid-line */
			break;
		}
		pos = ftell(f);
		if (box_log_parse_line(line, &en) < 0 || !wanted(o, &en)) {
			box_log_entry_release(&en);
			continue;
		}
		if (keep_tail) {
			strv_push(keep_tail, line);
			if (o->tail >= 0 && keep_tail->n > (size_t)o->tail) {
				free(keep_tail->v[0]);
				memmove(keep_tail->v, keep_tail->v + 1, keep_tail->n * sizeof(char *));
				keep_tail->n--;
			}
		} else {
			print_entry(o, &en);
		}
		box_log_entry_release(&en);
	}
	clearerr(f);
	free(line);
}

int cmd_logs(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
					     {"timestamps", no_argument, NULL, 't'},
					     {"tail", required_argument, NULL, 'n'},
					     {"since", required_argument, NULL, 'S'},
					     {"until", required_argument, NULL, 'U'},
					     {"help", no_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	struct logs_opts o = {.tail = -1};
	struct box_record *b = NULL;
	struct strv tail = STRV_INIT;
	char *dir, *path;
	FILE *f;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ftn:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.follow = true; break;
		case 't': o.timestamps = true; break;
		case 'n':
			if (!strcmp(optarg, "all")) {
				o.tail = -1;
			} else {
				char *end;
				o.tail = strtol(optarg, &end, 10);
				if (*end || !*optarg || o.tail < 0)
					return cli_usage_error(ctx, "invalid value for --tail: '%s'", optarg);
			}
			break;
		case 'S':
		case 'U':
			if (parse_time(optarg, c == 'S' ? &o.since : &o.until) < 0)
				return cli_usage_error(ctx, "invalid time '%s': use RFC 3339, unix seconds or 10s/5m/2h",
						       optarg);
			break;
		case 'H': return cli_help(ctx);
		case ':': return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(ctx, "\"logs\" requires exactly 1 argument");
	if (box_store_find(ctx->root, argv[optind], &b, &ctx->err) < 0)
		return cli_fail(ctx);
	dir = box_dir(ctx->root, b->id);
	path = box_log_path(dir, b->id);
	free(dir);
	{
		/* the rotated-out part first, then the current log */
		char *rot = box_log_rotated_path(path);
		FILE *r = fopen(rot, "re");
		free(rot);
		if (r) {
			drain(r, &o, &tail);
			fclose(r);
		}
	}
	f = fopen(path, "re");
	if (f)
		drain(f, &o, &tail);
	for (size_t i = 0; i < tail.n; i++) {
		struct box_log_entry en;
		if (box_log_parse_line(tail.v[i], &en) == 0)
			print_entry(&o, &en);
		box_log_entry_release(&en);
	}
	strv_release(&tail);
	while (o.follow) {
		struct box_record *n = NULL;
		struct stat now, cur;
		bool active;
		if (box_store_find(ctx->root, b->id, &n, &ctx->err) < 0)
			break;
		active = box_is_active(n) || !strcmp(n->state, "created");
		box_record_free(n);
		if (f)
			drain(f, &o, NULL);
		/* rotated: the old file is read to its end, then the new one */
		if (!f || (stat(path, &now) == 0 && fstat(fileno(f), &cur) == 0 && now.st_ino != cur.st_ino)) {
			if (f)
				fclose(f);
			f = fopen(path, "re");
			if (f)
				drain(f, &o, NULL);
		}
		if (!active)
			break; /* the box ended: what it wrote is out */
		nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
	}
	free(path);
	if (f)
		fclose(f);
	box_record_free(b);
	return 0;
}
