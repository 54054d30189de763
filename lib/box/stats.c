#include "box/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/humanize.h"
#include "util/xalloc.h"

void box_stats_parse_guest(const char *text, struct box_stats *s)
{
	const char *p = text;
	while (*p) {
		char key[32];
		unsigned long long v;
		if (sscanf(p, "%31s %llu", key, &v) == 2) {
			if (!strcmp(key, "mem_used"))
				s->mem_used = v;
			else if (!strcmp(key, "mem_total") && !s->mem_limit)
				s->mem_limit = v;
			else if (!strcmp(key, "pids"))
				s->pids = (long)v;
			else if (!strcmp(key, "net_rx"))
				s->net_rx = v;
			else if (!strcmp(key, "net_tx"))
				s->net_tx = v;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	s->have_guest = true;
}

int box_stats_engine(pid_t pid, double *cpu_s, uint64_t *rd, uint64_t *wr)
{
	char path[64], buf[4096], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	*cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	*rd = *wr = 0;
	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if ((f = fopen(path, "re"))) {
		unsigned long long v;
		while (fgets(buf, sizeof(buf), f)) {
			if (sscanf(buf, "read_bytes: %llu", &v) == 1)
				*rd = v;
			else if (sscanf(buf, "write_bytes: %llu", &v) == 1)
				*wr = v;
		}
		fclose(f);
	}
	return 0;
}

json_t *box_stats_row(const char *id, const char *name, const struct box_stats *s)
{
	char cpu[32], mu[64], mp[32], net[64], blk[64], pids[32], a[24], b[24], sid[13];
	snprintf(cpu, sizeof(cpu), "%.2f%%", s->cpu_perc);
	snprintf(sid, sizeof(sid), "%.12s", id);
	if (s->have_guest) {
		snprintf(mu, sizeof(mu), "%s / %s", human_bytes((double)s->mem_used, a, sizeof(a)),
			 human_bytes((double)s->mem_limit, b, sizeof(b)));
		snprintf(mp, sizeof(mp), "%.2f%%", s->mem_limit ? 100.0 * (double)s->mem_used / (double)s->mem_limit : 0);
		snprintf(net, sizeof(net), "%s / %s", human_size((double)s->net_rx, 3, a, sizeof(a)),
			 human_size((double)s->net_tx, 3, b, sizeof(b)));
		snprintf(pids, sizeof(pids), "%ld", s->pids);
	} else {
		snprintf(mu, sizeof(mu), "-- / --");
		snprintf(mp, sizeof(mp), "--");
		snprintf(net, sizeof(net), "--");
		snprintf(pids, sizeof(pids), "--");
	}
	snprintf(blk, sizeof(blk), "%s / %s", human_size((double)s->blk_read, 3, a, sizeof(a)),
		 human_size((double)s->blk_write, 3, b, sizeof(b)));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Container", sid, "ID", id, "Name", name,
			 "CPUPerc", cpu, "MemUsage", mu, "MemPerc", mp, "NetIO", net, "BlockIO", blk, "PIDs", pids);
}
