#include "ctl.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "dev.h"
#include "log.h"

int ctl_open(struct ctl *c, int timeout_ms, struct ierr *e)
{
	uint32_t ver = a3s_le32(A3S_PROTO_VERSION);

	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	fd = dev_open_port(A3S_PROTO_PORT_NAME, timeout_ms);
	if (fd < 0)
		return ierr_set(e, "control port '%s' not found within %d ms", A3S_PROTO_PORT_NAME,
				timeout_ms);
	ctl_init_fd(c, fd);
	/*
	 * A virtio-serial write blocks until the host side is connected,
	 * and reads return 0 while it is not: saying HELLO first also makes
	 * sure later reads do not mistake "not yet connected" for EOF.
	 */
	if (frame_write(c->fd, A3S_FRAME_HELLO, &ver, sizeof(ver)) < 0) {
		ierr_sys(e, errno, "sending HELLO");
		frame_reader_release(&c->rd);
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	log_dbg("HELLO sent");
	return 0;
}

void ctl_stdin(struct ctl *c, const struct frame *f)
{
	if (c->in_eof)
		return;
	if (!f->len)
		c->in_eof = 1;
	else
		bbuf_append(&c->in, f->payload, f->len);
}

/*
 * Wait for one frame of type want, up to deadline (now_ms() clock).
 * STDIN frames are queued on the way; anything else is dropped. Returns 1
 * with *f set, 0 on timeout, -1 on a broken stream.
 */
static int wait_frame(struct ctl *c, uint8_t want, uint64_t deadline, struct frame *f)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		uint64_t now;
		int r;

		while ((r = frame_reader_next(&c->rd, f)) > 0) {
			if (f->type == want || (!want && f->type != A3S_FRAME_STDIN))
				return 1;
			if (f->type == A3S_FRAME_STDIN)
				ctl_stdin(c, f);
		}
		if (r < 0)
			return -1;
		now = now_ms();
		if (now >= deadline)
			return 0;
		r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0 && frame_reader_fill(&c->rd) <= 0)
			return -1;
	}
}

void ctl_init_fd(struct ctl *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	frame_reader_init(&c->rd, fd);
}

char *ctl_wait_payload(struct ctl *c, uint8_t type, int timeout_ms, size_t *len)
{
	struct frame f;
	char *p;
	int r = wait_frame(c, type, now_ms() + (uint64_t)timeout_ms, &f);

	if (r <= 0) {
		log_err(r ? "stream broke before frame type %u" : "no frame of type %u within %d ms",
			type, timeout_ms);
		return NULL;
	}
	p = xmalloc(f.len + 1);
	memcpy(p, f.payload, f.len);
	p[f.len] = '\0';
	*len = f.len;
	return p;
}

char *ctl_wait_request(struct ctl *c, int timeout_ms, uint8_t *type, size_t *len)
{
	struct frame f;
	char *p;

	if (wait_frame(c, 0, now_ms() + (uint64_t)timeout_ms, &f) <= 0)
		return NULL;
	p = xmalloc(f.len + 1);
	memcpy(p, f.payload, f.len);
	p[f.len] = '\0';
	*type = f.type;
	*len = f.len;
	return p;
}

void ctl_exit(struct ctl *c, uint32_t code, const char *msg, int timeout_ms)
{
	struct frame f;

	log_dbg("exit code %u%s%s", code, msg ? ": " : "", msg ? msg : "");
	if (frame_write_exit(c->fd, code, msg) < 0) {
		log_err("sending EXIT: %m");
		return;
	}
	switch (wait_frame(c, A3S_FRAME_ACK, now_ms() + (uint64_t)timeout_ms, &f)) {
	case 0:
		log_err("no ACK for EXIT within %d ms", timeout_ms);
		break;
	case -1:
		log_dbg("control stream closed instead of ACK");
		break;
	}
}
