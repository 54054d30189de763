#include "stats.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

static unsigned long long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long v = 0;
	size_t n = strlen(key);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			sscanf(line + n + 1, "%llu", &v);
			break;
		}
	fclose(f);
	return v * 1024;
}

/* A user process: kernel threads have an empty command line. */
static int is_user_process(const char *pid)
{
	char path[300], c;
	FILE *f;
	size_t n;
	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(&c, 1, 1, f);
	fclose(f);
	return n == 1;
}

/* The box's processes: user processes but PID 1 (the init). */
static unsigned long long count_pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned long long n = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]) && strcmp(de->d_name, "1") && is_user_process(de->d_name))
			n++;
	closedir(d);
	return n;
}

static void net_bytes(unsigned long long *rx, unsigned long long *tx)
{
	FILE *f = fopen("/proc/net/dev", "re");
	char line[512];
	*rx = *tx = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long r, t, skip;
		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (!strcmp(name, "lo"))
			continue;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &r, &skip, &skip, &skip, &skip,
			   &skip, &skip, &skip, &t) == 9) {
			*rx += r;
			*tx += t;
		}
	}
	fclose(f);
}

size_t stats_collect(char *buf, size_t len)
{
	unsigned long long total = meminfo("MemTotal"), avail = meminfo("MemAvailable"), rx, tx;
	int n;
	net_bytes(&rx, &tx);
	n = snprintf(buf, len, "mem_used %llu\nmem_total %llu\npids %llu\nnet_rx %llu\nnet_tx %llu\n",
		     total > avail ? total - avail : 0, total, count_pids(), rx, tx);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}
