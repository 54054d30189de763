/* The vsock device thread: epoll over the front-end, rings and host sockets. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/io.h"
#include "util/xalloc.h"
#include "vsock/dev_int.h"

/* epoll tags for the fixed sources; connections use their pointer */
enum { EV_VHOST = 1, EV_LISTEN, EV_STOP, EV_KICK0 };
#define EV_FIXED_MAX (EV_KICK0 + VU_NQUEUES)

static void ring_changed(struct vu_dev *vu, unsigned idx, void *opaque)
{
	struct vsock_dev *d = opaque;
	struct vu_vq *q = &vu->vq[idx];
	if (d->kick_reg[idx] != q->kick_fd) {
		if (d->kick_reg[idx] >= 0)
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->kick_reg[idx], NULL);
		d->kick_reg[idx] = -1;
		if (q->kick_fd >= 0) {
			struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EV_KICK0 + idx};
			if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, q->kick_fd, &ev) == 0)
				d->kick_reg[idx] = q->kick_fd;
		}
	}
	if (d->ring_started[idx] && !q->started) {
		/* the driver stopped or reset the device: its connections are gone */
		conn_destroy_all(d);
	}
	d->ring_started[idx] = q->started;
}

static void front_end_gone(struct vsock_dev *d)
{
	d->dead = true;
	conn_destroy_all(d);
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->vhost_fd, NULL);
	vu_dev_release(&d->vu);
	for (unsigned i = 0; i < VU_NQUEUES; i++)
		d->kick_reg[i] = -1;
}

static void on_vhost(struct vsock_dev *d)
{
	struct vu_msg *m = xmalloc(sizeof(*m)), *r = xcalloc(1, sizeof(*r));
	struct err e = ERR_INIT;
	int rc = vu_recv(d->vhost_fd, m, &e);
	bool gone = rc != 0;
	if (rc < 0)
		fprintf(stderr, "a3s-box vsock: %s\n", e.msg);
	if (rc == 0) {
		rc = vu_handle(&d->vu, m, r, &e);
		if (rc == 1 && vu_send(d->vhost_fd, r, &e) < 0)
			rc = -1;
		if (rc < 0) {
			fprintf(stderr, "a3s-box vsock: %s; dropping the device\n", e.msg);
			gone = true;
		}
	}
	if (gone)
		front_end_gone(d);
	free(m);
	free(r);
}

static uint32_t alloc_port(struct vsock_dev *d)
{
	for (;;) {
		uint32_t p = d->next_port++;
		bool used = false;
		if (d->next_port < FIRST_LOCAL_PORT)
			d->next_port = FIRST_LOCAL_PORT;
		for (struct vsock_conn *c = d->all; c && !used; c = c->next)
			used = c->hashed && c->local_port == p;
		if (!used)
			return p;
	}
}

static void on_accept(struct vsock_dev *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct vsock_conn *c;
		if (fd < 0)
			return;
		if (d->dead || d->nconns >= VSOCK_MAX_CONNS) {
			close(fd); /* no guest (any more), or too many connections */
			continue;
		}
		c = conn_new(d, fd, CONN_HANDSHAKE);
		c->deadline_ms = d->now_ms + HANDSHAKE_TIMEOUT_MS;
	}
}

/* "CONNECT <port>\n": peek, so that bytes sent right after it stay queued. */
static void handshake(struct vsock_dev *d, struct vsock_conn *c)
{
	char line[CONNECT_LINE_MAX];
	ssize_t n = recv(c->fd, line, sizeof(line), MSG_PEEK | MSG_DONTWAIT);
	char *nl;
	uint32_t port;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	nl = n > 0 ? memchr(line, '\n', (size_t)n) : NULL;
	if (!nl) {
		if (n <= 0 || n == (ssize_t)sizeof(line))
			conn_destroy(d, c); /* gone, or not our protocol */
		return;
	}
	if (recv(c->fd, line, (size_t)(nl - line + 1), MSG_DONTWAIT) != nl - line + 1 ||
	    vsock_parse_connect(line, (size_t)(nl - line), &port) < 0) {
		conn_destroy(d, c);
		return;
	}
	c->state = CONN_CONNECTING;
	c->local_port = alloc_port(d);
	c->peer_port = port;
	c->deadline_ms = d->now_ms + VSOCK_CONNECT_TIMEOUT_MS;
	conn_hash(d, c);
	conn_queue(d, c, P_REQUEST);
}

static void on_conn(struct vsock_dev *d, struct vsock_conn *c, uint32_t events)
{
	if (c->state == CONN_DEAD || c->fd < 0)
		return;
	if (c->state == CONN_HANDSHAKE) {
		handshake(d, c);
		return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->host_readable = true;
	if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
		c->host_writable = true;
		conn_flush(d, c);
		if (c->state == CONN_ESTABLISHED)
			conn_progress(d, c);
	}
}

static long long deadlines(struct vsock_dev *d)
{
	long long next = -1;
	for (struct vsock_conn *c = d->all, *n; c; c = n) {
		n = c->next;
		if (c->state != CONN_HANDSHAKE && c->state != CONN_CONNECTING)
			continue;
		if (c->deadline_ms <= d->now_ms)
			conn_reset(d, c); /* the client is closed: CONNECT failed */
		else if (next < 0 || c->deadline_ms < next)
			next = c->deadline_ms;
	}
	return next;
}

static void drain(int fd)
{
	uint64_t v;
	(void)!read(fd, &v, sizeof(v));
}

