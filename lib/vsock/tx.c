/* Guest -> host: packets on the tx ring (virtio 1.2, 5.10.6). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vsock/dev_int.h"

/* A guest connection to host port P: forward to the Unix socket "<uds>_P". */
static void guest_connect(struct vsock_dev *d, const struct vsock_hdr *h)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct vsock_conn *c;
	int fd, n;
	if (d->nconns >= VSOCK_MAX_CONNS || !d->uds_path) {
		conn_orphan_rst(d, h->dst_port, h->src_port);
		return;
	}
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", d->uds_path, h->dst_port);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path) || fd < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* nobody listens (or the backlog is full): refuse */
		if (fd >= 0)
			close(fd);
		conn_orphan_rst(d, h->dst_port, h->src_port);
		return;
	}
	c = conn_new(d, fd, CONN_ESTABLISHED);
	c->local_port = h->dst_port;
	c->peer_port = h->src_port;
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	c->host_readable = true;
	conn_hash(d, c);
	conn_queue(d, c, P_RESPONSE);
}

static void on_response(struct vsock_dev *d, struct vsock_conn *c)
{
	char ok[32];
	int n;
	if (c->state != CONN_CONNECTING) {
		conn_reset(d, c);
		return;
	}
	c->state = CONN_ESTABLISHED;
	n = snprintf(ok, sizeof(ok), "OK %u\n", c->local_port);
	if (send(c->fd, ok, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
		conn_reset(d, c); /* the client went away meanwhile */
		return;
	}
	c->host_readable = true; /* bytes sent after CONNECT may be waiting */
}

/* One packet; payload is the out-iovec slice after the header. */
static void packet(struct vsock_dev *d, const struct vsock_hdr *h, const struct vu_elem *el)
{
	struct vsock_conn *c;
	if (h->src_cid != d->guest_cid || h->dst_cid != VSOCK_HOST_CID) {
		d->st.dropped++; /* spoofed or misrouted */
		return;
	}
	c = conn_find(d, h->dst_port, h->src_port);
	if (h->type != VSOCK_TYPE_STREAM || h->len > VSOCK_MAX_PKT_PAYLOAD ||
	    h->len > el->out_len - VSOCK_HDR_SIZE || (h->len && h->op != VSOCK_OP_RW)) {
		d->st.dropped++;
		if (c)
			conn_reset(d, c);
		else if (h->op != VSOCK_OP_RST)
			conn_orphan_rst(d, h->dst_port, h->src_port);
		return;
	}
	if (h->op == VSOCK_OP_REQUEST) {
		if (c)
			conn_reset(d, c); /* a second REQUEST on a live connection */
		else
			guest_connect(d, h);
		return;
	}
	if (!c || c->state == CONN_CLOSING) {
		if (h->op == VSOCK_OP_RST) {
			if (c)
				conn_destroy(d, c); /* both sides reset at once */
			return;
		}
		if (!c)
			conn_orphan_rst(d, h->dst_port, h->src_port);
		return;
	}
	c->peer_buf_alloc = h->buf_alloc;
	c->peer_fwd_cnt = h->fwd_cnt;
	if (conn_peer_credit(c))
		c->credit_requested = false;
	switch (h->op) {
	case VSOCK_OP_RESPONSE:
		on_response(d, c);
		break;
	case VSOCK_OP_RST:
		d->st.resets_recv++;
		conn_destroy(d, c);
		break;
	case VSOCK_OP_SHUTDOWN:
		if (c->state != CONN_ESTABLISHED) {
			conn_reset(d, c);
			break;
		}
		if (h->flags & VSOCK_SHUTDOWN_RCV)
			c->guest_shut_rcv = true;
		if (h->flags & VSOCK_SHUTDOWN_SEND)
			c->guest_shut_send = true;
		conn_progress(d, c);
		break;
	case VSOCK_OP_RW: {
		struct iovec iov[VU_MAX_IOV];
		unsigned n;
		if (c->state != CONN_ESTABLISHED || c->guest_shut_send ||
		    c->rx_cnt - c->fwd_cnt + h->len > VSOCK_BUF_ALLOC) {
			/* data after its own shutdown, or beyond the credit we gave */
			conn_reset(d, c);
			break;
		}
		n = vu_iov_slice(el->out, el->out_n, VSOCK_HDR_SIZE, h->len, iov, VU_MAX_IOV);
		d->st.tx_bytes += h->len;
		conn_deliver(d, c, iov, n, h->len);
		break;
	}
	case VSOCK_OP_CREDIT_UPDATE:
		break; /* the credit fields were all it carried */
	case VSOCK_OP_CREDIT_REQUEST:
		conn_queue(d, c, P_CREDIT_UPDATE);
		break;
	default:
		conn_reset(d, c);
		break;
	}
}

void vsock_process_tx(struct vsock_dev *d)
{
	struct vu_vq *q = &d->vu.vq[TX_RING];
	struct vu_elem el;
	for (;;) {
		enum vu_pop r = vu_vq_pop(q, &d->vu.mem, &el);
		struct vsock_hdr h;
		if (r == VU_POP_EMPTY)
			break;
		d->pushed[TX_RING] = true;
		if (r == VU_POP_BAD) {
			d->st.dropped++;
			continue;
		}
		if (el.out_len < VSOCK_HDR_SIZE) {
			d->st.dropped++;
		} else {
			vu_iov_to_buf(el.out, el.out_n, 0, &h, sizeof(h));
			h.src_cid = le64toh(h.src_cid);
			h.dst_cid = le64toh(h.dst_cid);
			h.src_port = le32toh(h.src_port);
			h.dst_port = le32toh(h.dst_port);
			h.len = le32toh(h.len);
			h.type = le16toh(h.type);
			h.op = le16toh(h.op);
			h.flags = le32toh(h.flags);
			h.buf_alloc = le32toh(h.buf_alloc);
			h.fwd_cnt = le32toh(h.fwd_cnt);
			d->st.tx_pkts++;
			packet(d, &h, &el);
		}
		vu_vq_push(q, el.head, 0);
	}
}
