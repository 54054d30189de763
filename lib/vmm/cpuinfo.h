/* The host CPU's flags, from /proc/cpuinfo. */
#ifndef A3S_VMM_CPUINFO_H
#define A3S_VMM_CPUINFO_H

#include <stdbool.h>

/* Does the first "flags" line of /proc/cpuinfo list flag? (read once) */
bool cpuinfo_has_flag(const char *flag);

#endif
