#include "bbuf.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void bbuf_append(struct bbuf *b, const void *data, size_t n)
{
	if (b->off + b->len + n > b->cap) {
		/* reuse the consumed front before growing */
		if (b->off) {
			memmove(b->p, b->p + b->off, b->len);
			b->off = 0;
		}
		if (b->len + n > b->cap) {
			size_t cap = b->cap ? b->cap : 4096;

			while (cap < b->len + n)
				cap *= 2;
			b->p = xrealloc(b->p, cap);
			b->cap = cap;
		}
	}
	memcpy(b->p + b->off + b->len, data, n);
	b->len += n;
}

void bbuf_consume(struct bbuf *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (!b->len)
		b->off = 0;
}

void bbuf_release(struct bbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}
