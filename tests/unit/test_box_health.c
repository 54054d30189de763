#include <stdlib.h>

#include "box/health.h"
#include "box/top.h"
#include "unit.h"

#define S 1000000000LL

TEST(go_durations)
{
	int64_t ns;
	char b[64];
	CHECK(box_go_duration_parse("1s", &ns) == 0 && ns == S);
	CHECK(box_go_duration_parse("1m30s", &ns) == 0 && ns == 90 * S);
	CHECK(box_go_duration_parse("1.5s", &ns) == 0 && ns == 1500000000LL);
	CHECK(box_go_duration_parse("250ms", &ns) == 0 && ns == 250000000LL);
	CHECK(box_go_duration_parse("2h", &ns) == 0 && ns == 7200 * S);
	CHECK(box_go_duration_parse("0", &ns) == 0 && ns == 0);
	CHECK(box_go_duration_parse("-1s", &ns) == 0 && ns == -S);
	CHECK(box_go_duration_parse("10us", &ns) == 0 && ns == 10000);
	CHECK(box_go_duration_parse("", &ns) < 0);
	CHECK(box_go_duration_parse("1", &ns) == -2);
	CHECK(box_go_duration_parse("1x", &ns) == -3);
	CHECK(box_go_duration_parse("s", &ns) < 0);
	CHECK(box_go_duration_parse(".s", &ns) < 0);
	CHECK_STR(box_go_duration_string(S, b, sizeof(b)), "1s");
	CHECK_STR(box_go_duration_string(90 * S, b, sizeof(b)), "1m30s");
	CHECK_STR(box_go_duration_string(3600 * S, b, sizeof(b)), "1h0m0s");
	CHECK_STR(box_go_duration_string(1500000000LL, b, sizeof(b)), "1.5s");
	CHECK_STR(box_go_duration_string(500000000LL, b, sizeof(b)), "500ms");
	CHECK_STR(box_go_duration_string(0, b, sizeof(b)), "0s");
}

static json_t *image(const char *hc)
{
	json_t *j = json_loads(hc, 0, NULL);
	return json_pack("{s:{s:o}}", "config", "Healthcheck", j);
}

TEST(flags_and_merge)
{
	struct box_health_flags f = {0};
	struct err e = ERR_INIT;
	json_t *cfg = json_object(), *img = image("{\"Test\":[\"CMD\",\"true\"],\"Interval\":5000000000,\"Retries\":7}");
	char *s;
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_INTERVAL, "nope", &e) < 0 && e.kind == ERR_USAGE);
	CHECK(strstr(e.msg, "invalid argument \"nope\" for \"--health-interval\" flag") != NULL);
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_RETRIES, "x", &e) < 0);
	/* no flags, no image check: nothing */
	CHECK(box_health_config(&f, NULL, cfg, &e) == 0 && !json_object_get(cfg, "Healthcheck"));
	/* the image's, as is */
	CHECK(box_health_config(&f, img, cfg, &e) == 0);
	s = json_dumps(json_object_get(cfg, "Healthcheck"), JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(s, "{\"Interval\":5000000000,\"Retries\":7,\"Test\":[\"CMD\",\"true\"]}");
	free(s);
	/* flags win where given, the image fills the rest */
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_TIMEOUT, "2s", &e) == 0);
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_CMD, "exit 0", &e) == 0);
	CHECK(box_health_config(&f, img, cfg, &e) == 0);
	s = json_dumps(json_object_get(cfg, "Healthcheck"), JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(s, "{\"Interval\":5000000000,\"Retries\":7,\"Test\":[\"CMD-SHELL\",\"exit 0\"],\"Timeout\":2000000000}");
	free(s);
	/* --no-healthcheck conflicts with the others, and alone gives NONE */
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_NONE, NULL, &e) == 0);
	CHECK(box_health_config(&f, img, cfg, &e) < 0 && strstr(e.msg, "conflicts") != NULL);
	f = (struct box_health_flags){.none = true};
	CHECK(box_health_config(&f, img, cfg, &e) == 0);
	s = json_dumps(json_object_get(cfg, "Healthcheck"), JSON_COMPACT);
	CHECK_STR(s, "{\"Test\":[\"NONE\"]}");
	free(s);
	f = (struct box_health_flags){0};
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_INTERVAL, "-1s", &e) == 0);
	CHECK(box_health_config(&f, NULL, cfg, &e) < 0 && !strcmp(e.msg, "--health-interval cannot be negative"));
	f = (struct box_health_flags){0};
	CHECK(box_health_flag(&f, BOX_HEALTH_OPT_TIMEOUT, "10us", &e) == 0);
	CHECK(box_health_config(&f, NULL, cfg, &e) < 0 && strstr(e.msg, "cannot be less than 1ms") != NULL);
	json_decref(cfg);
	json_decref(img);
}

