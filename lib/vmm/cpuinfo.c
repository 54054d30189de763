#include "vmm/cpuinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* The first "flags" line, read once per process ("" when unreadable). */
static const char *flags_line(void)
{
	static char *line;
	FILE *f;
	char buf[8192];
	if (line)
		return line;
	line = xstrdup("");
	if (!(f = fopen("/proc/cpuinfo", "re")))
		return line;
	while (fgets(buf, sizeof(buf), f)) {
		if (!strncmp(buf, "flags", 5)) {
			free(line);
			line = xstrdup(buf);
			break;
		}
	}
	fclose(f);
	return line;
}

bool cpuinfo_has_flag(const char *flag)
{
	const char *line = flags_line();
	size_t n = strlen(flag);
	for (const char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
		if (p > line && p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}
