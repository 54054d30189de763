/* vhost-user back-end: message I/O and the protocol state (see vhost_user.h). */
#include "vsock/vhost_user.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define OFFERED_FEATURES                                                                      \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_EVENT_IDX) |                   \
	 (1ull << VU_F_PROTOCOL_FEATURES))
#define OFFERED_PROTOCOL ((1ull << VU_PROTOCOL_F_REPLY_ACK) | (1ull << VU_PROTOCOL_F_CONFIG))
#define VSOCK_CONFIG_SIZE 8 /* struct virtio_vsock_config: le64 guest_cid */

const char *vu_request_name(uint32_t req)
{
	static const char *const names[] = {
		[VU_GET_FEATURES] = "GET_FEATURES",
		[VU_SET_FEATURES] = "SET_FEATURES",
		[VU_SET_OWNER] = "SET_OWNER",
		[VU_RESET_OWNER] = "RESET_OWNER",
		[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VU_SET_LOG_BASE] = "SET_LOG_BASE",
		[VU_SET_LOG_FD] = "SET_LOG_FD",
		[VU_SET_VRING_NUM] = "SET_VRING_NUM",
		[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VU_SET_VRING_BASE] = "SET_VRING_BASE",
		[VU_GET_VRING_BASE] = "GET_VRING_BASE",
		[VU_SET_VRING_KICK] = "SET_VRING_KICK",
		[VU_SET_VRING_CALL] = "SET_VRING_CALL",
		[VU_SET_VRING_ERR] = "SET_VRING_ERR",
		[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VU_GET_CONFIG] = "GET_CONFIG",
		[VU_SET_CONFIG] = "SET_CONFIG",
		[VU_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	};
	if (req < sizeof(names) / sizeof(names[0]) && names[req])
		return names[req];
	return "unknown";
}

void vu_dev_init(struct vu_dev *d, uint64_t guest_cid)
{
	memset(d, 0, sizeof(*d));
	d->guest_cid = guest_cid;
	for (unsigned i = 0; i < VU_NQUEUES; i++)
		vu_vq_init(&d->vq[i]);
}

static void closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void reset_rings(struct vu_dev *d)
{
	for (unsigned i = 0; i < VU_NQUEUES; i++) {
		struct vu_vq *q = &d->vq[i];
		closefd(&q->kick_fd);
		closefd(&q->call_fd);
		closefd(&q->err_fd);
		vu_vq_init(q);
		if (d->ring_changed)
			d->ring_changed(d, i, d->opaque);
	}
}

void vu_dev_release(struct vu_dev *d)
{
	void (*cb)(struct vu_dev *, unsigned, void *) = d->ring_changed;
	d->ring_changed = NULL;
	reset_rings(d);
	d->ring_changed = cb;
	vu_mem_release(&d->mem);
}

void vu_msg_close_fds(struct vu_msg *m)
{
	for (unsigned i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

static int read_full(int fd, void *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = read(fd, (char *)p + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		done += (size_t)r;
	}
	return 1;
}

int vu_recv(int fd, struct vu_msg *m, struct err *e)
{
	uint32_t hdr[3];
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {hdr, sizeof(hdr)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf)};
	ssize_t r;
	m->nfds = 0;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 1;
	if (r < 0)
		return err_sys(e, errno, "reading from the vhost-user front-end");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (m->nfds < VU_MAX_FDS)
				m->fds[m->nfds++] = f;
			else
				close(f);
		}
	}
	if ((size_t)r < sizeof(hdr) || (mh.msg_flags & MSG_CTRUNC)) {
		vu_msg_close_fds(m);
		return err_set(e, "truncated vhost-user message from the front-end");
	}
	m->request = hdr[0];
	m->flags = hdr[1];
	m->size = hdr[2];
	if (m->size > VU_MAX_PAYLOAD) {
		vu_msg_close_fds(m);
		return err_set(e, "vhost-user message %u too large (%u bytes)", m->request, m->size);
	}
	if (m->size) {
		int rr = read_full(fd, m->payload, m->size);
		if (rr <= 0) {
			vu_msg_close_fds(m);
			return rr == 0 ? 1 : err_sys(e, errno, "reading from the vhost-user front-end");
		}
	}
	return 0;
}

int vu_send(int fd, const struct vu_msg *m, struct err *e)
{
	uint32_t hdr[3] = {m->request, m->flags, m->size};
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)m->payload, m->size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t r;
	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(e, errno, "writing to the vhost-user front-end");
	if ((size_t)r != sizeof(hdr) + m->size)
		return err_set(e, "short write to the vhost-user front-end");
	return 0;
}

static void reply_u64(const struct vu_msg *m, struct vu_msg *r, uint64_t v)
{
	r->request = m->request;
	r->flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
	r->size = 8;
	memcpy(r->payload, &v, 8);
}

static int want(const struct vu_msg *m, uint32_t size, struct err *e)
{
	if (m->size < size)
		return err_set(e, "vhost-user %s: payload of %u bytes, expected %u", vu_request_name(m->request),
			       m->size, size);
	return 0;
}

