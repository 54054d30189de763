/* Internals of the vsock device shared by dev.c, conn.c, tx.c and rx.c. */
#ifndef A3S_VSOCK_DEV_INT_H
#define A3S_VSOCK_DEV_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsock/pkt.h"
#include "vsock/vhost_user.h"
#include "vsock/vsock.h"

#define RX_RING 0 /* device -> guest */
#define TX_RING 1 /* guest -> device */
#define CONN_HASH 256
#define ORPHAN_MAX 64
#define HANDSHAKE_TIMEOUT_MS 5000
#define CONNECT_LINE_MAX 64
#define FIRST_LOCAL_PORT (1u << 30)

enum conn_state {
	CONN_HANDSHAKE, /* host client accepted, reading "CONNECT <port>\n" */
	CONN_CONNECTING, /* REQUEST queued or sent, waiting for RESPONSE */
	CONN_ESTABLISHED,
	CONN_CLOSING, /* host socket closed, RST to the guest queued */
	CONN_DEAD, /* unlinked, freed at the end of the loop iteration */
};

/* control packets waiting for an rx buffer */
enum {
	P_REQUEST = 1u << 0,
	P_RESPONSE = 1u << 1,
	P_RST = 1u << 2,
	P_SHUTDOWN = 1u << 3,
	P_CREDIT_UPDATE = 1u << 4,
	P_CREDIT_REQUEST = 1u << 5,
};

struct vsock_conn {
	struct vsock_conn *prev, *next; /* every connection */
	struct vsock_conn *hnext; /* hash chain (ports known) */
	struct vsock_conn *pprev, *pnext; /* pending-control list */
	bool hashed, queued;
	enum conn_state state;
	int fd; /* host Unix socket, or -1 */
	uint32_t local_port; /* host side port */
	uint32_t peer_port; /* guest side port */
	long long deadline_ms; /* HANDSHAKE/CONNECTING */
	uint32_t pending; /* P_* */
	/* guest -> host */
	uint32_t rx_cnt; /* payload bytes taken from the guest */
	uint32_t fwd_cnt; /* of those, written to the host socket */
	uint32_t fwd_reported; /* fwd_cnt the guest last heard of */
	uint8_t *buf; /* VSOCK_BUF_ALLOC ring of bytes the host socket did not take yet */
	uint32_t buf_head, buf_len;
	bool host_writable;
	bool guest_shut_send, guest_shut_rcv, host_wr_shut;
	/* host -> guest */
	uint32_t tx_cnt; /* payload bytes given to the guest */
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	bool host_readable, host_eof, credit_requested;
};

struct vsock_stats {
	uint64_t tx_pkts, rx_pkts, tx_bytes, rx_bytes;
	uint64_t dropped, resets_sent, resets_recv, credit_updates, calls;
};

struct vsock_dev {
	struct vu_dev vu;
	uint64_t guest_cid;
	char *uds_path;
	int vhost_fd, listen_fd, epfd, stop_fd;
	int kick_reg[VU_NQUEUES]; /* kick fd registered in epfd */
	bool ring_started[VU_NQUEUES];
	pthread_t thread;
	bool dead; /* the front-end went away */
	struct vsock_conn *all;
	struct vsock_conn *hash[CONN_HASH];
	struct vsock_conn *pend_head, *pend_tail;
	struct vsock_conn *grave; /* CONN_DEAD, linked by next */
	unsigned nconns;
	struct {
		uint32_t local, peer;
	} orphan[ORPHAN_MAX];
	unsigned norphan;
	uint32_t next_port;
	bool pushed[VU_NQUEUES]; /* used entries not signalled yet */
	long long now_ms;
	struct vsock_stats st;
};

/* conn.c */
struct vsock_conn *conn_new(struct vsock_dev *d, int fd, enum conn_state st);
struct vsock_conn *conn_find(struct vsock_dev *d, uint32_t local, uint32_t peer);
void conn_hash(struct vsock_dev *d, struct vsock_conn *c);
void conn_queue(struct vsock_dev *d, struct vsock_conn *c, uint32_t what);
void conn_unqueue(struct vsock_dev *d, struct vsock_conn *c);
/* Unlink and close now; memory goes at the end of the iteration. */
void conn_destroy(struct vsock_dev *d, struct vsock_conn *c);
/* Abort both ways: close the host socket, RST the guest (if it knows us). */
void conn_reset(struct vsock_dev *d, struct vsock_conn *c);
/* Queue a RST for a packet that matches no connection. */
void conn_orphan_rst(struct vsock_dev *d, uint32_t local, uint32_t peer);
/* Guest payload to the host socket: writes what it can, keeps the rest. */
void conn_deliver(struct vsock_dev *d, struct vsock_conn *c, const struct iovec *iov, unsigned n, uint32_t len);
/* Write buffered bytes to the host socket. */
void conn_flush(struct vsock_dev *d, struct vsock_conn *c);
/* Half-close and close decisions after any change. */
void conn_progress(struct vsock_dev *d, struct vsock_conn *c);
uint32_t conn_peer_credit(const struct vsock_conn *c);
void conn_free_graves(struct vsock_dev *d);
void conn_destroy_all(struct vsock_dev *d);

/* tx.c: drain the guest's tx ring. */
void vsock_process_tx(struct vsock_dev *d);
/* rx.c: fill the guest's rx ring with control packets and host data. */
void vsock_process_rx(struct vsock_dev *d);
/* Signal the rings that got used entries. */
void vsock_signal(struct vsock_dev *d);

#endif
