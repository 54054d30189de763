/*
 * libFuzzer target: the vhost-user message handler (lib/vsock/vhost_user.c)
 * fed a sequence of messages as QEMU would send them, with real memfds for
 * SET_MEM_TABLE (64 KiB each) and eventfds for the ring fds; and, when the
 * first byte is 0, the hybrid-vsock "CONNECT <port>" line parser.
 *
 * Input after byte 0: messages of [u32 request][u32 flags][u32 size]
 * [size bytes], the size clipped to what is left.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vsock/vhost_user.h"
#include "vsock/vsock.h"

static void add_fds(struct vu_msg *m)
{
	m->nfds = 0;
	if (m->request == VU_SET_MEM_TABLE && m->size >= 4) {
		uint32_t n;
		memcpy(&n, m->payload, 4);
		for (uint32_t i = 0; i < n && i < VU_MAX_FDS; i++) {
			int fd = memfd_create("fuzz", MFD_CLOEXEC);
			if (fd < 0 || ftruncate(fd, 65536) < 0)
				abort();
			m->fds[m->nfds++] = fd;
		}
	} else if (m->request == VU_SET_VRING_KICK || m->request == VU_SET_VRING_CALL ||
		   m->request == VU_SET_VRING_ERR) {
		m->fds[m->nfds++] = eventfd(0, EFD_CLOEXEC);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vu_msg m, r;
	struct vu_dev d;
	size_t off = 1;
	if (!size)
		return 0;
	if (data[0] == 0) {
		uint32_t port;
		(void)vsock_parse_connect((const char *)data + 1, size - 1, &port);
		return 0;
	}
	vu_dev_init(&d, 3);
	while (size - off >= VU_HDR_SIZE) {
		struct err e = ERR_INIT;
		memcpy(&m.request, data + off, 4);
		memcpy(&m.flags, data + off + 4, 4);
		memcpy(&m.size, data + off + 8, 4);
		off += VU_HDR_SIZE;
		if (m.size > size - off)
			m.size = (uint32_t)(size - off);
		if (m.size > VU_MAX_PAYLOAD)
			m.size = VU_MAX_PAYLOAD;
		memcpy(m.payload, data + off, m.size);
		off += m.size;
		add_fds(&m);
		memset(&r, 0, sizeof(r));
		if (vu_handle(&d, &m, &r, &e) < 0)
			break;
		if (r.size > VU_MAX_PAYLOAD)
			abort();
		/* touch the rings as the device would */
		for (unsigned i = 0; i < VU_NQUEUES; i++) {
			struct vu_elem el;
			struct vu_vq *q = &d.vq[i];
			if (vu_vq_ready(q) && vu_vq_pop(q, &d.mem, &el) == VU_POP_OK)
				vu_vq_push(q, el.head, 0);
		}
	}
	vu_dev_release(&d);
	return 0;
}