static uint32_t u32at(const struct vu_msg *m, size_t off)
{
	uint32_t v;
	memcpy(&v, m->payload + off, 4);
	return v;
}
static uint64_t u64at(const struct vu_msg *m, size_t off)
{
	uint64_t v;
	memcpy(&v, m->payload + off, 8);
	return v;
}

static struct vu_vq *ring(struct vu_dev *d, uint32_t idx, const struct vu_msg *m, struct err *e)
{
	if (idx >= VU_NQUEUES) {
		err_set(e, "vhost-user %s: no ring %u (the device has %d)", vu_request_name(m->request), idx,
			VU_NQUEUES);
		return NULL;
	}
	return &d->vq[idx];
}

static int set_mem_table(struct vu_dev *d, struct vu_msg *m, struct err *e)
{
	struct vu_mem next = {0};
	uint32_t n;
	if (want(m, 8, e) < 0)
		return -1;
	n = u32at(m, 0);
	if (n == 0 || n > VU_MAX_REGIONS || m->size < 8 + 32 * n || m->nfds != n)
		return err_set(e, "vhost-user SET_MEM_TABLE: %u regions with %u fds", n, m->nfds);
	for (uint32_t i = 0; i < n; i++) {
		struct vu_region *r = &next.r[i];
		uint64_t off = u64at(m, 8 + 32 * i + 24);
		struct stat st;
		void *p;
		r->gpa = u64at(m, 8 + 32 * i);
		r->size = u64at(m, 8 + 32 * i + 8);
		r->uva = u64at(m, 8 + 32 * i + 16);
		if (!r->size || off + r->size < off || r->gpa + r->size < r->gpa || r->uva + r->size < r->uva ||
		    fstat(m->fds[i], &st) < 0 || (uint64_t)st.st_size < off + r->size) {
			vu_mem_release(&next);
			return err_set(e, "vhost-user SET_MEM_TABLE: region %u does not fit its file", i);
		}
		p = mmap(NULL, (size_t)(off + r->size), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fds[i],
			 0);
		if (p == MAP_FAILED) {
			int en = errno;
			vu_mem_release(&next);
			return err_sys(e, en, "mapping guest memory region %u", i);
		}
		r->map = p;
		r->map_len = (size_t)(off + r->size);
		r->host = (uint8_t *)p + off;
		next.n = i + 1;
	}
	vu_msg_close_fds(m);
	vu_mem_release(&d->mem);
	d->mem = next;
	for (unsigned i = 0; i < VU_NQUEUES; i++)
		if (d->vq[i].addr_set)
			vu_vq_map(&d->vq[i], &d->mem);
	return 0;
}

/* SET_VRING_KICK/CALL/ERR: u64 with the ring index in bits 0-7, bit 8 = no fd. */
static int set_ring_fd(struct vu_dev *d, struct vu_msg *m, struct err *e)
{
	struct vu_vq *q;
	uint64_t v;
	int fd = -1, *slot;
	if (want(m, 8, e) < 0)
		return -1;
	v = u64at(m, 0);
	if (!(q = ring(d, (uint32_t)(v & 0xff), m, e)))
		return -1;
	if (!(v & 0x100)) {
		if (m->nfds != 1)
			return err_set(e, "vhost-user %s: expected one fd, got %u", vu_request_name(m->request),
				       m->nfds);
		fd = m->fds[0];
		m->nfds = 0;
	}
	slot = m->request == VU_SET_VRING_KICK ? &q->kick_fd : m->request == VU_SET_VRING_CALL ? &q->call_fd : &q->err_fd;
	closefd(slot);
	*slot = fd;
	if (m->request == VU_SET_VRING_KICK) {
		/* the ring starts when it gets its kick fd (or polling mode) */
		q->started = true;
		if (!(d->features & (1ull << VU_F_PROTOCOL_FEATURES)))
			q->enabled = true;
		q->signalled_valid = false;
	}
	if (d->ring_changed)
		d->ring_changed(d, (uint32_t)(v & 0xff), d->opaque);
	return 0;
}

