#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "util.h"

int log_debug_on;
static int kmsg_fd = -1;
static int kmsg_is_console; /* no "<level>" prefix then */

static int cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; (p = strstr(p, word)); p += n) {
		int starts = p == cmdline || p[-1] == ' ';
		int ends = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';

		if (starts && ends)
			return 1;
	}
	return 0;
}

void log_init(void)
{
	char cmdline[4096];

	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (kmsg_fd < 0) {
		kmsg_fd = open("/dev/console", O_WRONLY | O_CLOEXEC | O_NOCTTY);
		kmsg_is_console = 1;
	}
	if (read_attr("/proc/cmdline", cmdline, sizeof(cmdline)) > 0)
		log_debug_on = cmdline_has(cmdline, "a3s.debug=1");
	/*
	 * "quiet" hides everything above KERN_WARNING on the console; debug
	 * lines are written at KERN_NOTICE, so raise the console level for
	 * them rather than dressing them up as errors.
	 */
	if (log_debug_on) {
		int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);

		klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, 7);
		/* /dev/kmsg lets 10 lines through per 5 s by default */
		if (fd >= 0) {
			(void)!write(fd, "on\n", 3);
			close(fd);
		}
	}
}

void log_write(int is_err, const char *fmt, ...)
{
	char line[1024];
	uint64_t ms = now_ms();
	va_list ap;
	int n, skip;

	/* One write() is one kmsg record, so build the line first. */
	n = snprintf(line, sizeof(line), "<%d>a3s-init: [%llu.%03llu] ", is_err ? 3 : 5,
		     (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	skip = kmsg_fd < 0 || kmsg_is_console ? 3 : 0;
	(void)!write(kmsg_fd >= 0 ? kmsg_fd : 2, line + skip, (size_t)(n - skip));
}
