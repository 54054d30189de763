/* vsock connections: table, control queue, host-socket side of the stream. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "vsock/dev_int.h"

#ifndef CREDIT_UPDATE_DIV
#define CREDIT_UPDATE_DIV 2
#endif

static unsigned bucket(uint32_t local, uint32_t peer)
{
	return ((local * 2654435761u) ^ (peer * 40503u)) % CONN_HASH;
}

struct vsock_conn *conn_new(struct vsock_dev *d, int fd, enum conn_state st)
{
	struct vsock_conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->state = st;
	c->host_writable = true;
	c->next = d->all;
	if (d->all)
		d->all->prev = c;
	d->all = c;
	d->nconns++;
	if (fd >= 0 && d->epfd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	return c;
}

struct vsock_conn *conn_find(struct vsock_dev *d, uint32_t local, uint32_t peer)
{
	for (struct vsock_conn *c = d->hash[bucket(local, peer)]; c; c = c->hnext)
		if (c->local_port == local && c->peer_port == peer)
			return c;
	return NULL;
}

void conn_hash(struct vsock_dev *d, struct vsock_conn *c)
{
	unsigned b = bucket(c->local_port, c->peer_port);
	c->hnext = d->hash[b];
	d->hash[b] = c;
	c->hashed = true;
}

static void unhash(struct vsock_dev *d, struct vsock_conn *c)
{
	struct vsock_conn **pp = &d->hash[bucket(c->local_port, c->peer_port)];
	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	c->hashed = false;
}

void conn_queue(struct vsock_dev *d, struct vsock_conn *c, uint32_t what)
{
	c->pending |= what;
	if (c->queued)
		return;
	c->queued = true;
	c->pnext = NULL;
	c->pprev = d->pend_tail;
	if (d->pend_tail)
		d->pend_tail->pnext = c;
	else
		d->pend_head = c;
	d->pend_tail = c;
}

void conn_unqueue(struct vsock_dev *d, struct vsock_conn *c)
{
	if (!c->queued)
		return;
	if (c->pprev)
		c->pprev->pnext = c->pnext;
	else
		d->pend_head = c->pnext;
	if (c->pnext)
		c->pnext->pprev = c->pprev;
	else
		d->pend_tail = c->pprev;
	c->queued = false;
	c->pprev = c->pnext = NULL;
}

static void close_host(struct vsock_conn *c)
{
	if (c->fd >= 0)
		close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->buf_len = 0;
}

void conn_destroy(struct vsock_dev *d, struct vsock_conn *c)
{
	if (c->state == CONN_DEAD)
		return;
	conn_unqueue(d, c);
	if (c->hashed)
		unhash(d, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close_host(c);
	d->nconns--;
	c->state = CONN_DEAD;
	c->prev = NULL;
	c->next = d->grave;
	d->grave = c;
}

void conn_free_graves(struct vsock_dev *d)
{
	while (d->grave) {
		struct vsock_conn *c = d->grave;
		d->grave = c->next;
		free(c);
	}
}

void conn_destroy_all(struct vsock_dev *d)
{
	while (d->all)
		conn_destroy(d, d->all);
	d->norphan = 0;
}

void conn_reset(struct vsock_dev *d, struct vsock_conn *c)
{
	if (c->state == CONN_DEAD || c->state == CONN_CLOSING)
		return;
	/* the guest never heard of it: nothing to tell */
	if (c->state == CONN_HANDSHAKE || (c->state == CONN_CONNECTING && (c->pending & P_REQUEST))) {
		conn_destroy(d, c);
		return;
	}
	close_host(c);
	c->state = CONN_CLOSING;
	c->pending = 0;
	conn_queue(d, c, P_RST);
}

void conn_orphan_rst(struct vsock_dev *d, uint32_t local, uint32_t peer)
{
	if (d->norphan >= ORPHAN_MAX) {
		d->st.dropped++; /* a guest flooding us with junk: it gets no answer */
		return;
	}
	d->orphan[d->norphan].local = local;
	d->orphan[d->norphan].peer = peer;
	d->norphan++;
}

uint32_t conn_peer_credit(const struct vsock_conn *c)
{
	uint32_t used = c->tx_cnt - c->peer_fwd_cnt;
	return used >= c->peer_buf_alloc ? 0 : c->peer_buf_alloc - used;
}

