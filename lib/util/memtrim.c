#include "util/memtrim.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

void mem_trim_idle(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	malloc_trim(0);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		int path = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &path) < 3 || !path)
			continue;
		/* file-backed, not writable: code and read-only data */
		if (line[path] != '/' || perms[1] == 'w')
			continue;
		madvise((void *)lo, hi - lo, MADV_PAGEOUT);
	}
	fclose(f);
}
