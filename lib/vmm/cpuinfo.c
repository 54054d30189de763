#include "vmm/cpuinfo.h"

#include <stdio.h>
#include <string.h>

bool cpuinfo_has_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[8192];
	bool found = false;
	size_t n = strlen(flag);
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p;
		if (strncmp(line, "flags", 5))
			continue;
		for (p = strstr(line, flag); p; p = strstr(p + 1, flag)) {
			if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
				found = true;
				break;
			}
		}
		break;
	}
	fclose(f);
	return found;
}
