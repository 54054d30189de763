/* Small I/O and clock helpers. */
#ifndef A3S_UTIL_IO_H
#define A3S_UTIL_IO_H

#include <stddef.h>

/* Write all n bytes, retrying on EINTR and short writes. 0, or -1 with errno. */
int io_write_all(int fd, const void *p, size_t n);
/* CLOCK_REALTIME in nanoseconds (timestamps in the state database). */
long long io_wall_ns(void);
/* CLOCK_MONOTONIC in milliseconds. */
long long io_now_ms(void);

#endif