TEST(probe_from_config)
{
	struct box_health_probe p;
	json_t *cfg = json_loads("{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"curl -f x\"],\"Retries\":2}}", 0, NULL);
	CHECK(box_health_probe_get(cfg, &p) == 1);
	CHECK(p.argv.n == 3 && !strcmp(p.argv.v[0], "/bin/sh") && !strcmp(p.argv.v[2], "curl -f x"));
	CHECK(p.interval == 30 * S && p.timeout == 30 * S && p.start_period == 0 && p.retries == 2);
	box_health_probe_release(&p);
	json_decref(cfg);
	cfg = json_loads("{\"Healthcheck\":{\"Test\":[\"CMD\",\"/bin/check\",\"-v\"],\"Interval\":1000000000}}", 0, NULL);
	CHECK(box_health_probe_get(cfg, &p) == 1 && p.argv.n == 2 && p.interval == S && p.retries == 3);
	box_health_probe_release(&p);
	json_decref(cfg);
	cfg = json_loads("{\"Healthcheck\":{\"Test\":[\"NONE\"]}}", 0, NULL);
	CHECK(box_health_probe_get(cfg, &p) == 0);
	json_decref(cfg);
	cfg = json_loads("{\"Argv\":[\"sh\"]}", 0, NULL);
	CHECK(box_health_probe_get(cfg, &p) == 0);
	json_decref(cfg);
}

static bool rec(struct box_health *h, int64_t start, int code, int retries, int64_t period)
{
	struct box_health_result r = {start, start + 1, code, strdup("out")};
	bool changed = box_health_record(h, &r, retries, period, 0);
	if (r.output)
		abort(); /* the log takes the output over */
	return changed;
}

TEST(transitions)
{
	struct box_health h = {0};
	json_t *j;
	struct box_health h2;
	box_health_reset(&h);
	CHECK_STR(h.status, "starting");
	/* failures within the start period do not count */
	CHECK(!rec(&h, 1 * S, 1, 2, 5 * S));
	CHECK(!rec(&h, 2 * S, 1, 2, 5 * S));
	CHECK(h.failing_streak == 0 && !strcmp(h.status, "starting"));
	/* after it they do */
	CHECK(!rec(&h, 6 * S, 1, 2, 5 * S));
	CHECK(h.failing_streak == 1);
	CHECK(rec(&h, 7 * S, 1, 2, 5 * S));
	CHECK_STR(h.status, "unhealthy");
	/* one success: healthy, streak 0 */
	CHECK(rec(&h, 8 * S, 0, 2, 5 * S));
	CHECK(h.failing_streak == 0 && !strcmp(h.status, "healthy"));
	CHECK(h.nlog == 5 && h.log[0].start == 1 * S);
	CHECK(!rec(&h, 9 * S, 0, 2, 5 * S));
	CHECK(h.nlog == 5 && h.log[0].start == 2 * S && h.log[4].start == 9 * S);
	/* healthy boxes count failures even inside the start period */
	box_health_reset(&h);
	CHECK(rec(&h, 1 * S, 0, 2, 60 * S));
	CHECK(!rec(&h, 2 * S, 3, 2, 60 * S));
	CHECK(rec(&h, 3 * S, -1, 2, 60 * S));
	CHECK_STR(h.status, "unhealthy");
	CHECK(h.nlog == 3);
	j = box_health_json(&h);
	CHECK(box_health_from_json(j, &h2) == 0);
	CHECK(h2.nlog == 3 && h2.failing_streak == 2 && h2.log[2].exit_code == -1 && h2.log[1].start == 2 * S);
	CHECK_STR(h2.status, "unhealthy");
	CHECK_STR(h2.log[0].output, "out");
	json_decref(j);
	box_health_release(&h2);
	box_health_release(&h);
}

TEST(top_parse_and_table)
{
	struct box_top t = BOX_TOP_INIT;
	struct err e = ERR_INIT;
	char *s;
	CHECK(box_top_parse("UID PID PPID CMD\nroot 31 1 sleep  1000\n\nroot 40 31\n", &t, &e) == 0);
	CHECK(t.titles.n == 4 && t.rows == 1);
	CHECK_STR(t.cells.v[3], "sleep 1000");
	s = box_top_table(&t);
	CHECK_STR(s, "UID                 PID                 PPID                CMD\n"
		     "root                31                  1                   sleep 1000\n");
	free(s);
	box_top_release(&t);
	CHECK(box_top_parse("COMMAND\nsleep\n", &t, &e) < 0);
	CHECK_STR(e.msg, "Couldn't find PID field in ps output");
	box_top_release(&t);
	CHECK(box_top_parse("", &t, &e) < 0);
	box_top_release(&t);
}

int main(void)
{
	RUN(go_durations);
	RUN(flags_and_merge);
	RUN(probe_from_config);
	RUN(transitions);
	RUN(top_parse_and_table);
	return unit_done();
}
