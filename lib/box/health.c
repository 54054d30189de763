#include "box/health.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"

#define MIN_DURATION_NS 1000000LL /* docker's containertypes.MinimumDuration */

/* ---- Go durations ---- */

static const struct {
	const char *name;
	int64_t ns;
} units[] = {
	{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000}, {"ms", 1000000},
	{"s", 1000000000LL}, {"m", 60000000000LL}, {"h", 3600000000000LL},
};

int box_go_duration_parse(const char *s, int64_t *ns)
{
	bool neg = false;
	double total = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		const char *start = s;
		double v = 0, scale = 1;
		size_t ul, k;
		bool digits = false;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			digits = true;
		}
		if (*s == '.') {
			s++;
			while (*s >= '0' && *s <= '9') {
				scale /= 10;
				v += (*s++ - '0') * scale;
				digits = true;
			}
		}
		if (!digits || s == start)
			return -1;
		ul = strcspn(s, "0123456789.");
		if (!ul)
			return -2; /* missing unit */
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].name) == ul && !strncmp(s, units[k].name, ul))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return -3; /* unknown unit */
		total += v * (double)units[k].ns;
		s += ul;
	}
	if (total >= (double)INT64_MAX)
		return -1;
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* v / unit with the fraction's trailing zeros trimmed ("1.5", "2"). */
static void frac(char *buf, size_t len, uint64_t v, uint64_t unit, int digits)
{
	char f[32];
	int n;
	if (v % unit == 0) {
		snprintf(buf, len, "%llu", (unsigned long long)(v / unit));
		return;
	}
	n = snprintf(f, sizeof(f), "%0*llu", digits, (unsigned long long)(v % unit));
	while (n > 0 && f[n - 1] == '0')
		f[--n] = '\0';
	snprintf(buf, len, "%llu.%s", (unsigned long long)(v / unit), f);
}

char *box_go_duration_string(int64_t ns, char *buf, size_t len)
{
	uint64_t u = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";
	char num[80];
	if (u == 0) {
		snprintf(buf, len, "0s");
	} else if (u < 1000) {
		snprintf(buf, len, "%s%lluns", sign, (unsigned long long)u);
	} else if (u < 1000000) {
		frac(num, sizeof(num), u, 1000, 3);
		snprintf(buf, len, "%s%s\xc2\xb5s", sign, num);
	} else if (u < 1000000000ULL) {
		frac(num, sizeof(num), u, 1000000, 6);
		snprintf(buf, len, "%s%sms", sign, num);
	} else {
		uint64_t h = u / 3600000000000ULL, m = u / 60000000000ULL % 60;
		frac(num, sizeof(num), u % 60000000000ULL, 1000000000ULL, 9);
		if (h)
			snprintf(buf, len, "%s%lluh%llum%ss", sign, (unsigned long long)h, (unsigned long long)m, num);
		else if (m)
			snprintf(buf, len, "%s%llum%ss", sign, (unsigned long long)m, num);
		else
			snprintf(buf, len, "%s%ss", sign, num);
	}
	return buf;
}

/* ---- flags and configuration ---- */

static const char *flag_name(int opt)
{
	switch (opt) {
	case BOX_HEALTH_OPT_INTERVAL: return "--health-interval";
	case BOX_HEALTH_OPT_TIMEOUT: return "--health-timeout";
	case BOX_HEALTH_OPT_RETRIES: return "--health-retries";
	case BOX_HEALTH_OPT_START_PERIOD: return "--health-start-period";
	default: return "--health-cmd";
	}
}

int box_health_flag(struct box_health_flags *f, int opt, const char *arg, struct err *e)
{
	int64_t *dst = opt == BOX_HEALTH_OPT_INTERVAL ? &f->interval
		       : opt == BOX_HEALTH_OPT_TIMEOUT ? &f->timeout
		       : opt == BOX_HEALTH_OPT_START_PERIOD ? &f->start_period
							: NULL;
	if (opt == BOX_HEALTH_OPT_NONE) {
		f->none = true;
		return 0;
	}
	if (opt == BOX_HEALTH_OPT_CMD) {
		f->cmd = arg;
		f->any = f->any || *arg;
		return 0;
	}
	if (opt == BOX_HEALTH_OPT_RETRIES) {
		char *end;
		errno = 0;
		f->retries = strtol(arg, &end, 10);
		if (!*arg || *end || errno || f->retries > INT_MAX || f->retries < INT_MIN)
			return err_setk(e, ERR_USAGE, "invalid argument \"%s\" for \"--health-retries\" flag: "
				       "strconv.ParseInt: parsing \"%s\": invalid syntax", arg, arg);
		f->any = f->any || f->retries;
		return 0;
	}
	if (dst) {
		int rc = box_go_duration_parse(arg, dst);
		if (rc == -2)
			return err_setk(e, ERR_USAGE, "invalid argument \"%s\" for \"%s\" flag: time: missing unit in "
				       "duration \"%s\"", arg, flag_name(opt), arg);
		if (rc < 0)
			return err_setk(e, ERR_USAGE, "invalid argument \"%s\" for \"%s\" flag: time: invalid "
				       "duration \"%s\"", arg, flag_name(opt), arg);
		f->any = f->any || *dst;
		return 0;
	}
	return err_setk(e, ERR_USAGE, "unknown health flag");
}

