/*
 * The back-end side of the vhost-user protocol (QEMU's docs/interop/
 * vhost-user.rst) for a device with two rings: what a vhost-user-vsock
 * device needs (rx = 0, tx = 1; QEMU keeps the event queue itself).
 *
 * vu_recv() reads one message and its file descriptors from the front-end
 * socket; vu_handle() applies it to a struct vu_dev and says whether a reply
 * must be sent. Both are independent of the vsock device so that they can
 * be fuzzed on their own.
 */
#ifndef A3S_VSOCK_VHOST_USER_H
#define A3S_VSOCK_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "vsock/vring.h"

#define VU_NQUEUES 2
#define VU_MAX_FDS 8
#define VU_HDR_SIZE 12
#define VU_MAX_PAYLOAD 4096

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_GET_MAX_MEM_SLOTS = 36,
};

#define VU_FLAG_VERSION 0x1u
#define VU_FLAG_REPLY 0x4u
#define VU_FLAG_NEED_REPLY 0x8u

#define VU_F_PROTOCOL_FEATURES 30
#define VU_PROTOCOL_F_REPLY_ACK 3
#define VU_PROTOCOL_F_CONFIG 9
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_RING_F_EVENT_IDX 29

struct vu_msg {
	uint32_t request, flags, size;
	uint8_t payload[VU_MAX_PAYLOAD];
	int fds[VU_MAX_FDS];
	unsigned nfds;
};

struct vu_dev {
	uint64_t features; /* acked by the front-end */
	uint64_t protocol_features;
	uint64_t guest_cid;
	bool owned;
	struct vu_mem mem;
	struct vu_vq vq[VU_NQUEUES];
	/* Called after a ring's kick fd, start or stop changed (may be NULL). */
	void (*ring_changed)(struct vu_dev *d, unsigned idx, void *opaque);
	void *opaque;
	int trace; /* log each message to stderr */
};

void vu_dev_init(struct vu_dev *d, uint64_t guest_cid);
/* Close the ring fds and unmap guest memory. */
void vu_dev_release(struct vu_dev *d);

/*
 * Read one message (blocking). 0 = message, 1 = the front-end closed the
 * socket, -1 = error (e filled). Received fds are owned by m.
 */
int vu_recv(int fd, struct vu_msg *m, struct err *e);
/* Close the fds still owned by m. */
void vu_msg_close_fds(struct vu_msg *m);
/*
 * Apply m to d. Takes the fds it keeps (and closes the others). Returns 1
 * with reply filled when one must be sent, 0 when none, -1 when the message
 * is unusable and the connection must be dropped (e filled).
 */
int vu_handle(struct vu_dev *d, struct vu_msg *m, struct vu_msg *reply, struct err *e);
/* Send a reply. 0, or -1 with e filled. */
int vu_send(int fd, const struct vu_msg *m, struct err *e);
const char *vu_request_name(uint32_t req);

#endif
