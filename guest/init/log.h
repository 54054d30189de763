/*
 * Diagnostics of the init itself. They go to /dev/kmsg (so they land on the
 * serial console next to the kernel's messages), never into the workload's
 * STDOUT/STDERR frames. Errors are always written; debug lines only when the
 * kernel command line has a3s.debug=1.
 */
#ifndef A3S_GUEST_LOG_H
#define A3S_GUEST_LOG_H

extern int log_debug_on;

/* Open /dev/kmsg and read a3s.debug from /proc/cmdline; both must be mounted. */
void log_init(void);

void log_write(int is_err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_write(1, __VA_ARGS__)
/* Arguments are not evaluated unless debugging is on. */
#define log_dbg(...)                                 \
	do {                                         \
		if (log_debug_on)                    \
			log_write(0, __VA_ARGS__);   \
	} while (0)

#endif
