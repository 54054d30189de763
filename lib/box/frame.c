#include "box/frame.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <unistd.h>

#include "util/xalloc.h"

int frame_type_from_guest(uint8_t type)
{
	return type == A3S_FRAME_HELLO || type == A3S_FRAME_STDOUT || type == A3S_FRAME_STDERR ||
	       type == A3S_FRAME_EXIT || type == A3S_FRAME_STATS || type == A3S_FRAME_STARTED ||
	       type == A3S_FRAME_ATTEST || type == A3S_FRAME_STAT;
}

void frame_hdr_encode(uint8_t type, uint32_t len, uint8_t out[sizeof(struct a3s_frame_hdr)])
{
	struct a3s_frame_hdr h = {.type = type, .version = A3S_PROTO_VERSION, .reserved = 0, .len = a3s_le32(len)};
	memcpy(out, &h, sizeof(h));
}

static bool allowed(const struct frame_reader *r, uint8_t type)
{
	if (!r->allow)
		return frame_type_from_guest(type);
	return type < 32 && (r->allow & FRAME_BIT(type));
}

int frame_reader_feed(struct frame_reader *r, const uint8_t *data, size_t n, frame_fn fn, void *arg,
		      struct err *e)
{
	const char *peer = r->peer ? r->peer : "guest";
	while (n) {
		if (r->hdr_have < sizeof(r->hdr)) {
			size_t take = sizeof(r->hdr) - r->hdr_have;
			struct a3s_frame_hdr h;
			if (take > n)
				take = n;
			memcpy(r->hdr + r->hdr_have, data, take);
			r->hdr_have += take;
			data += take;
			n -= take;
			if (r->hdr_have < sizeof(r->hdr))
				return 0;
			memcpy(&h, r->hdr, sizeof(h));
			if (h.version != A3S_PROTO_VERSION)
				return err_set(e, "%s sent a frame of protocol version %u, expected %u", peer,
					       h.version, A3S_PROTO_VERSION);
			if (h.reserved || !allowed(r, h.type))
				return err_set(e, "%s sent a malformed frame (type %u)", peer, h.type);
			r->type = h.type;
			r->len = a3s_le32(h.len);
			r->have = 0;
			if (r->len > A3S_FRAME_MAX)
				return err_set(e, "%s sent an oversized frame (%u bytes, limit %u)", peer, r->len,
					       A3S_FRAME_MAX);
			if (r->len && !r->payload)
				r->payload = xmalloc(A3S_FRAME_MAX);
		}
		if (r->have < r->len) {
			size_t take = r->len - r->have;
			if (take > n)
				take = n;
			memcpy(r->payload + r->have, data, take);
			r->have += (uint32_t)take;
			data += take;
			n -= take;
			if (r->have < r->len)
				return 0;
		}
		r->hdr_have = 0;
		{
			int rc = fn(arg, r->type, r->payload, r->len);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

void frame_reader_release(struct frame_reader *r)
{
	uint32_t allow = r->allow;
	const char *peer = r->peer;
	free(r->payload);
	memset(r, 0, sizeof(*r));
	r->allow = allow;
	r->peer = peer;
}

void frame_queue_push(struct frame_queue *q, uint8_t type, const void *payload, uint32_t len)
{
	size_t need = q->len + sizeof(struct a3s_frame_hdr) + len;
	if (need > q->cap) {
		q->cap = need * 2;
		q->p = xrealloc(q->p, q->cap);
	}
	frame_hdr_encode(type, len, (uint8_t *)q->p + q->len);
	q->len += sizeof(struct a3s_frame_hdr);
	if (len)
		memcpy(q->p + q->len, payload, len);
	q->len += len;
}

int frame_queue_flush(struct frame_queue *q, int fd)
{
	while (q->len) {
		ssize_t w = write(fd, q->p, q->len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return 0;
		if (w <= 0) {
			q->len = 0;
			return -1;
		}
		memmove(q->p, q->p + w, q->len - (size_t)w);
		q->len -= (size_t)w;
	}
	return 0;
}

void frame_queue_release(struct frame_queue *q)
{
	free(q->p);
	memset(q, 0, sizeof(*q));
}

void frame_record_add(char **buf, size_t *len, size_t *cap, const char *key, const char *value)
{
	size_t kl = strlen(key) + 1, vl = strlen(value) + 1;
	while (*len + kl + vl > *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, key, kl);
	memcpy(*buf + *len + kl, value, vl);
	*len += kl + vl;
}
