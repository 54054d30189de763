/*
 * Human-readable sizes and durations, as docker's go-units prints them
 * ("4.26MB", "About an hour"), so CLI output matches docker's byte for byte.
 */
#ifndef A3S_UTIL_HUMANIZE_H
#define A3S_UTIL_HUMANIZE_H

#include <stddef.h>
#include <stdint.h>

/* go-units HumanSizeWithPrecision: decimal units (kB, MB, GB, ...) with
 * `precision` significant digits. Writes into buf and returns it. */
char *human_size(double size, int precision, char *buf, size_t len);
/* go-units BytesSize: binary units (KiB, MiB, ...), 4 significant digits
 * ("1.953MiB"). Writes into buf and returns it. */
char *human_bytes(double size, char *buf, size_t len);
/* go-units HumanDuration of `seconds` ("Less than a second", "2 days", ...). */
char *human_duration(int64_t seconds, char *buf, size_t len);

#endif
