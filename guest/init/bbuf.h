/*
 * A byte queue: append at the end, consume from the front. Holds workload
 * stdin that the host sent faster than the workload reads it.
 */
#ifndef A3S_GUEST_BBUF_H
#define A3S_GUEST_BBUF_H

#include <stddef.h>

struct bbuf {
	char *p;
	size_t off, len, cap; /* unread bytes are p[off .. off + len) */
};

#define BBUF_INIT { NULL, 0, 0, 0 }

void bbuf_append(struct bbuf *b, const void *data, size_t n);
/* Drop n bytes from the front (n <= b->len). */
void bbuf_consume(struct bbuf *b, size_t n);
static inline const char *bbuf_data(const struct bbuf *b)
{
	return b->p + b->off;
}
void bbuf_release(struct bbuf *b);

#endif
