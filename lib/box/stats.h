/* Resource use of a running box, as `stats` shows it. */
#ifndef A3S_BOX_STATS_H
#define A3S_BOX_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct box_stats {
	double cpu_perc; /* of one host CPU, like docker's */
	uint64_t mem_used, mem_limit; /* the guest's view */
	uint64_t net_rx, net_tx; /* guest interfaces but lo */
	uint64_t blk_read, blk_write; /* the engine's storage I/O on the host */
	long pids; /* processes in the guest besides its init; -1 unknown */
	bool have_guest; /* the guest answered */
};

/* Parse the guest's A3S_FRAME_STATS text into s (have_guest set). */
void box_stats_parse_guest(const char *text, struct box_stats *s);
/* The engine process's CPU time in seconds and its I/O bytes. */
int box_stats_engine(pid_t pid, double *cpu_s, uint64_t *rd, uint64_t *wr);
/* docker's stats row (fields Container, ID, Name, CPUPerc, MemUsage,
 * MemPerc, NetIO, BlockIO, PIDs), values formatted as docker prints them. */
json_t *box_stats_row(const char *id, const char *name, const struct box_stats *s);

#endif
