/*
 * Small helpers for the guest init. The init is PID 1: if it dies the kernel
 * panics (and with panic=-1 the VM ends), so allocation failure aborts
 * rather than leaving half-handled state behind.
 */
#ifndef A3S_GUEST_UTIL_H
#define A3S_GUEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The error contract inside the init: a fallible function returns -1 and
 * fills a caller-provided struct ierr with a one-line message (what is wrong
 * first, objects in quotes). main() turns it into an EXIT frame.
 */
struct ierr {
	char msg[512];
};

/* Set the message. Always returns -1. */
int ierr_set(struct ierr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ierr_set followed by ": strerror(errnum)". Always returns -1. */
int ierr_sys(struct ierr *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* asprintf that aborts on failure. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write all of buf, retrying on EINTR and short writes. Returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Read a whole (small) file into a NUL-terminated malloc'd buffer of at most
 * max bytes (a longer file is an error: EFBIG). Returns NULL with errno set.
 * *len, if given, receives the length without the NUL.
 */
char *read_file(const char *path, size_t max, size_t *len);

/* Read the first line of a sysfs-style attribute into buf, without the
 * trailing newline. Returns the length or -1. */
ssize_t read_attr(const char *path, char *buf, size_t size);

/*
 * Replace path atomically with the given contents (write a temporary file
 * next to it, then rename). Replacing rather than truncating also replaces a
 * symlink that an image may have put there instead of following it.
 */
int write_file(const char *path, const char *data, size_t len, mode_t mode);

/* mkdir -p; existing directories are fine. Returns 0 or -1 with errno. */
int mkdir_p(const char *path, mode_t mode);

/* Milliseconds on CLOCK_MONOTONIC (time since the guest booted). */
uint64_t now_ms(void);

#endif
