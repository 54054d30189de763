#include "util/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *set)
{
	if (!**p || !strchr(set, **p))
		return -1;
	(*p)++;
	return 0;
}

int time_parse_rfc3339(const char *s, int64_t *sec, int32_t *nsec)
{
	const char *p = s;
	struct tm tm = {0};
	int y, mo, d, h, mi, se, ns = 0, off = 0;

	if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) || expect(&p, "-") ||
	    digits(&p, 2, &d) || expect(&p, "Tt ") || digits(&p, 2, &h) || expect(&p, ":") ||
	    digits(&p, 2, &mi) || expect(&p, ":") || digits(&p, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	if (*p == '.') {
		int n = 0;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (n < 9) {
				ns = ns * 10 + (*p - '0');
				n++;
			}
			p++;
		}
		for (; n < 9; n++)
			ns *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ":") || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (*p)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*sec = (int64_t)timegm(&tm) - off;
	*nsec = ns;
	return 0;
}

char *time_format_rfc3339nano(int64_t sec, int32_t nsec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char frac[16] = "";
	gmtime_r(&t, &tm);
	if (nsec > 0) {
		size_t n;
		snprintf(frac, sizeof(frac), ".%09d", (int)nsec);
		n = strlen(frac);
		while (n > 1 && frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

char *time_format_go(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	localtime_r(&t, &tm);
	if (!strftime(buf, len, "%Y-%m-%d %H:%M:%S %z %Z", &tm) && len)
		buf[0] = '\0';
	return buf;
}

/* "123", "123.45" -> nanoseconds times unit (seconds per unit); -1 when
 * malformed. end receives where the number stopped. */
static int decimal_ns(const char *s, int64_t unit_s, const char **end, int64_t *out)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, scale = 1000000000LL;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > INT64_MAX / 10 / 1000000000LL / (unit_s ? unit_s : 1))
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	*end = p;
	*out = (whole * 1000000000LL + frac) * unit_s;
	return 0;
}

int time_parse_user(const char *s, int64_t now_ns, int64_t *out_ns)
{
	int64_t sec, v;
	int32_t nsec;
	const char *end;
	if (!s || !*s)
		return -1;
	if (time_parse_rfc3339(s, &sec, &nsec) == 0) {
		*out_ns = sec * 1000000000LL + nsec;
		return 0;
	}
	if (decimal_ns(s, 1, &end, &v) < 0)
		return -1;
	if (!*end) {
		*out_ns = v;
		return 0;
	}
	if (end[1])
		return -1;
	switch (*end) {
	case 's': break;
	case 'm':
		if (decimal_ns(s, 60, &end, &v) < 0)
			return -1;
		break;
	case 'h':
		if (decimal_ns(s, 3600, &end, &v) < 0)
			return -1;
		break;
	default: return -1;
	}
	*out_ns = now_ns - v;
	return 0;
}

char *time_format_rfc3339nano_fixed(int64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000LL);
	long frac = (long)(ns % 1000000000LL);
	struct tm tm;
	char zone[8] = "Z";
	if (frac < 0) {
		frac += 1000000000L;
		t--;
	}
	localtime_r(&t, &tm);
	if (tm.tm_gmtoff) {
		long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', off / 3600 % 100,
			 off / 60 % 60);
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
	return buf;
}
