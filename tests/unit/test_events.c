/* Unit tests for lib/box/events.c (formatting, filters) and time_parse_user. */
#include <stdlib.h>
#include <time.h>

#include "box/events.h"
#include "unit.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct box_event_rec ev_make(const char *type, const char *action, const char *attrs)
{
	json_error_t je;
	struct box_event_rec ev = {
		.seq = 1,
		.time_ns = 1796308561656312350LL, /* 2026-12-03T14:36:01.656312350Z */
		.type = xstrdup(type),
		.action = xstrdup(action),
		.actor_id = xstrdup(ID),
		.attrs = json_loads(attrs, 0, &je),
	};
	return ev;
}

static bool matches(const char *const *filters, const struct box_event_rec *ev)
{
	struct box_event_filter f = BOX_EVENT_FILTER_INIT;
	struct err e = ERR_INIT;
	bool ok;
	for (; *filters; filters++)
		if (box_event_filter_add(&f, *filters, &e) < 0)
			abort();
	ok = box_event_filter_match(&f, ev);
	box_event_filter_release(&f);
	return ok;
}

TEST(line_sorted_attributes)
{
	struct box_event_rec ev = ev_make("container", "start", "{\"name\":\"web\",\"image\":\"a3s-box/busybox\"}");
	char *line = box_event_format_line(&ev);
	CHECK_STR(line, "2026-12-03T14:36:01.656312350Z container start " ID " (image=a3s-box/busybox, name=web)");
	free(line);
	box_event_rec_release(&ev);
}

TEST(line_without_attributes)
{
	struct box_event_rec ev = ev_make("container", "pause", "{}");
	char *line;
	ev.time_ns = 1796308561000000001LL;
	line = box_event_format_line(&ev);
	CHECK_STR(line, "2026-12-03T14:36:01.000000001Z container pause " ID);
	free(line);
	box_event_rec_release(&ev);
}

TEST(json_message)
{
	struct box_event_rec ev = ev_make("container", "die", "{\"exitCode\":\"3\",\"image\":\"bb\",\"name\":\"w\"}");
	json_t *j = box_event_to_json(&ev), *v = NULL;
	char *s = json_dumps(j, JSON_COMPACT);
	CHECK_STR(s, "{\"status\":\"die\",\"id\":\"" ID "\",\"from\":\"bb\",\"Type\":\"container\",\"Action\":\"die\","
		     "\"Actor\":{\"ID\":\"" ID "\",\"Attributes\":{\"exitCode\":\"3\",\"image\":\"bb\",\"name\":\"w\"}},"
		     "\"scope\":\"local\",\"time\":1796308561,\"timeNano\":1796308561656312350}");
	free(s);
	CHECK(box_event_template_lookup(j, "Status", &v) == 0 && !strcmp(json_string_value(v), "die"));
	json_decref(v);
	CHECK(box_event_template_lookup(j, "TimeNano", &v) == 0 && json_integer_value(v) == 1796308561656312350LL);
	json_decref(v);
	CHECK(box_event_template_lookup(j, "Nope", &v) < 0);
	json_decref(j);
	box_event_rec_release(&ev);
}

TEST(filters)
{
	struct box_event_rec ev =
		ev_make("container", "start", "{\"name\":\"web\",\"image\":\"a3s-box/busybox:latest\",\"tier\":\"fe\"}");
	CHECK(matches((const char *[]){NULL}, &ev));
	CHECK(matches((const char *[]){"type=container", NULL}, &ev));
	CHECK(!matches((const char *[]){"type=image", NULL}, &ev));
	CHECK(matches((const char *[]){"event=die", "event=start", NULL}, &ev));
	CHECK(!matches((const char *[]){"event=die", NULL}, &ev));
	CHECK(matches((const char *[]){"container=web", NULL}, &ev));
	CHECK(matches((const char *[]){"container=0123", NULL}, &ev));
	CHECK(!matches((const char *[]){"container=db", NULL}, &ev));
	CHECK(!matches((const char *[]){"container=web", "event=die", NULL}, &ev));
	CHECK(matches((const char *[]){"image=a3s-box/busybox", NULL}, &ev));
	CHECK(matches((const char *[]){"image=a3s-box/busybox:latest", NULL}, &ev));
	CHECK(!matches((const char *[]){"image=alpine", NULL}, &ev));
	CHECK(matches((const char *[]){"label=tier", NULL}, &ev));
	CHECK(matches((const char *[]){"label=tier=fe", NULL}, &ev));
	CHECK(!matches((const char *[]){"label=tier=be", NULL}, &ev));
	CHECK(!matches((const char *[]){"label=tier", "label=other", NULL}, &ev));
	box_event_rec_release(&ev);
}

TEST(filter_errors)
{
	struct box_event_filter f = BOX_EVENT_FILTER_INIT;
	struct err e = ERR_INIT;
	CHECK(box_event_filter_add(&f, "bogus=1", &e) < 0 && e.kind == ERR_USAGE);
	CHECK_STR(e.msg, "invalid filter 'bogus'");
	CHECK(box_event_filter_add(&f, "type", &e) < 0);
	CHECK(box_event_filter_add(&f, "=x", &e) < 0);
	box_event_filter_release(&f);
}

TEST(parse_user_times)
{
	int64_t now = 1700000000LL * 1000000000LL, ns = 0;
	CHECK(time_parse_user("0", now, &ns) == 0 && ns == 0);
	CHECK(time_parse_user("1700000000.5", now, &ns) == 0 && ns == 1700000000500000000LL);
	CHECK(time_parse_user("10s", now, &ns) == 0 && ns == now - 10000000000LL);
	CHECK(time_parse_user("1.5m", now, &ns) == 0 && ns == now - 90000000000LL);
	CHECK(time_parse_user("2h", now, &ns) == 0 && ns == now - 7200000000000LL);
	CHECK(time_parse_user("2023-11-14T22:13:20.25Z", now, &ns) == 0 && ns == now + 250000000LL);
	CHECK(time_parse_user("", now, &ns) < 0);
	CHECK(time_parse_user("-5", now, &ns) < 0);
	CHECK(time_parse_user("10d", now, &ns) < 0);
	CHECK(time_parse_user("5mm", now, &ns) < 0);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	RUN(line_sorted_attributes);
	RUN(line_without_attributes);
	RUN(json_message);
	RUN(filters);
	RUN(filter_errors);
	RUN(parse_user_times);
	return unit_done();
}
