/* a3s-box events [--since T] [--until T] [-f KEY=VALUE]... [--format F] */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "box/events.h"
#include "cli.h"
#include "util/template.h"
#include "util/timefmt.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct printer {
	struct root *root;
	struct box_event_filter filter;
	struct template *tmpl; /* NULL: docker's line */
	int64_t until_ns; /* 0: none */
	struct err *err;
	bool done; /* an event past --until was seen */
};

static int print_event(void *arg, struct box_event_rec *ev)
{
	struct printer *p = arg;
	if (p->until_ns && ev->time_ns > p->until_ns) {
		p->done = true;
		return 0;
	}
	box_event_complete(p->root, ev);
	if (!box_event_filter_match(&p->filter, ev))
		return 0;
	if (p->tmpl) {
		json_t *j = box_event_to_json(ev);
		int rc = template_exec(p->tmpl, box_event_template_lookup, j, stdout, p->err);
		json_decref(j);
		if (rc < 0)
			return -1;
		putchar('\n');
	} else {
		char *line = box_event_format_line(ev);
		puts(line);
		free(line);
	}
	if (fflush(stdout) != 0)
		return err_sys(p->err, errno, "writing events");
	return 0;
}

int cmd_events(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {{"since", required_argument, NULL, 'S'},
					     {"until", required_argument, NULL, 'U'},
					     {"filter", required_argument, NULL, 'f'},
					     {"format", required_argument, NULL, 'F'},
					     {"help", no_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	struct printer p = {.root = ctx->root, .filter = BOX_EVENT_FILTER_INIT, .err = &ctx->err};
	const char *format = NULL;
	int64_t now = now_ns(), since = 0, last = 0;
	bool since_set = false, until_set = false;
	int c, rc = 0;
	struct sigaction sa = {.sa_handler = on_signal};

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
		case 'U':
			if (time_parse_user(optarg, now, c == 'S' ? &since : &p.until_ns) < 0) {
				box_event_filter_release(&p.filter);
				return cli_usage_error(ctx, "invalid time '%s': use RFC 3339, unix seconds or 10s/5m/2h",
						       optarg);
			}
			*(c == 'S' ? &since_set : &until_set) = true;
			break;
		case 'f':
			if (box_event_filter_add(&p.filter, optarg, &ctx->err) < 0) {
				box_event_filter_release(&p.filter);
				return cli_usage_error(ctx, "%s", ctx->err.msg);
			}
			break;
		case 'F': format = optarg; break;
		case 'H': box_event_filter_release(&p.filter); return cli_help(ctx);
		case ':':
			box_event_filter_release(&p.filter);
			return cli_usage_error(ctx, "flag needs an argument: %s", argv[optind - 1]);
		default:
			box_event_filter_release(&p.filter);
			return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		box_event_filter_release(&p.filter);
		return cli_usage_error(ctx, "\"events\" accepts no arguments");
	}
	if (since_set && until_set && since > p.until_ns) {
		box_event_filter_release(&p.filter);
		return cli_usage_error(ctx, "--since time cannot be after --until time");
	}
	if (until_set && !p.until_ns)
		p.until_ns = 1; /* "--until 0": nothing is that old */
	if (format && *format) {
		if (template_parse(!strcmp(format, "json") ? "{{json .}}" : format, &p.tmpl, &ctx->err) < 0) {
			box_event_filter_release(&p.filter);
			return cli_fail(ctx);
		}
	}

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* docker prints history only when asked for a time range */
	if (since_set || until_set)
		rc = box_events_read(ctx->root, 0, since, &last, print_event, &p, &ctx->err);
	else
		rc = box_events_last_seq(ctx->root, &last, &ctx->err);
	/* follow unless the range has ended */
	while (rc == 0 && !stop_requested && !p.done && (!until_set || now_ns() <= p.until_ns)) {
		nanosleep(&(struct timespec){0, 150 * 1000000L}, NULL);
		if (stop_requested)
			break;
		rc = box_events_read(ctx->root, last, since, &last, print_event, &p, &ctx->err);
	}
	template_free(p.tmpl);
	box_event_filter_release(&p.filter);
	return rc < 0 ? cli_fail(ctx) : 0;
}