static int handle(struct vu_dev *d, struct vu_msg *m, struct vu_msg *r, bool *replied, struct err *e)
{
	struct vu_vq *q;
	switch (m->request) {
	case VU_GET_FEATURES:
		reply_u64(m, r, OFFERED_FEATURES);
		*replied = true;
		return 0;
	case VU_SET_FEATURES:
		if (want(m, 8, e) < 0)
			return -1;
		d->features = u64at(m, 0) & OFFERED_FEATURES;
		for (unsigned i = 0; i < VU_NQUEUES; i++)
			d->vq[i].event_idx = d->features & (1ull << VIRTIO_RING_F_EVENT_IDX);
		return 0;
	case VU_GET_PROTOCOL_FEATURES:
		reply_u64(m, r, OFFERED_PROTOCOL);
		*replied = true;
		return 0;
	case VU_SET_PROTOCOL_FEATURES:
		if (want(m, 8, e) < 0)
			return -1;
		d->protocol_features = u64at(m, 0) & OFFERED_PROTOCOL;
		return 0;
	case VU_SET_OWNER:
		d->owned = true;
		return 0;
	case VU_RESET_OWNER:
		reset_rings(d);
		d->features = 0;
		d->owned = false;
		return 0;
	case VU_SET_MEM_TABLE:
		return set_mem_table(d, m, e);
	case VU_GET_QUEUE_NUM:
		reply_u64(m, r, VU_NQUEUES);
		*replied = true;
		return 0;
	case VU_SET_VRING_NUM:
		if (want(m, 8, e) < 0 || !(q = ring(d, u32at(m, 0), m, e)))
			return -1;
		if (u32at(m, 4) == 0 || u32at(m, 4) > VU_MAX_QUEUE_SIZE)
			return err_set(e, "vhost-user SET_VRING_NUM: bad ring size %u", u32at(m, 4));
		q->num = (uint16_t)u32at(m, 4);
		vu_vq_map(q, &d->mem);
		return 0;
	case VU_SET_VRING_ADDR:
		if (want(m, 40, e) < 0 || !(q = ring(d, u32at(m, 0), m, e)))
			return -1;
		q->desc_uva = u64at(m, 8);
		q->used_uva = u64at(m, 16);
		q->avail_uva = u64at(m, 24);
		q->addr_set = true;
		if (!vu_vq_map(q, &d->mem))
			return err_set(e, "vhost-user SET_VRING_ADDR: ring %u is outside guest memory", u32at(m, 0));
		q->used_idx = le16toh(*(uint16_t *)(void *)(q->used + 2));
		return 0;
	case VU_SET_VRING_BASE:
		if (want(m, 8, e) < 0 || !(q = ring(d, u32at(m, 0), m, e)))
			return -1;
		q->last_avail = (uint16_t)u32at(m, 4);
		q->used_idx = q->last_avail;
		q->signalled_valid = false;
		return 0;
	case VU_GET_VRING_BASE:
		if (want(m, 8, e) < 0 || !(q = ring(d, u32at(m, 0), m, e)))
			return -1;
		q->started = false;
		q->enabled = false;
		closefd(&q->kick_fd);
		if (d->ring_changed)
			d->ring_changed(d, u32at(m, 0), d->opaque);
		r->request = m->request;
		r->flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
		r->size = 8;
		memcpy(r->payload, m->payload, 4);
		{
			uint32_t base = q->last_avail;
			memcpy(r->payload + 4, &base, 4);
		}
		*replied = true;
		return 0;
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return set_ring_fd(d, m, e);
	case VU_SET_VRING_ENABLE:
		if (want(m, 8, e) < 0 || !(q = ring(d, u32at(m, 0), m, e)))
			return -1;
		q->enabled = u32at(m, 4) != 0;
		if (d->ring_changed)
			d->ring_changed(d, u32at(m, 0), d->opaque);
		return 0;
	case VU_GET_CONFIG: {
		uint32_t off, size;
		uint8_t cfg[VSOCK_CONFIG_SIZE];
		if (want(m, 12, e) < 0)
			return -1;
		off = u32at(m, 0);
		size = u32at(m, 4);
		if (size > VU_MAX_PAYLOAD - 12 || m->size != 12 + size)
			return err_set(e, "vhost-user GET_CONFIG: bad size %u", size);
		uint64_t cid = htole64(d->guest_cid);
		memcpy(cfg, &cid, 8);
		memcpy(r->payload, m->payload, 12);
		memset(r->payload + 12, 0, size);
		if (off < VSOCK_CONFIG_SIZE)
			memcpy(r->payload + 12, cfg + off, size < VSOCK_CONFIG_SIZE - off ? size : VSOCK_CONFIG_SIZE - off);
		r->request = m->request;
		r->flags = VU_FLAG_VERSION | VU_FLAG_REPLY;
		r->size = 12 + size;
		*replied = true;
		return 0;
	}
	case VU_SET_CONFIG:
		return 0; /* the vsock config space is read-only */
	default:
		err_set(e, "vhost-user request %u (%s) is not supported", m->request, vu_request_name(m->request));
		return -2;
	}
}

int vu_handle(struct vu_dev *d, struct vu_msg *m, struct vu_msg *reply, struct err *e)
{
	bool replied = false;
	int rc;
	if (d->trace)
		fprintf(stderr, "vhost-user: %s (%u) flags=%#x size=%u fds=%u\n", vu_request_name(m->request),
			m->request, m->flags, m->size, m->nfds);
	rc = handle(d, m, reply, &replied, e);
	vu_msg_close_fds(m);
	if (replied)
		return 1;
	if ((m->flags & VU_FLAG_NEED_REPLY) && (d->protocol_features & (1ull << VU_PROTOCOL_F_REPLY_ACK))) {
		/* REPLY_ACK: 0 success, non-zero failure; the connection stays */
		if (rc < 0)
			fprintf(stderr, "a3s-box vsock: %s\n", e->msg);
		reply_u64(m, reply, rc < 0 ? 1 : 0);
		return 1;
	}
	if (rc == -2) {
		/* no reply expected: say so and carry on */
		fprintf(stderr, "a3s-box vsock: %s; ignored\n", e->msg);
		return 0;
	}
	return rc < 0 ? -1 : 0;
}
