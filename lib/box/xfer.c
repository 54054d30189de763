#include "box/xfer.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/exec.h"
#include "util/xalloc.h"
#include "vsock/vsock.h"

#define PUT_CHUNK (256 * 1024)

void xfer_stat_release(struct xfer_stat *st)
{
	free(st->name);
	free(st->link);
	memset(st, 0, sizeof(*st));
}

/* Write all of p, waiting at most XFER_IDLE_MS for room each time. */
static int send_all(int fd, const void *p, size_t n, struct err *e)
{
	while (n) {
		struct pollfd pf = {fd, POLLOUT, 0};
		ssize_t w;
		int r = poll(&pf, 1, XFER_IDLE_MS);

		if (r == 0)
			return err_set(e, "the box stopped reading for %d s", XFER_IDLE_MS / 1000);
		if (r < 0 && errno != EINTR)
			return err_sys(e, errno, "waiting for the box");
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0)
			return err_sys(e, errno, "sending to the box");
		p = (const uint8_t *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_frame(int fd, uint8_t type, const void *p, size_t n, struct err *e)
{
	uint8_t h[sizeof(struct a3s_frame_hdr)];

	frame_hdr_encode(type, (uint32_t)n, h);
	if (send_all(fd, h, sizeof(h), e) < 0)
		return -1;
	return n ? send_all(fd, p, n, e) : 0;
}

/* A request: records key\0value\0... (NULL-terminated key/value list). */
static int send_request(int fd, uint8_t type, const char *const *kv, struct err *e)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;
	int rc;

	for (size_t i = 0; kv[i]; i += 2)
		frame_record_add(&buf, &n, &cap, kv[i], kv[i + 1]);
	rc = n > A3S_FRAME_MAX ? err_setk(e, ERR_USAGE, "the path is too long") : send_frame(fd, type, buf, n, e);
	free(buf);
	return rc;
}

/* The guest's failure: EXIT with errno as the code and a message. */
static int guest_error(struct err *e, int code, const char *msg)
{
	enum err_kind k = code == ENOENT || code == ENOTDIR ? ERR_NOT_FOUND : ERR_RUNTIME;

	err_setk(e, k, "%s", msg && *msg ? msg : "the box refused the copy");
	e->errnum = code;
	return -1;
}

static const char *record(const uint8_t *p, uint32_t len, const char *key)
{
	const char *s = (const char *)p, *end = s + len, *found = NULL;

	while (s < end) {
		const char *k = s, *kend = memchr(k, '\0', (size_t)(end - k)), *v, *vend;

		if (!kend)
			return NULL;
		v = kend + 1;
		vend = v < end ? memchr(v, '\0', (size_t)(end - v)) : NULL;
		if (!vend)
			return NULL;
		if (!strcmp(k, key))
			found = v;
		s = vend + 1;
	}
	return found;
}

static int parse_stat(const uint8_t *p, uint32_t len, struct xfer_stat *st, struct err *e)
{
	const char *name = record(p, len, A3S_XFER_NAME), *mode = record(p, len, A3S_XFER_MODE);
	const char *size = record(p, len, A3S_XFER_SIZE), *mtime = record(p, len, A3S_XFER_MTIME);
	const char *link = record(p, len, A3S_XFER_LINK);

	if (!name || !mode)
		return err_set(e, "the box sent a malformed STAT frame");
	xfer_stat_release(st);
	st->name = xstrdup(name);
	st->mode = (unsigned)strtoul(mode, NULL, 10);
	st->size = size ? strtoll(size, NULL, 10) : 0;
	st->mtime = mtime ? strtoll(mtime, NULL, 10) : 0;
	st->link = link ? xstrdup(link) : NULL;
	return 0;
}

/* ---- frames from the guest ---- */

static int on_frame(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	struct xfer_get *g = arg;
	uint32_t v;

	switch (type) {
	case A3S_FRAME_STAT:
		if (g->have_stat)
			return err_set(g->e, "the box sent a second STAT frame");
		g->have_stat = true;
		return parse_stat(p, len, &g->st, g->e);
	case A3S_FRAME_STDOUT:
		if (!g->have_stat)
			return err_set(g->e, "the box sent data before STAT");
		if (g->len + len > g->cap) {
			g->cap = (g->len + len) * 2;
			g->data = xrealloc(g->data, g->cap);
		}
		memcpy(g->data + g->len, p, len);
		g->len += len;
		return 0;
	case A3S_FRAME_EXIT:
		if (len < 4)
			return err_set(g->e, "the box sent a malformed EXIT frame");
		memcpy(&v, p, 4);
		g->code = (int)a3s_le32(v);
		free(g->message);
		g->message = len > 4 ? xstrndup((const char *)p + 4, len - 4 > 4096 ? 4096 : len - 4) : NULL;
		g->exited = true;
		return 1;
	}
	return err_set(g->e, "the box sent an unexpected frame (type %u)", type);
}

/* Read once (waiting at most XFER_IDLE_MS) and feed the frames. */
static int pump(struct xfer_get *g, struct err *e)
{
	uint8_t buf[64 * 1024];
	struct pollfd pf = {g->fd, POLLIN, 0};
	ssize_t n;
	int r;

	g->e = e;
	r = poll(&pf, 1, XFER_IDLE_MS);
	if (r == 0)
		return err_set(e, "the box sent nothing for %d s", XFER_IDLE_MS / 1000);
	if (r < 0)
		return errno == EINTR ? 0 : err_sys(e, errno, "waiting for the box");
	n = read(g->fd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0)
		return err_sys(e, errno, "reading from the box");
	if (n == 0)
		return err_set(e, "the box closed the connection before the copy ended");
	r = frame_reader_feed(&g->rd, buf, (size_t)n, on_frame, g, e);
	return r < 0 ? -1 : 0;
}

static void get_init(struct xfer_get *g)
{
	memset(g, 0, sizeof(*g));
	g->fd = -1;
	g->rd.allow = FRAME_BIT(A3S_FRAME_STAT) | FRAME_BIT(A3S_FRAME_STDOUT) | FRAME_BIT(A3S_FRAME_EXIT);
	g->rd.peer = "box";
}

void xfer_get_close(struct xfer_get *g)
{
	if (g->fd >= 0)
		close(g->fd);
	frame_reader_release(&g->rd);
	xfer_stat_release(&g->st);
	free(g->data);
	free(g->message);
	get_init(g);
}

int xfer_stat(const char *vsock_path, const char *path, struct xfer_stat *st, struct err *e)
{
	const char *kv[] = {A3S_XFER_PATH, path, NULL};
	struct xfer_get g;

	get_init(&g);
	g.fd = box_vsock_connect(vsock_path, A3S_VSOCK_PORT_EXEC, e);
	if (g.fd < 0 || send_request(g.fd, A3S_FRAME_STAT_REQ, kv, e) < 0)
		goto fail;
	while (!g.exited)
		if (pump(&g, e) < 0)
			goto fail;
	if (g.code || !g.have_stat) {
		guest_error(e, g.code ? g.code : EPROTO, g.message);
		goto fail;
	}
	*st = g.st;
	memset(&g.st, 0, sizeof(g.st));
	xfer_get_close(&g);
	return 0;
fail:
	xfer_get_close(&g);
	return -1;
}

int xfer_get_open(struct xfer_get *g, const char *vsock_path, const char *path, const char *name, struct err *e)
{
	const char *kv[] = {A3S_XFER_PATH, path, A3S_XFER_NAME, name, NULL};

	get_init(g);
	g->fd = box_vsock_connect(vsock_path, A3S_VSOCK_PORT_EXEC, e);
	if (g->fd < 0 || send_request(g->fd, A3S_FRAME_ARCHIVE_GET, kv, e) < 0)
		goto fail;
	while (!g->have_stat && !g->exited)
		if (pump(g, e) < 0)
			goto fail;
	if (!g->have_stat) {
		guest_error(e, g->code ? g->code : EPROTO, g->message);
		goto fail;
	}
	return 0;
fail:
	xfer_get_close(g);
	return -1;
}

ssize_t xfer_get_read(struct xfer_get *g, const void **p, struct err *e)
{
	ssize_t n;

	if (g->handed) /* what the last call handed out is done with */
		g->len = 0;
	g->handed = false;
	while (!g->len && !g->exited)
		if (pump(g, e) < 0)
			return -1;
	if (!g->len)
		return g->code ? guest_error(e, g->code, g->message) : 0;
	*p = g->data;
	g->handed = true;
	n = (ssize_t)g->len;
	g->total += n;
	return n;
}

/* ---- ARCHIVE_PUT ---- */

/*
 * Wait for the guest's EXIT: 0 when it reports success, 1 when it reports
 * a failure (e set to it), -1 when no answer came (e says why).
 */
static int put_result(int fd, struct err *e)
{
	struct xfer_get g;
	int rc = 0;

	get_init(&g);
	g.fd = fd;
	g.have_stat = true; /* no STAT on this request */
	while (!g.exited && rc == 0)
		if (pump(&g, e) < 0)
			rc = -1;
	if (rc == 0 && g.code) {
		guest_error(e, g.code, g.message);
		rc = 1;
	}
	g.fd = -1;
	xfer_get_close(&g);
	return rc;
}

int xfer_put_open(const char *vsock_path, const char *path, bool keep_owner, struct err *e)
{
	const char *kv[] = {A3S_XFER_PATH, path, A3S_XFER_OWNER, keep_owner ? "1" : "0", NULL};
	int fd = box_vsock_connect(vsock_path, A3S_VSOCK_PORT_EXEC, e);

	if (fd < 0)
		return -1;
	if (send_request(fd, A3S_FRAME_ARCHIVE_PUT, kv, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int xfer_put_write(int fd, const void *p, size_t n, struct err *e)
{
	while (n) {
		size_t take = n < PUT_CHUNK ? n : PUT_CHUNK;
		struct pollfd pf = {fd, POLLIN, 0};
		/* the guest only speaks early to refuse: take its reason */
		bool early = poll(&pf, 1, 0) > 0;

		if (early || send_frame(fd, A3S_FRAME_STDIN, p, take, e) < 0) {
			struct err ge = ERR_INIT;
			int rc = put_result(fd, &ge);

			if (rc == 1 || (rc < 0 && early))
				*e = ge;
			else if (rc == 0)
				err_set(e, "the box ended the copy early");
			return -1;
		}
		p = (const uint8_t *)p + take;
		n -= take;
	}
	return 0;
}

int xfer_put_finish(int fd, struct err *e)
{
	struct err ge = ERR_INIT;
	int sent = send_frame(fd, A3S_FRAME_STDIN, NULL, 0, e), rc = put_result(fd, &ge);

	close(fd);
	if (rc == 1 || (rc < 0 && sent == 0))
		*e = ge;
	return rc == 0 && sent == 0 ? 0 : -1;
}
