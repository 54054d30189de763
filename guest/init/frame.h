/*
 * Frames on the control stream (include/a3s/proto.h): parsing, buffered
 * reading and writing.
 */
#ifndef A3S_GUEST_FRAME_H
#define A3S_GUEST_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct frame {
	uint8_t type;
	uint32_t len;
	const uint8_t *payload; /* borrowed; see frame_reader_next() */
};

/*
 * Parse one frame at the start of buf. Pure, safe on any bytes. Returns the
 * number of bytes the frame occupies (header + payload), 0 if buf does not
 * yet hold a whole frame, or -1 if the stream is broken (version mismatch,
 * non-zero reserved bytes, unknown type, payload over A3S_FRAME_MAX).
 */
ssize_t frame_parse(const void *buf, size_t len, struct frame *out);

/* Accumulates bytes from a stream fd and hands out whole frames. */
struct frame_reader {
	int fd;
	uint8_t *buf;
	size_t start, end, cap;
};

void frame_reader_init(struct frame_reader *r, int fd);
void frame_reader_release(struct frame_reader *r);

/*
 * One read() from the fd into the buffer; call it when poll() says the fd
 * is readable (it blocks otherwise). Returns the number of bytes read, 0 on
 * end of stream, -1 on error.
 */
ssize_t frame_reader_fill(struct frame_reader *r);

/*
 * Take the next whole frame out of the buffer, without reading. Returns 1
 * and fills *f (its payload stays valid until the next call on r), 0 if no
 * whole frame is buffered, -1 if the stream is broken, which includes a
 * frame type only the guest may send.
 */
int frame_reader_next(struct frame_reader *r, struct frame *f);

/*
 * Write one frame (blocking). The host must keep reading the stream while
 * it writes to it, or both sides can block. Returns 0 or -1 with errno.
 */
int frame_write(int fd, uint8_t type, const void *payload, size_t len);

/* EXIT frame: u32 LE code followed by an optional message (may be NULL). */
int frame_write_exit(int fd, uint32_t code, const char *msg);

#endif
