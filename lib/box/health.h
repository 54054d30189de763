/*
 * Health checks, as docker has them (docs/health.md): the configuration
 * (run flags merged with the image's HEALTHCHECK, recorded as the box
 * config's "Healthcheck", docker's Config.Healthcheck), the state machine
 * (starting / healthy / unhealthy, FailingStreak, the last 5 results: docker's
 * State.Health) and where that state lives (boxes/<id>/health.json, replaced
 * atomically by the monitor; read by ps and inspect without the monitor).
 * Everything here but the file helpers is pure and unit-tested.
 */
#ifndef A3S_BOX_HEALTH_H
#define A3S_BOX_HEALTH_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

/* run/create flags; OPT values above any command's own. */
enum {
	BOX_HEALTH_OPT_CMD = 900,
	BOX_HEALTH_OPT_INTERVAL,
	BOX_HEALTH_OPT_TIMEOUT,
	BOX_HEALTH_OPT_RETRIES,
	BOX_HEALTH_OPT_START_PERIOD,
	BOX_HEALTH_OPT_NONE,
};
#define BOX_HEALTH_LONGOPTS                                                          \
	{"health-cmd", required_argument, NULL, BOX_HEALTH_OPT_CMD},                 \
	{"health-interval", required_argument, NULL, BOX_HEALTH_OPT_INTERVAL},       \
	{"health-timeout", required_argument, NULL, BOX_HEALTH_OPT_TIMEOUT},         \
	{"health-retries", required_argument, NULL, BOX_HEALTH_OPT_RETRIES},         \
	{"health-start-period", required_argument, NULL, BOX_HEALTH_OPT_START_PERIOD}, \
	{"no-healthcheck", no_argument, NULL, BOX_HEALTH_OPT_NONE}
#define BOX_HEALTH_HELP                                                                              \
	"      --health-cmd string              Command to run to check health\n"                     \
	"      --health-interval duration       Time between running the check (ms|s|m|h) (default 0s)\n" \
	"      --health-retries int             Consecutive failures needed to report unhealthy\n"    \
	"      --health-start-period duration   Start period for the box to initialize before\n"      \
	"                                       starting health-retries countdown (ms|s|m|h) (default 0s)\n" \
	"      --health-timeout duration        Maximum time to allow one check to run (ms|s|m|h) (default 0s)\n"
#define BOX_HEALTH_HELP_NONE "      --no-healthcheck     Disable any box-specified HEALTHCHECK\n"

struct box_health_flags {
	const char *cmd;
	int64_t interval, timeout, start_period; /* ns */
	long retries;
	bool none, any; /* --no-healthcheck; any --health-* given */
};

/* One flag (opt is a BOX_HEALTH_OPT_*). Bad values: ERR_USAGE with docker's
 * message ("invalid argument ... for \"--health-interval\" flag: ..."). */
int box_health_flag(struct box_health_flags *f, int opt, const char *arg, struct err *e);

/*
 * docker's merge: flags over the image config's Healthcheck (image_config is
 * the image config JSON; its "config" member is read); the result, if any,
 * is set as cfg["Healthcheck"] in docker's shape (Test, and Interval,
 * Timeout, StartPeriod, Retries when non-zero). ERR_USAGE for docker's
 * conflicts and bounds (--no-healthcheck with --health-*, negatives, under
 * 1ms).
 */
int box_health_config(const struct box_health_flags *f, const json_t *image_config, json_t *cfg, struct err *e);

/* Go's time.ParseDuration (ns), and Duration.String. */
int box_go_duration_parse(const char *s, int64_t *ns);
char *box_go_duration_string(int64_t ns, char *buf, size_t len);

/* What the monitor runs, from the box config (defaults applied). */
struct box_health_probe {
	struct strv argv; /* CMD: as given; CMD-SHELL: /bin/sh -c ... */
	int64_t interval, timeout, start_period; /* ns */
	int retries;
};
#define BOX_HEALTH_DEFAULT_NS (30LL * 1000000000LL)
#define BOX_HEALTH_DEFAULT_RETRIES 3
/* 1 with *p filled when the box has an active check, 0 when not (none,
 * NONE, unknown type). */
int box_health_probe_get(const json_t *cfg, struct box_health_probe *p);
void box_health_probe_release(struct box_health_probe *p);

/* docker's State.Health; the result of one probe. */
#define BOX_HEALTH_LOG_MAX 5
#define BOX_HEALTH_OUTPUT_MAX 4096
struct box_health_result {
	int64_t start, end; /* unix ns */
	int exit_code; /* -1: the probe could not run or timed out */
	char *output; /* at most BOX_HEALTH_OUTPUT_MAX bytes; owned */
};
struct box_health {
	char status[16]; /* "starting", "healthy", "unhealthy" */
	int failing_streak;
	struct box_health_result log[BOX_HEALTH_LOG_MAX]; /* oldest first */
	int nlog;
};

/* A fresh start (docker keeps the log across restarts: so do we). */
void box_health_reset(struct box_health *h);
/*
 * docker's handleProbeResult: r joins the log (the oldest dropped past 5;
 * r's output is taken over); exit 0 → healthy, streak 0; anything else adds
 * to the streak unless the box is still starting within start_period of
 * started_ns; retries failures make it unhealthy. Returns true if the
 * status changed.
 */
bool box_health_record(struct box_health *h, struct box_health_result *r, int retries, int64_t start_period,
		       int64_t started_ns);
json_t *box_health_json(const struct box_health *h);
int box_health_from_json(const json_t *j, struct box_health *h);
void box_health_release(struct box_health *h);

/* boxes/<dir>/health.json: write (atomic), read as JSON (NULL if none). */
int box_health_save(const char *box_dir, const struct box_health *h, struct err *e);
json_t *box_health_load(struct root *r, const char *id);
/* The status for ps and filters: "starting", "healthy", "unhealthy", or
 * "none" when the box has no health state. Static string. */
const char *box_health_status(struct root *r, const char *id);
/* Add docker's State.Health (when there is one) and Config.Healthcheck
 * (when configured) to b's inspect JSON j (box_inspect_json). */
struct box_record;
void box_health_inspect(struct root *r, const struct box_record *b, json_t *j);

#endif