/*
 * Tell the guest about freed buffer space once its view of it falls under
 * half. Its window is the smaller of our buf_alloc and its own (newer Linux
 * caps its send credit by its receive buffer), so judge by that.
 */
static void maybe_credit_update(struct vsock_dev *d, struct vsock_conn *c)
{
	uint32_t window = c->peer_buf_alloc && c->peer_buf_alloc < VSOCK_BUF_ALLOC ? c->peer_buf_alloc : VSOCK_BUF_ALLOC;
	uint32_t guest_view_used = c->rx_cnt - c->fwd_reported;
	if (c->fwd_cnt != c->fwd_reported && guest_view_used > window / CREDIT_UPDATE_DIV)
		conn_queue(d, c, P_CREDIT_UPDATE);
}

static ssize_t send_iov(int fd, const struct iovec *iov, unsigned n)
{
	struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = n};
	ssize_t r;
	do
		r = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r;
}

/* 0 = fine (maybe EAGAIN), -1 = the host socket is gone */
static int host_write(struct vsock_conn *c, const struct iovec *iov, unsigned n, uint32_t *done)
{
	ssize_t r = send_iov(c->fd, iov, n);
	*done = 0;
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->host_writable = false;
			return 0;
		}
		return -1;
	}
	*done = (uint32_t)r;
	return 0;
}

void conn_deliver(struct vsock_dev *d, struct vsock_conn *c, const struct iovec *iov, unsigned n, uint32_t len)
{
	uint32_t done = 0;
	c->rx_cnt += len;
	if (c->fd < 0)
		return;
	if (!c->buf_len && c->host_writable && host_write(c, iov, n, &done) < 0) {
		conn_reset(d, c);
		return;
	}
	c->fwd_cnt += done;
	if (done < len) {
		/* keep the rest: the guest's credit bounds it by VSOCK_BUF_ALLOC */
		uint32_t tail, first;
		if (!c->buf)
			c->buf = xmalloc(VSOCK_BUF_ALLOC);
		tail = (c->buf_head + c->buf_len) % VSOCK_BUF_ALLOC;
		first = VSOCK_BUF_ALLOC - tail;
		if (first > len - done)
			first = len - done;
		vu_iov_to_buf(iov, n, done, c->buf + tail, first);
		vu_iov_to_buf(iov, n, done + first, c->buf, len - done - first);
		c->buf_len += len - done;
	}
	maybe_credit_update(d, c);
}

void conn_flush(struct vsock_dev *d, struct vsock_conn *c)
{
	while (c->buf_len && c->fd >= 0 && c->host_writable) {
		struct iovec iov[2];
		unsigned n = 1;
		uint32_t first = VSOCK_BUF_ALLOC - c->buf_head, done;
		iov[0].iov_base = c->buf + c->buf_head;
		iov[0].iov_len = first < c->buf_len ? first : c->buf_len;
		if (first < c->buf_len) {
			iov[1].iov_base = c->buf;
			iov[1].iov_len = c->buf_len - first;
			n = 2;
		}
		if (host_write(c, iov, n, &done) < 0) {
			conn_reset(d, c);
			return;
		}
		if (!done)
			break;
		c->buf_head = (c->buf_head + done) % VSOCK_BUF_ALLOC;
		c->buf_len -= done;
		c->fwd_cnt += done;
	}
	if (!c->buf_len && c->buf) {
		free(c->buf); /* idle connections hold no buffer */
		c->buf = NULL;
		c->buf_head = 0;
	}
	maybe_credit_update(d, c);
}

void conn_progress(struct vsock_dev *d, struct vsock_conn *c)
{
	if (c->state != CONN_ESTABLISHED)
		return;
	if (c->buf_len)
		return; /* guest data still on its way to the host socket */
	if (c->guest_shut_send && !c->host_wr_shut) {
		shutdown(c->fd, SHUT_WR);
		c->host_wr_shut = true;
	}
	/* nothing can flow any more: the guest closed, or both sides finished sending */
	if ((c->guest_shut_send && c->guest_shut_rcv) || (c->guest_shut_send && c->host_eof))
		conn_reset(d, c);
}