static int64_t ns_of(const json_t *hc, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(hc, key));
}

static void set_ns(json_t *hc, const char *key, int64_t v)
{
	if (v)
		json_object_set_new(hc, key, json_integer((json_int_t)v));
}

int box_health_config(const struct box_health_flags *f, const json_t *image_config, json_t *cfg, struct err *e)
{
	const json_t *img = json_object_get(json_object_get(image_config, "config"), "Healthcheck");
	const json_t *itest = json_object_get(img, "Test");
	json_t *hc, *test;
	int64_t interval = f->interval, timeout = f->timeout, start = f->start_period;
	long retries = f->retries;
	if (f->none) {
		if (f->any)
			return err_setk(e, ERR_USAGE, "--no-healthcheck conflicts with --health-* options");
		json_object_set_new(cfg, "Healthcheck", json_pack("{s:[s]}", "Test", "NONE"));
		return 0;
	}
	if (f->interval < 0)
		return err_setk(e, ERR_USAGE, "--health-interval cannot be negative");
	if (f->timeout < 0)
		return err_setk(e, ERR_USAGE, "--health-timeout cannot be negative");
	if (f->retries < 0)
		return err_setk(e, ERR_USAGE, "--health-retries cannot be negative");
	if (f->start_period < 0)
		return err_setk(e, ERR_USAGE, "--health-start-period cannot be negative");
	if ((interval && interval < MIN_DURATION_NS) || (timeout && timeout < MIN_DURATION_NS) ||
	    (start && start < MIN_DURATION_NS))
		return err_setk(e, ERR_USAGE, "%s in Healthcheck cannot be less than 1ms",
				interval && interval < MIN_DURATION_NS  ? "Interval"
				: timeout && timeout < MIN_DURATION_NS ? "Timeout"
								       : "StartPeriod");
	if (!f->any && !json_is_object(img))
		return 0;
	if (f->cmd && *f->cmd)
		test = json_pack("[s, s]", "CMD-SHELL", f->cmd);
	else if (json_is_array(itest))
		test = json_deep_copy(itest);
	else
		test = json_array();
	if (json_is_object(img)) {
		if (!interval)
			interval = ns_of(img, "Interval");
		if (!timeout)
			timeout = ns_of(img, "Timeout");
		if (!start)
			start = ns_of(img, "StartPeriod");
		if (!retries)
			retries = (long)json_integer_value(json_object_get(img, "Retries"));
	}
	hc = json_object();
	json_object_set_new(hc, "Test", test);
	set_ns(hc, "Interval", interval);
	set_ns(hc, "Timeout", timeout);
	set_ns(hc, "StartPeriod", start);
	if (retries)
		json_object_set_new(hc, "Retries", json_integer(retries));
	json_object_set_new(cfg, "Healthcheck", hc);
	return 0;
}

