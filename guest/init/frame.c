#include "frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "util.h"

#define HDR_SIZE sizeof(struct a3s_frame_hdr)

ssize_t frame_parse(const void *buf, size_t len, struct frame *out)
{
	struct a3s_frame_hdr h;
	uint32_t plen;

	if (len < HDR_SIZE)
		return 0;
	memcpy(&h, buf, HDR_SIZE);
	plen = a3s_le32(h.len);
	if (h.version != A3S_PROTO_VERSION || h.reserved || h.type < A3S_FRAME_HELLO ||
	    h.type > A3S_FRAME_TYPE_MAX || plen > A3S_FRAME_MAX)
		return -1;
	if (len - HDR_SIZE < plen)
		return 0;
	out->type = h.type;
	out->len = plen;
	out->payload = (const uint8_t *)buf + HDR_SIZE;
	return (ssize_t)(HDR_SIZE + plen);
}

void frame_reader_init(struct frame_reader *r, int fd)
{
	r->fd = fd;
	r->cap = 64 * 1024;
	r->buf = xmalloc(r->cap);
	r->start = r->end = 0;
}

void frame_reader_release(struct frame_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

ssize_t frame_reader_fill(struct frame_reader *r)
{
	ssize_t n;

	/* Slide the unread bytes down so a whole frame always fits. */
	if (r->start) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		/* Only reached while one frame (<= header + FRAME_MAX) is incomplete. */
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		r->end += (size_t)n;
	return n;
}

/* What the host may send; anything else means the stream is broken. */
static int from_host(uint8_t type)
{
	return type == A3S_FRAME_CONFIG || type == A3S_FRAME_STDIN || type == A3S_FRAME_SIGNAL ||
	       type == A3S_FRAME_ACK || type == A3S_FRAME_STATS_REQ || type == A3S_FRAME_RESIZE ||
	       type == A3S_FRAME_EXEC || type == A3S_FRAME_ATTEST_REQ || type == A3S_FRAME_STAT_REQ ||
	       type == A3S_FRAME_ARCHIVE_GET || type == A3S_FRAME_ARCHIVE_PUT;
}

int frame_reader_next(struct frame_reader *r, struct frame *f)
{
	ssize_t n = frame_parse(r->buf + r->start, r->end - r->start, f);

	if (n <= 0)
		return (int)n;
	if (!from_host(f->type))
		return -1;
	r->start += (size_t)n;
	if (r->start == r->end)
		r->start = r->end = 0;
	return 1;
}

int frame_write(int fd, uint8_t type, const void *payload, size_t len)
{
	struct a3s_frame_hdr h = {
		.type = type,
		.version = A3S_PROTO_VERSION,
		.reserved = 0,
		.len = a3s_le32((uint32_t)len),
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	int i = 0;

	if (len > A3S_FRAME_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	/* writev, then finish any short write piecewise. */
	while (i < 2) {
		ssize_t n = writev(fd, iov + i, 2 - i);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (i < 2 && (size_t)n >= iov[i].iov_len) {
			n -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < 2) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return 0;
}

int frame_write_exit(int fd, uint32_t code, const char *msg)
{
	size_t mlen = msg ? strlen(msg) : 0;
	uint8_t *p = xmalloc(4 + mlen);
	uint32_t le = a3s_le32(code);
	int r;

	memcpy(p, &le, 4);
	if (mlen)
		memcpy(p + 4, msg, mlen);
	r = frame_write(fd, A3S_FRAME_EXIT, p, 4 + mlen);
	free(p);
	return r;
}
