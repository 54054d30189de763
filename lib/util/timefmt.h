/* Timestamps in the formats docker and the OCI specs use. */
#ifndef A3S_UTIL_TIMEFMT_H
#define A3S_UTIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Parse RFC 3339 ("2024-01-02T03:04:05.123456789Z", "...+02:00").
 * Returns 0 and the UTC seconds/nanoseconds, or -1 when malformed. */
int time_parse_rfc3339(const char *s, int64_t *sec, int32_t *nsec);
/* Go's RFC3339Nano in UTC ("2024-01-02T03:04:05.123Z", trailing zeros of
 * the fraction dropped). Writes into buf and returns it. */
char *time_format_rfc3339nano(int64_t sec, int32_t nsec, char *buf, size_t len);
/* Go's time.Time.String() in local time, second precision:
 * "2024-01-02 03:04:05 +0000 UTC". */
char *time_format_go(int64_t sec, char *buf, size_t len);
/* Docker's --since/--until values: RFC 3339, unix seconds with an optional
 * fraction ("1700000000.5"), or a duration before now_ns ("10s", "5m",
 * "2h", fractions allowed). Returns 0 and unix nanoseconds, or -1. */
int time_parse_user(const char *s, int64_t now_ns, int64_t *out_ns);
/* Docker's RFC3339NanoFixed in local time, nine fraction digits and "Z" for
 * UTC ("2024-01-02T03:04:05.000000100Z", "...+02:00"). */
char *time_format_rfc3339nano_fixed(int64_t ns, char *buf, size_t len);

#endif
