#include "box/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/frame.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/xalloc.h"

#define EXIT_FLUSH_MS 2000

struct attach_client {
	int fd;
	bool owner;
	struct frame_reader rd;
	struct frame_queue out;
};

struct ctx {
	struct attach_srv *s;
	attach_send_fn send;
	void *arg;
};

static void client_init(struct attach_client *c, int fd, bool owner)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->owner = owner;
	c->rd.allow = FRAME_BIT(A3S_FRAME_STDIN) | FRAME_BIT(A3S_FRAME_RESIZE) | FRAME_BIT(A3S_FRAME_SIGNAL);
	c->rd.peer = "attach client";
}

static void client_free(struct attach_client *c)
{
	close(c->fd);
	frame_reader_release(&c->rd);
	frame_queue_release(&c->out);
}

static void drop(struct attach_srv *s, size_t i)
{
	client_free(&s->clients[i]);
	s->clients[i] = s->clients[--s->nclients];
}

static struct attach_client *find(struct attach_srv *s, int fd, size_t *idx)
{
	for (size_t i = 0; i < s->nclients; i++)
		if (s->clients[i].fd == fd) {
			*idx = i;
			return &s->clients[i];
		}
	return NULL;
}

int attach_srv_open(struct attach_srv *s, const char *path, struct err *e)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *name;
	memset(s, 0, sizeof(*s));
	s->lfd = -1;
	name = fs_sock_path(path, &s->dirfd, e);
	if (!name)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", name);
	s->name = name;
	(void)unlink(sun.sun_path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(sun.sun_path, 0600) < 0 ||
	    listen(s->lfd, 16) < 0) {
		err_sys(e, errno, "creating the attach socket '%s'", path);
		attach_srv_close(s);
		return -1;
	}
	return 0;
}

void attach_srv_add(struct attach_srv *s, int fd, bool owner)
{
	if (s->nclients == ATTACH_MAX_CLIENTS) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (!s->clients)
		s->clients = xmalloc(ATTACH_MAX_CLIENTS * sizeof(*s->clients));
	client_init(&s->clients[s->nclients++], fd, owner);
}

int attach_srv_poll_fill(struct attach_srv *s, struct pollfd *p, int max)
{
	int n = 0;
	if (s->lfd >= 0 && n < max && s->nclients < ATTACH_MAX_CLIENTS)
		p[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (size_t i = 0; i < s->nclients && n < max; i++)
		p[n++] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN | (s->clients[i].out.len ? POLLOUT : 0)};
	return n;
}

static int on_frame(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	struct ctx *x = arg;
	if (type == A3S_FRAME_STDIN && !x->s->stdin_open)
		return 0; /* the box was not started with -i */
	if ((type == A3S_FRAME_RESIZE || type == A3S_FRAME_SIGNAL) && len < 4)
		return 0;
	x->send(x->arg, type, p, len);
	return 0;
}

static void client_read(struct attach_srv *s, size_t i, struct ctx *x)
{
	struct attach_client *c = &s->clients[i];
	uint8_t buf[16384];
	struct err e = ERR_INIT;
	ssize_t n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || frame_reader_feed(&c->rd, buf, (size_t)n, on_frame, x, &e) < 0)
		drop(s, i); /* gone, or speaking garbage: that client only */
}

void attach_srv_poll_done(struct attach_srv *s, const struct pollfd *p, int n, attach_send_fn send, void *arg)
{
	struct ctx x = {s, send, arg};
	for (int k = 0; k < n; k++) {
		size_t i;
		if (!p[k].revents)
			continue;
		if (p[k].fd == s->lfd) {
			int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				attach_srv_add(s, fd, false);
			continue;
		}
		if (!find(s, p[k].fd, &i))
			continue;
		if ((p[k].revents & POLLOUT) && frame_queue_flush(&s->clients[i].out, s->clients[i].fd) < 0) {
			drop(s, i);
			continue;
		}
		if (p[k].revents & (POLLIN | POLLHUP | POLLERR))
			client_read(s, i, &x);
	}
}

void attach_srv_output(struct attach_srv *s, int stream, const void *p, size_t n)
{
	for (size_t i = 0; i < s->nclients;) {
		struct attach_client *c = &s->clients[i];
		frame_queue_push(&c->out, stream == 1 ? A3S_FRAME_STDOUT : A3S_FRAME_STDERR, p, (uint32_t)n);
		if (frame_queue_flush(&c->out, c->fd) < 0 || c->out.len > ATTACH_CLIENT_MAX_BUF) {
			drop(s, i);
			continue;
		}
		i++;
	}
}

void attach_srv_exit(struct attach_srv *s, int code, bool all)
{
	long long deadline = io_now_ms() + EXIT_FLUSH_MS;
	uint32_t v = a3s_le32((uint32_t)code);
	for (size_t i = 0; i < s->nclients; i++)
		frame_queue_push(&s->clients[i].out, A3S_FRAME_EXIT, &v, sizeof(v));
	for (;;) {
		struct pollfd p[ATTACH_MAX_CLIENTS];
		int n = 0;
		long long now = io_now_ms();
		for (size_t i = 0; i < s->nclients;) {
			if (frame_queue_flush(&s->clients[i].out, s->clients[i].fd) < 0) {
				drop(s, i);
				continue;
			}
			if (s->clients[i].out.len)
				p[n++] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLOUT};
			i++;
		}
		if (!n || now >= deadline)
			break;
		(void)poll(p, (nfds_t)n, (int)(deadline - now));
	}
	for (size_t i = 0; i < s->nclients;) {
		if (all || !s->clients[i].owner) {
			drop(s, i);
			continue;
		}
		s->clients[i].out.len = 0;
		i++;
	}
}

void attach_srv_close(struct attach_srv *s)
{
	while (s->nclients) {
		struct attach_client *c = &s->clients[s->nclients - 1];
		/* an owner's descriptor is left to the process's exit: its EOF
		 * then tells the owner the monitor is gone, not just closing */
		if (c->owner) {
			frame_reader_release(&c->rd);
			frame_queue_release(&c->out);
			s->nclients--;
			continue;
		}
		drop(s, s->nclients - 1);
	}
	free(s->clients);
	s->clients = NULL;
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
	}
	if (s->name)
		(void)unlink(s->name);
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
	free(s->name);
	s->name = NULL;
}

int attach_connect(const char *path, struct err *e)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int dirfd, fd;
	char *name = fs_sock_path(path, &dirfd, e);
	if (!name)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", name);
	free(name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		err_sys(e, errno, "connecting to the box's attach socket");
	if (dirfd >= 0)
		close(dirfd);
	return fd;
}
