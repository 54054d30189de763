#include "box/frame.h"
#include "unit.h"

struct seen {
	int n;
	uint8_t types[8];
	uint32_t lens[8];
};

static int collect(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	struct seen *s = arg;
	(void)p;
	if (s->n < 8) {
		s->types[s->n] = type;
		s->lens[s->n] = len;
	}
	s->n++;
	return 0;
}

static size_t put(uint8_t *buf, uint8_t type, const char *payload, uint32_t len)
{
	frame_hdr_encode(type, len, buf);
	memcpy(buf + 8, payload, len);
	return 8 + len;
}

TEST(frames_split_anywhere)
{
	uint8_t buf[256];
	size_t n = 0;
	n += put(buf + n, A3S_FRAME_HELLO, "\1\0\0\0", 4);
	n += put(buf + n, A3S_FRAME_STDOUT, "hello", 5);
	n += put(buf + n, A3S_FRAME_STDERR, "", 0);
	n += put(buf + n, A3S_FRAME_EXIT, "\52\0\0\0", 4);
	/* feed one byte at a time: frames must come out whole and in order */
	struct frame_reader r = {0};
	struct seen s = {0};
	struct err e = ERR_INIT;
	for (size_t i = 0; i < n; i++)
		CHECK(frame_reader_feed(&r, buf + i, 1, collect, &s, &e) == 0);
	CHECK(s.n == 4);
	CHECK(s.types[1] == A3S_FRAME_STDOUT && s.lens[1] == 5);
	CHECK(s.types[2] == A3S_FRAME_STDERR && s.lens[2] == 0);
	CHECK(s.types[3] == A3S_FRAME_EXIT && s.lens[3] == 4);
	frame_reader_release(&r);
}

TEST(bad_frames_rejected)
{
	uint8_t buf[16];
	struct frame_reader r = {0};
	struct seen s = {0};
	struct err e = ERR_INIT;
	/* oversized */
	frame_hdr_encode(A3S_FRAME_STDOUT, A3S_FRAME_MAX + 1, buf);
	CHECK(frame_reader_feed(&r, buf, 8, collect, &s, &e) < 0);
	CHECK(strstr(e.msg, "oversized") != NULL);
	frame_reader_release(&r);
	/* a host-only type from the guest */
	frame_hdr_encode(A3S_FRAME_CONFIG, 0, buf);
	CHECK(frame_reader_feed(&r, buf, 8, collect, &s, &e) < 0);
	frame_reader_release(&r);
	/* wrong version */
	frame_hdr_encode(A3S_FRAME_STDOUT, 0, buf);
	buf[1] = 9;
	CHECK(frame_reader_feed(&r, buf, 8, collect, &s, &e) < 0);
	CHECK(strstr(e.msg, "version") != NULL);
	frame_reader_release(&r);
	/* nonzero reserved bytes */
	frame_hdr_encode(A3S_FRAME_STDOUT, 0, buf);
	buf[2] = 1;
	CHECK(frame_reader_feed(&r, buf, 8, collect, &s, &e) < 0);
	frame_reader_release(&r);
	CHECK(s.n == 0);
}

int main(void)
{
	RUN(frames_split_anywhere);
	RUN(bad_frames_rejected);
	return unit_done();
}
