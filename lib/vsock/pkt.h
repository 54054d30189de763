/* The virtio-vsock packet header (virtio 1.2, 5.10.6) and its constants. */
#ifndef A3S_VSOCK_PKT_H
#define A3S_VSOCK_PKT_H

#include <stdint.h>

struct vsock_hdr {
	uint64_t src_cid;
	uint64_t dst_cid;
	uint32_t src_port;
	uint32_t dst_port;
	uint32_t len;
	uint16_t type;
	uint16_t op;
	uint32_t flags;
	uint32_t buf_alloc;
	uint32_t fwd_cnt;
} __attribute__((packed));

#define VSOCK_HDR_SIZE 44
_Static_assert(sizeof(struct vsock_hdr) == VSOCK_HDR_SIZE, "virtio_vsock_hdr is 44 bytes");

#define VSOCK_TYPE_STREAM 1

enum vsock_op {
	VSOCK_OP_INVALID = 0,
	VSOCK_OP_REQUEST = 1,
	VSOCK_OP_RESPONSE = 2,
	VSOCK_OP_RST = 3,
	VSOCK_OP_SHUTDOWN = 4,
	VSOCK_OP_RW = 5,
	VSOCK_OP_CREDIT_UPDATE = 6,
	VSOCK_OP_CREDIT_REQUEST = 7,
};

#define VSOCK_SHUTDOWN_RCV 1u
#define VSOCK_SHUTDOWN_SEND 2u

/* Largest payload in one packet (Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE). */
#define VSOCK_MAX_PKT_PAYLOAD (64u * 1024)

#endif
