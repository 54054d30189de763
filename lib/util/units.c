#include "util/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int units_parse_ram(const char *s, uint64_t *bytes, struct err *e)
{
	char *end;
	double v;
	uint64_t mult = 1;
	errno = 0;
	if (!s || !*s || !(isdigit((unsigned char)*s) || *s == '.'))
		goto bad;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		goto bad;
	if (*end) {
		switch (tolower((unsigned char)*end)) {
		case 'b': mult = 1; break;
		case 'k': mult = 1ULL << 10; break;
		case 'm': mult = 1ULL << 20; break;
		case 'g': mult = 1ULL << 30; break;
		case 't': mult = 1ULL << 40; break;
		case 'p': mult = 1ULL << 50; break;
		default: goto bad;
		}
		end++;
		/* optional "b" / "ib" suffix after the prefix: 512mb, 1GiB */
		if (mult > 1 && (!strcasecmp(end, "b") || !strcasecmp(end, "ib")))
			end += strlen(end);
		if (*end)
			goto bad;
	}
	if (v * (double)mult >= 18446744073709551615.0)
		goto bad;
	*bytes = (uint64_t)(v * (double)mult);
	return 0;
bad:
	return err_setk(e, ERR_USAGE, "invalid size: '%s'", s ? s : "");
}

int units_parse_cpus(const char *s, unsigned *milli, struct err *e)
{
	char *end;
	double v;
	errno = 0;
	if (!s || !*s)
		goto bad;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v) || v <= 0 || v > 1024)
		goto bad;
	*milli = (unsigned)llround(v * 1000.0);
	if (!*milli)
		goto bad;
	return 0;
bad:
	return err_setk(e, ERR_USAGE, "invalid argument \"%s\" for \"--cpus\" flag: must be a positive number", s ? s : "");
}