static void *run(void *arg)
{
	struct vsock_dev *d = arg;
	struct epoll_event evs[64];
	int timeout = -1;
	for (;;) {
		int n = epoll_wait(d->epfd, evs, 64, timeout);
		bool again;
		long long next;
		if (n < 0 && errno != EINTR)
			break;
		d->now_ms = io_now_ms();
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			if (tag == EV_STOP)
				goto out;
			if (tag == EV_VHOST)
				on_vhost(d);
			else if (tag == EV_LISTEN)
				on_accept(d);
			else if (tag >= EV_KICK0 && tag < EV_FIXED_MAX) {
				if (d->kick_reg[tag - EV_KICK0] >= 0)
					drain(d->kick_reg[tag - EV_KICK0]);
			} else
				on_conn(d, evs[i].data.ptr, evs[i].events);
		}
		/* guest -> host first: it carries the credit that lets rx proceed */
		vsock_process_tx(d);
		vsock_process_rx(d);
		next = deadlines(d);
		vsock_process_rx(d); /* RSTs of expired connections */
		vsock_signal(d);
		conn_free_graves(d);
		/* sleep only once the guest has been asked to kick for new buffers */
		again = vu_vq_arm(&d->vu.vq[TX_RING]);
		vu_vq_arm(&d->vu.vq[RX_RING]);
		timeout = again ? 0 : next < 0 ? -1 : (int)(next - d->now_ms + 1);
	}
out:
	conn_destroy_all(d);
	conn_free_graves(d);
	return NULL;
}

static int listen_on(const char *path, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;
	if (strlen(path) + 12 >= sizeof(sa.sun_path)) /* room for "_<port>" */
		return err_set(e, "vsock socket path '%s' is too long for a Unix socket", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "creating the vsock socket");
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return err_setk(e, ERR_CONFLICT, "vsock socket '%s' is in use by another device", path);
		}
		close(fd);
		unlink(path); /* left by a crashed run */
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return err_sys(e, errno, "creating the vsock socket");
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int en = errno;
		close(fd);
		return err_sys(e, en, "binding the vsock socket '%s'", path);
	}
	if (chmod(path, 0600) < 0 || listen(fd, 128) < 0) {
		int en = errno;
		close(fd);
		unlink(path);
		return err_sys(e, en, "listening on the vsock socket '%s'", path);
	}
	return fd;
}

static void add(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
	epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int vsock_dev_start(struct vsock_dev **out, const struct vsock_dev_config *cfg, struct err *e)
{
	struct vsock_dev *d;
	struct timeval tv = {2, 0};
	sigset_t all, old;
	int rc;
	if (cfg->guest_cid <= VSOCK_HOST_CID || cfg->guest_cid >= 0xffffffffull)
		return err_set(e, "guest CID %llu is reserved; use 3 or above", (unsigned long long)cfg->guest_cid);
	if (cfg->vhost_fd < 0)
		return err_set(e, "vsock device needs the vhost-user socket");
	d = xcalloc(1, sizeof(*d));
	vu_dev_init(&d->vu, cfg->guest_cid);
	d->vu.ring_changed = ring_changed;
	d->vu.opaque = d;
	d->vu.trace = getenv("A3S_BOX_VSOCK_TRACE") != NULL;
	d->guest_cid = cfg->guest_cid;
	d->vhost_fd = cfg->vhost_fd;
	d->next_port = FIRST_LOCAL_PORT;
	d->kick_reg[0] = d->kick_reg[1] = -1;
	d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->stop_fd < 0 || d->epfd < 0) {
		err_sys(e, errno, "creating the vsock device");
		goto fail;
	}
	d->listen_fd = listen_on(cfg->uds_path, e);
	if (d->listen_fd < 0)
		goto fail;
	d->uds_path = xstrdup(cfg->uds_path);
	/* a front-end stuck mid-message must not hang the device */
	setsockopt(d->vhost_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	add(d->epfd, d->vhost_fd, EV_VHOST);
	add(d->epfd, d->listen_fd, EV_LISTEN);
	add(d->epfd, d->stop_fd, EV_STOP);
	/* the caller's signals (signalfd, SIGCHLD) never land in this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&d->thread, NULL, run, d);
	if (!rc)
		pthread_setname_np(d->thread, "a3s-vsock");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		err_sys(e, rc, "starting the vsock device thread");
		close(d->listen_fd);
		unlink(d->uds_path);
		goto fail;
	}
	*out = d;
	return 0;
fail:
	if (d->stop_fd >= 0)
		close(d->stop_fd);
	if (d->epfd >= 0)
		close(d->epfd);
	free(d->uds_path);
	d->vu.ring_changed = NULL;
	vu_dev_release(&d->vu);
	free(d);
	return -1;
}

void vsock_dev_stop(struct vsock_dev *d)
{
	uint64_t one = 1;
	if (!d)
		return;
	(void)!write(d->stop_fd, &one, sizeof(one));
	pthread_join(d->thread, NULL);
	d->vu.ring_changed = NULL;
	vu_dev_release(&d->vu);
	close(d->vhost_fd);
	close(d->listen_fd);
	unlink(d->uds_path);
	close(d->epfd);
	close(d->stop_fd);
	if (getenv("A3S_BOX_VSOCK_TRACE"))
		fprintf(stderr,
			"vsock: tx %llu pkts %llu bytes, rx %llu pkts %llu bytes, dropped %llu, rst sent %llu recv %llu, "
			"credit updates %llu, calls %llu\n",
			(unsigned long long)d->st.tx_pkts, (unsigned long long)d->st.tx_bytes,
			(unsigned long long)d->st.rx_pkts, (unsigned long long)d->st.rx_bytes,
			(unsigned long long)d->st.dropped, (unsigned long long)d->st.resets_sent,
			(unsigned long long)d->st.resets_recv, (unsigned long long)d->st.credit_updates,
			(unsigned long long)d->st.calls);
	free(d->uds_path);
	free(d);
}
