/*
 * libFuzzer target: the vsock device's guest-facing side. The input is the
 * guest's memory (rings, descriptors, packet headers and payloads) plus the
 * ring sizes; the device drains the tx ring and fills the rx ring against
 * two live connections backed by socketpairs. ASan checks that nothing is
 * read or written outside the (exactly sized) guest memory regions.
 *
 * Layout (QEMU virtual addresses = 0x100000 + guest physical):
 *   tx ring: desc 0x0000, avail 0x1000, used 0x1400
 *   rx ring: desc 0x2000, avail 0x3000, used 0x3400
 *   region 0: gpa 0..32 KiB; region 1: gpa 32..64 KiB (a separate buffer)
 * Input: byte 0 = tx ring size, byte 1 = rx ring size, byte 2 = flags
 * (bit 0 EVENT_IDX), then the memory image.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vsock/dev_int.h"

#define HALF (32u * 1024)
#define UVA 0x100000u

static void ring(struct vu_vq *q, uint16_t num, uint64_t base, bool event_idx, const struct vu_mem *m)
{
	q->num = num;
	q->desc_uva = UVA + base;
	q->avail_uva = UVA + base + 0x1000;
	q->used_uva = UVA + base + 0x1400;
	q->addr_set = true;
	q->started = q->enabled = true;
	q->event_idx = event_idx;
	vu_vq_map(q, m);
}

static struct vsock_conn *conn(struct vsock_dev *d, int *peer, uint32_t local, uint32_t port, enum conn_state st)
{
	int sp[2];
	struct vsock_conn *c;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0)
		abort();
	/* a tiny send buffer, so that payloads get buffered and flushed later */
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &(int){4096}, sizeof(int));
	c = conn_new(d, sp[0], st);
	c->local_port = local;
	c->peer_port = port;
	c->peer_buf_alloc = 65536;
	c->host_readable = true;
	conn_hash(d, c);
	*peer = sp[1];
	(void)!write(sp[1], "host data", 9);
	return c;
}

static void drain(int fd)
{
	char buf[65536];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vsock_dev d;
	uint8_t *lo, *hi;
	int p1, p2;
	if (size < 3)
		return 0;
	lo = calloc(1, HALF);
	hi = calloc(1, HALF);
	memcpy(lo, data + 3, size - 3 < HALF ? size - 3 : HALF);
	if (size - 3 > HALF)
		memcpy(hi, data + 3 + HALF, size - 3 - HALF < HALF ? size - 3 - HALF : HALF);
	memset(&d, 0, sizeof(d));
	vu_dev_init(&d.vu, 3);
	d.guest_cid = 3;
	d.epfd = d.listen_fd = d.vhost_fd = d.stop_fd = -1;
	d.next_port = FIRST_LOCAL_PORT;
	d.vu.mem.n = 2;
	d.vu.mem.r[0] = (struct vu_region){.gpa = 0, .size = HALF, .uva = UVA, .host = lo};
	d.vu.mem.r[1] = (struct vu_region){.gpa = HALF, .size = HALF, .uva = UVA + HALF, .host = hi};
	ring(&d.vu.vq[TX_RING], (uint16_t)(data[0] ? data[0] : 256), 0x0000, data[2] & 1, &d.vu.mem);
	ring(&d.vu.vq[RX_RING], (uint16_t)(data[1] ? data[1] : 256), 0x2000, data[2] & 1, &d.vu.mem);
	conn(&d, &p1, 1000, 2000, CONN_ESTABLISHED);
	conn(&d, &p2, FIRST_LOCAL_PORT, 5000, CONN_CONNECTING);
	for (int round = 0; round < 2; round++) {
		vsock_process_tx(&d);
		vsock_process_rx(&d);
		vu_vq_need_call(&d.vu.vq[TX_RING]);
		vu_vq_need_call(&d.vu.vq[RX_RING]);
		vu_vq_arm(&d.vu.vq[TX_RING]);
		vu_vq_arm(&d.vu.vq[RX_RING]);
		vsock_signal(&d);
		drain(p1);
		drain(p2);
		for (struct vsock_conn *c = d.all, *n; c; c = n) {
			n = c->next;
			c->host_writable = true;
			conn_flush(&d, c);
			conn_progress(&d, c);
		}
		conn_free_graves(&d);
	}
	conn_destroy_all(&d);
	conn_free_graves(&d);
	close(p1);
	close(p2);
	free(lo);
	free(hi);
	return 0;
}