int box_health_probe_get(const json_t *cfg, struct box_health_probe *p)
{
	const json_t *hc = json_object_get(cfg, "Healthcheck"), *test = json_object_get(hc, "Test");
	const char *kind = json_string_value(json_array_get(test, 0));
	size_t i;
	json_t *v;
	memset(p, 0, sizeof(*p));
	if (!kind || json_array_size(test) < 2)
		return 0;
	if (!strcmp(kind, "CMD-SHELL")) {
		if (!json_is_string(json_array_get(test, 1)))
			return 0;
		strv_push(&p->argv, "/bin/sh");
		strv_push(&p->argv, "-c");
		strv_push(&p->argv, json_string_value(json_array_get(test, 1)));
	} else if (!strcmp(kind, "CMD")) {
		json_array_foreach(test, i, v) {
			if (i && json_is_string(v))
				strv_push(&p->argv, json_string_value(v));
		}
		if (!p->argv.n || !*p->argv.v[0]) {
			box_health_probe_release(p);
			return 0;
		}
	} else {
		return 0; /* NONE, or a type docker does not know either */
	}
	p->interval = ns_of(hc, "Interval") > 0 ? ns_of(hc, "Interval") : BOX_HEALTH_DEFAULT_NS;
	p->timeout = ns_of(hc, "Timeout") > 0 ? ns_of(hc, "Timeout") : BOX_HEALTH_DEFAULT_NS;
	p->start_period = ns_of(hc, "StartPeriod") > 0 ? ns_of(hc, "StartPeriod") : 0;
	p->retries = json_integer_value(json_object_get(hc, "Retries")) > 0
			     ? (int)json_integer_value(json_object_get(hc, "Retries"))
			     : BOX_HEALTH_DEFAULT_RETRIES;
	return 1;
}

void box_health_probe_release(struct box_health_probe *p)
{
	strv_release(&p->argv);
}

/* ---- state ---- */

void box_health_reset(struct box_health *h)
{
	box_health_release(h);
	snprintf(h->status, sizeof(h->status), "starting");
}

bool box_health_record(struct box_health *h, struct box_health_result *r, int retries, int64_t start_period,
		       int64_t started_ns)
{
	char before[sizeof(h->status)];
	memcpy(before, h->status, sizeof(before));
	if (h->nlog == BOX_HEALTH_LOG_MAX) {
		free(h->log[0].output);
		memmove(h->log, h->log + 1, (BOX_HEALTH_LOG_MAX - 1) * sizeof(h->log[0]));
		h->nlog--;
	}
	h->log[h->nlog++] = *r;
	r->output = NULL;
	if (h->log[h->nlog - 1].exit_code == 0) {
		h->failing_streak = 0;
		snprintf(h->status, sizeof(h->status), "healthy");
	} else {
		bool count = true;
		/* a box that never passed is not failing during its start period */
		if (!strcmp(h->status, "starting") && h->log[h->nlog - 1].start - started_ns < start_period)
			count = false;
		if (count && ++h->failing_streak >= retries)
			snprintf(h->status, sizeof(h->status), "unhealthy");
	}
	return strcmp(before, h->status) != 0;
}

static json_t *time_json(int64_t ns)
{
	char buf[64];
	return json_string(time_format_rfc3339nano(ns / 1000000000LL, (int32_t)(ns % 1000000000LL), buf, sizeof(buf)));
}

json_t *box_health_json(const struct box_health *h)
{
	json_t *log = json_array();
	for (int i = 0; i < h->nlog; i++)
		json_array_append_new(log, json_pack("{s:o, s:o, s:i, s:s}", "Start", time_json(h->log[i].start), "End",
						     time_json(h->log[i].end), "ExitCode", h->log[i].exit_code,
						     "Output", h->log[i].output ? h->log[i].output : ""));
	return json_pack("{s:s, s:i, s:o}", "Status", h->status, "FailingStreak", h->failing_streak, "Log", log);
}

static int64_t time_of(const json_t *v)
{
	int64_t sec;
	int32_t nsec;
	if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), &sec, &nsec) < 0)
		return 0;
	return sec * 1000000000LL + nsec;
}

int box_health_from_json(const json_t *j, struct box_health *h)
{
	const char *status = json_string_value(json_object_get(j, "Status"));
	const json_t *log = json_object_get(j, "Log"), *v;
	size_t i;
	memset(h, 0, sizeof(*h));
	if (!status || strlen(status) >= sizeof(h->status))
		return -1;
	snprintf(h->status, sizeof(h->status), "%s", status);
	h->failing_streak = (int)json_integer_value(json_object_get(j, "FailingStreak"));
	json_array_foreach(log, i, v) {
		const char *out = json_string_value(json_object_get(v, "Output"));
		if (h->nlog == BOX_HEALTH_LOG_MAX)
			break;
		h->log[h->nlog].start = time_of(json_object_get(v, "Start"));
		h->log[h->nlog].end = time_of(json_object_get(v, "End"));
		h->log[h->nlog].exit_code = (int)json_integer_value(json_object_get(v, "ExitCode"));
		h->log[h->nlog++].output = xstrdup(out ? out : "");
	}
	return 0;
}

void box_health_release(struct box_health *h)
{
	for (int i = 0; i < h->nlog; i++)
		free(h->log[i].output);
	memset(h, 0, sizeof(*h));
}
