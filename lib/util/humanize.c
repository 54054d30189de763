#include "util/humanize.h"

#include <stdio.h>

char *human_size(double size, int precision, char *buf, size_t len)
{
	static const char *const abbrs[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	size_t i = 0;
	while (size >= 1000.0 && i + 1 < sizeof(abbrs) / sizeof(abbrs[0])) {
		size /= 1000.0;
		i++;
	}
	snprintf(buf, len, "%.*g%s", precision, size, abbrs[i]);
	return buf;
}

char *human_bytes(double size, char *buf, size_t len)
{
	static const char *const abbrs[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
	size_t i = 0;
	while (size >= 1024.0 && i + 1 < sizeof(abbrs) / sizeof(abbrs[0])) {
		size /= 1024.0;
		i++;
	}
	snprintf(buf, len, "%.4g%s", size, abbrs[i]);
	return buf;
}

char *human_duration(int64_t seconds, char *buf, size_t len)
{
	int64_t minutes = seconds / 60;
	/* go-units rounds to the nearest hour before comparing */
	int64_t hours = (seconds + 1800) / 3600;

	if (seconds < 1)
		snprintf(buf, len, "Less than a second");
	else if (seconds == 1)
		snprintf(buf, len, "1 second");
	else if (seconds < 60)
		snprintf(buf, len, "%lld seconds", (long long)seconds);
	else if (minutes == 1)
		snprintf(buf, len, "About a minute");
	else if (minutes < 60)
		snprintf(buf, len, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		snprintf(buf, len, "About an hour");
	else if (hours < 48)
		snprintf(buf, len, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		snprintf(buf, len, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		snprintf(buf, len, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		snprintf(buf, len, "%lld months", (long long)(hours / 24 / 30));
	else
		snprintf(buf, len, "%lld years", (long long)(seconds / 3600 / 24 / 365));
	return buf;
}
