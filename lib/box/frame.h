/*
 * Host side of the control-stream framing (include/a3s/proto.h). The reader
 * is incremental and treats every byte as untrusted: a bad header ends the
 * stream with an error; it never allocates more than A3S_FRAME_MAX.
 */
#ifndef A3S_BOX_FRAME_H
#define A3S_BOX_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "a3s/proto.h"
#include "util/err.h"

struct frame_reader {
	uint8_t hdr[sizeof(struct a3s_frame_hdr)];
	size_t hdr_have;
	uint8_t type;
	uint32_t len, have;
	uint8_t *payload; /* A3S_FRAME_MAX bytes, allocated on first use */
	/* Types this peer may send, as FRAME_BIT()s; 0 = what a guest may send.
	 * The peer is named "guest" in errors unless peer is set. */
	uint32_t allow;
	const char *peer;
};

#define FRAME_BIT(type) (1u << (type))

/* Called for each complete frame; a non-zero return stops feeding (the
 * rest of the bytes are dropped) and is returned by frame_reader_feed. */
typedef int (*frame_fn)(void *arg, uint8_t type, const uint8_t *payload, uint32_t len);

/* Is this a type the guest may send? */
int frame_type_from_guest(uint8_t type);
/* Feed bytes; returns 0, the callback's non-zero value, or -1 with e set on
 * a malformed frame. */
int frame_reader_feed(struct frame_reader *r, const uint8_t *data, size_t n, frame_fn fn, void *arg,
		      struct err *e);
void frame_reader_release(struct frame_reader *r);
/* Encode a header for a frame of type/len. */
void frame_hdr_encode(uint8_t type, uint32_t len, uint8_t out[sizeof(struct a3s_frame_hdr)]);

/* Append one CONFIG/EXEC-style record "key\0value\0" to a growing buffer
 * (*buf of *len bytes, *cap allocated; all zero to start). */
void frame_record_add(char **buf, size_t *len, size_t *cap, const char *key, const char *value);

/* Frames waiting to be written to a non-blocking stream. */
struct frame_queue {
	char *p;
	size_t len, cap;
};

/* Append one frame (header and payload). */
void frame_queue_push(struct frame_queue *q, uint8_t type, const void *payload, uint32_t len);
/* Write as much as fd takes now; 0, or -1 when the peer is gone (the queue
 * is then emptied). */
int frame_queue_flush(struct frame_queue *q, int fd);
void frame_queue_release(struct frame_queue *q);

#endif
