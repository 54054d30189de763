/* go-units formatting and RFC 3339 times (lib/util/humanize.c, timefmt.c). */
#include "unit.h"
#include "util/humanize.h"
#include "util/timefmt.h"

#define CHECK_SIZE(v, p, want)                          \
	do {                                            \
		char hb_[32];                            \
		CHECK_STR(human_size(v, p, hb_, sizeof(hb_)), want); \
	} while (0)
#define CHECK_DUR(v, want)                              \
	do {                                            \
		char hb_[32];                            \
		CHECK_STR(human_duration(v, hb_, sizeof(hb_)), want); \
	} while (0)

TEST(sizes)
{
	CHECK_SIZE(0, 3, "0B");
	CHECK_SIZE(999, 3, "999B");
	CHECK_SIZE(1000, 3, "1kB");
	CHECK_SIZE(4261564, 3, "4.26MB");
	CHECK_SIZE(4261564, 4, "4.262MB");
	CHECK_SIZE(1.2e9, 3, "1.2GB");
	CHECK_SIZE(2140160, 3, "2.14MB");
	CHECK_SIZE(999999, 3, "1e+03kB"); /* go-units prints this too */
}

TEST(durations)
{
	CHECK_DUR(0, "Less than a second");
	CHECK_DUR(1, "1 second");
	CHECK_DUR(59, "59 seconds");
	CHECK_DUR(60, "About a minute");
	CHECK_DUR(119, "About a minute");
	CHECK_DUR(120, "2 minutes");
	CHECK_DUR(3599, "59 minutes");
	CHECK_DUR(3600, "About an hour");
	CHECK_DUR(5399, "About an hour");
	CHECK_DUR(5400, "2 hours");
	CHECK_DUR(47 * 3600, "47 hours");
	CHECK_DUR(48 * 3600, "2 days");
	CHECK_DUR(14 * 86400, "2 weeks");
	CHECK_DUR(60 * 86400, "2 months");
	CHECK_DUR(2 * 365 * 86400, "2 years");
}

TEST(rfc3339)
{
	int64_t s;
	int32_t ns;
	char b[64];
	CHECK(time_parse_rfc3339("2024-01-01T00:00:00Z", &s, &ns) == 0 && s == 1704067200 && ns == 0);
	CHECK(time_parse_rfc3339("2024-01-01T02:00:00.5+02:00", &s, &ns) == 0 && s == 1704067200 && ns == 500000000);
	CHECK(time_parse_rfc3339("2023-05-19T20:26:50.123456789123Z", &s, &ns) == 0 && ns == 123456789);
	CHECK(time_parse_rfc3339("2024-01-01", &s, &ns) < 0);
	CHECK(time_parse_rfc3339("2024-13-01T00:00:00Z", &s, &ns) < 0);
	CHECK(time_parse_rfc3339("2024-01-01T00:00:00", &s, &ns) < 0);
	CHECK(time_parse_rfc3339("2024-01-01T00:00:00Zjunk", &s, &ns) < 0);
	CHECK_STR(time_format_rfc3339nano(1704067200, 0, b, sizeof(b)), "2024-01-01T00:00:00Z");
	CHECK_STR(time_format_rfc3339nano(1704067200, 120000000, b, sizeof(b)), "2024-01-01T00:00:00.12Z");
}

int main(void)
{
	RUN(sizes);
	RUN(durations);
	RUN(rfc3339);
	return unit_done();
}
