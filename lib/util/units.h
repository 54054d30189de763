/* Docker's units for flags (pure; unit-tested). */
#ifndef A3S_UTIL_UNITS_H
#define A3S_UTIL_UNITS_H

#include <stdint.h>

#include "util/err.h"

/* "512m", "1g", "1.5GB", "1024" (bytes), "64k" -> bytes (binary units, as
 * docker's RAMInBytes). */
int units_parse_ram(const char *s, uint64_t *bytes, struct err *e);
/* "1", "1.5", "0.25" -> millicpus. */
int units_parse_cpus(const char *s, unsigned *milli, struct err *e);

#endif
