/* Host -> guest: control packets and host-socket data into the rx ring. */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vsock/dev_int.h"

static void fill_hdr(struct vsock_dev *d, struct vsock_hdr *h, uint32_t local, uint32_t peer, uint16_t op,
		     uint32_t flags, uint32_t len, uint32_t fwd_cnt)
{
	h->src_cid = htole64(VSOCK_HOST_CID);
	h->dst_cid = htole64(d->guest_cid);
	h->src_port = htole32(local);
	h->dst_port = htole32(peer);
	h->len = htole32(len);
	h->type = htole16(VSOCK_TYPE_STREAM);
	h->op = htole16(op);
	h->flags = htole32(flags);
	h->buf_alloc = htole32(VSOCK_BUF_ALLOC);
	h->fwd_cnt = htole32(fwd_cnt);
}

static void put(struct vsock_dev *d, const struct vu_elem *el, struct vsock_hdr *h, uint32_t len)
{
	vu_iov_from_buf(el->in, el->in_n, 0, h, sizeof(*h));
	vu_vq_push(&d->vu.vq[RX_RING], el->head, VSOCK_HDR_SIZE + len);
	d->pushed[RX_RING] = true;
	d->st.rx_pkts++;
}

/* The most urgent control packet of c into el. */
static void control(struct vsock_dev *d, struct vsock_conn *c, const struct vu_elem *el)
{
	struct vsock_hdr h;
	uint16_t op;
	uint32_t flags = 0, bit;
	if (c->pending & P_RST) {
		op = VSOCK_OP_RST;
		bit = P_RST;
	} else if (c->pending & P_REQUEST) {
		op = VSOCK_OP_REQUEST;
		bit = P_REQUEST;
	} else if (c->pending & P_RESPONSE) {
		op = VSOCK_OP_RESPONSE;
		bit = P_RESPONSE;
	} else if (c->pending & P_SHUTDOWN) {
		op = VSOCK_OP_SHUTDOWN;
		flags = VSOCK_SHUTDOWN_SEND;
		bit = P_SHUTDOWN;
	} else if (c->pending & P_CREDIT_REQUEST) {
		op = VSOCK_OP_CREDIT_REQUEST;
		bit = P_CREDIT_REQUEST;
	} else {
		op = VSOCK_OP_CREDIT_UPDATE;
		bit = P_CREDIT_UPDATE;
	}
	c->pending &= ~bit;
	/* every header carries our credit */
	c->pending &= ~P_CREDIT_UPDATE;
	c->fwd_reported = c->fwd_cnt;
	if (op == VSOCK_OP_CREDIT_UPDATE)
		d->st.credit_updates++;
	fill_hdr(d, &h, c->local_port, c->peer_port, op, flags, 0, c->fwd_cnt);
	put(d, el, &h, 0);
	if (op == VSOCK_OP_RST) {
		d->st.resets_sent++;
		conn_destroy(d, c);
	}
}

static bool wants_data(const struct vsock_conn *c)
{
	return c->state == CONN_ESTABLISHED && c->host_readable && !c->host_eof && !c->guest_shut_rcv &&
	       c->fd >= 0 && !(c->pending & P_RESPONSE);
}

/*
 * One packet of host data for c in el. Returns false when el was not used
 * (the socket had nothing, or the connection went away).
 */
static bool data(struct vsock_dev *d, struct vsock_conn *c, const struct vu_elem *el)
{
	struct iovec iov[VU_MAX_IOV];
	struct msghdr mh = {.msg_iov = iov};
	struct vsock_hdr h;
	uint32_t room = (uint32_t)(el->in_len - VSOCK_HDR_SIZE), credit = conn_peer_credit(c);
	ssize_t r;
	if (room > credit)
		room = credit;
	if (room > VSOCK_MAX_PKT_PAYLOAD)
		room = VSOCK_MAX_PKT_PAYLOAD;
	mh.msg_iovlen = vu_iov_slice(el->in, el->in_n, VSOCK_HDR_SIZE, room, iov, VU_MAX_IOV);
	do
		r = recvmsg(c->fd, &mh, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			c->host_readable = false;
			return false;
		}
		conn_reset(d, c);
		return false;
	}
	if (r == 0) {
		/* the host client finished sending */
		c->host_eof = true;
		fill_hdr(d, &h, c->local_port, c->peer_port, VSOCK_OP_SHUTDOWN, VSOCK_SHUTDOWN_SEND, 0, c->fwd_cnt);
	} else {
		c->tx_cnt += (uint32_t)r;
		d->st.rx_bytes += (uint64_t)r;
		fill_hdr(d, &h, c->local_port, c->peer_port, VSOCK_OP_RW, 0, (uint32_t)r, c->fwd_cnt);
	}
	c->fwd_reported = c->fwd_cnt;
	c->pending &= ~P_CREDIT_UPDATE;
	put(d, el, &h, (uint32_t)r);
	if (r == 0)
		conn_progress(d, c);
	return true;
}

/* Next usable rx buffer; false when the guest gave none. */
static bool pop_usable(struct vsock_dev *d, struct vu_vq *q, struct vu_elem *el)
{
	for (;;) {
		enum vu_pop r = vu_vq_pop(q, &d->vu.mem, el);
		if (r == VU_POP_EMPTY)
			return false;
		if (r == VU_POP_OK && el->in_len >= VSOCK_HDR_SIZE + 1 && !el->out_n)
			return true;
		/* unusable buffer: hand it back empty */
		if (r == VU_POP_OK)
			vu_vq_push(q, el->head, 0);
		d->pushed[RX_RING] = true;
		d->st.dropped++;
	}
}

void vsock_process_rx(struct vsock_dev *d)
{
	struct vu_vq *q = &d->vu.vq[RX_RING];
	struct vu_elem el;
	if (!vu_vq_ready(q))
		return;
	for (;;) {
		bool sent = false;
		while (d->norphan || d->pend_head) {
			if (!pop_usable(d, q, &el))
				return;
			if (d->norphan) {
				struct vsock_hdr h;
				d->norphan--;
				fill_hdr(d, &h, d->orphan[d->norphan].local, d->orphan[d->norphan].peer, VSOCK_OP_RST,
					 0, 0, 0);
				put(d, &el, &h, 0);
				d->st.resets_sent++;
			} else {
				struct vsock_conn *c = d->pend_head;
				conn_unqueue(d, c);
				control(d, c, &el);
				if (c->state != CONN_DEAD && c->pending)
					conn_queue(d, c, 0);
			}
		}
		/* data: one packet per connection per pass, so no stream starves the others */
		for (struct vsock_conn *c = d->all, *next; c; c = next) {
			next = c->next;
			if (!wants_data(c))
				continue;
			if (!conn_peer_credit(c)) {
				/* stop reading the host socket until the guest makes room */
				if (!c->credit_requested) {
					c->credit_requested = true;
					conn_queue(d, c, P_CREDIT_REQUEST);
				}
				continue;
			}
			if (!pop_usable(d, q, &el))
				return;
			if (data(d, c, &el))
				sent = true;
			else
				vu_vq_unpop(q);
		}
		if (!sent && !d->norphan && !d->pend_head)
			break;
	}
}

void vsock_signal(struct vsock_dev *d)
{
	for (unsigned i = 0; i < VU_NQUEUES; i++)
		if (d->pushed[i]) {
			d->pushed[i] = false;
			if (d->vu.vq[i].call_fd >= 0 && vu_vq_need_call(&d->vu.vq[i])) {
				uint64_t one = 1;
				(void)!write(d->vu.vq[i].call_fd, &one, sizeof(one));
				d->st.calls++;
			}
		}
}
