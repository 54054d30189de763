/* The guest's resource use, for the host's `stats` (A3S_FRAME_STATS). */
#ifndef A3S_INIT_STATS_H
#define A3S_INIT_STATS_H

#include <stddef.h>

/* Write "key value\n" lines (mem_used, mem_total, pids, net_rx, net_tx)
 * into buf; returns the length. Missing sources give 0. */
size_t stats_collect(char *buf, size_t len);

#endif
