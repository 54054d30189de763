/* lib/vsock: handshake line, ring parsing on fake guest memory, vhost-user replies. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util/io.h"
#include "util/xalloc.h"
#include "vsock/vhost_user.h"
#include "vsock/vring.h"
#include "vsock/vsock.h"

TEST(parse_connect)
{
	uint32_t p = 0;
	CHECK(vsock_parse_connect("CONNECT 4089", 12, &p) == 0 && p == 4089);
	CHECK(vsock_parse_connect("CONNECT 4294967295", 18, &p) == 0 && p == 4294967295u);
	CHECK(vsock_parse_connect("CONNECT 4294967296", 18, &p) < 0);
	CHECK(vsock_parse_connect("CONNECT ", 8, &p) < 0);
	CHECK(vsock_parse_connect("CONNECT 12a", 11, &p) < 0);
	CHECK(vsock_parse_connect("CONNECT -1", 10, &p) < 0);
	CHECK(vsock_parse_connect("connect 1", 9, &p) < 0);
	CHECK(vsock_parse_connect("CONNECT 00000000001", 19, &p) < 0);
}

/* 8 KiB of guest memory in two regions (gpa 0-4K and 4K-8K, separate buffers). */
struct fake {
	uint8_t *lo, *hi;
	struct vu_mem m;
	struct vu_vq q;
};

static void fake_init(struct fake *f, uint16_t num)
{
	f->lo = calloc(1, 4096);
	f->hi = calloc(1, 4096);
	memset(&f->m, 0, sizeof(f->m));
	f->m.n = 2;
	f->m.r[0] = (struct vu_region){.gpa = 0, .size = 4096, .uva = 0x10000, .host = f->lo};
	f->m.r[1] = (struct vu_region){.gpa = 4096, .size = 4096, .uva = 0x11000, .host = f->hi};
	vu_vq_init(&f->q);
	f->q.num = num;
	f->q.desc_uva = 0x10000;
	f->q.avail_uva = 0x10400;
	f->q.used_uva = 0x10600;
	f->q.addr_set = f->q.started = f->q.enabled = true;
}

static void fake_release(struct fake *f)
{
	free(f->lo);
	free(f->hi);
}

static void desc(struct fake *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	memcpy(f->lo + 16 * i, &addr, 8);
	memcpy(f->lo + 16 * i + 8, &len, 4);
	memcpy(f->lo + 16 * i + 12, &flags, 2);
	memcpy(f->lo + 16 * i + 14, &next, 2);
}

static void avail(struct fake *f, uint16_t idx, const uint16_t *heads)
{
	memcpy(f->lo + 0x402, &idx, 2);
	for (uint16_t i = 0; i < idx; i++)
		memcpy(f->lo + 0x404 + 2 * (i % f->q.num), &heads[i], 2);
}

TEST(ring_chain_across_regions)
{
	struct fake f;
	struct vu_elem el;
	uint16_t heads[] = {0};
	uint16_t used_idx;
	fake_init(&f, 8);
	CHECK(vu_vq_map(&f.q, &f.m));
	desc(&f, 0, 0x800, 44, 1, 1); /* readable header */
	desc(&f, 1, 4000, 200, 3, 2); /* writable, crosses into the second region */
	desc(&f, 2, 5000, 10, 2, 0);
	avail(&f, 1, heads);
	CHECK(vu_vq_pop(&f.q, &f.m, &el) == VU_POP_OK);
	CHECK(el.out_n == 1 && el.out_len == 44);
	CHECK(el.in_n == 3 && el.in_len == 210);
	CHECK(el.in[0].iov_base == f.lo + 4000 && el.in[0].iov_len == 96);
	CHECK(el.in[1].iov_base == f.hi && el.in[1].iov_len == 104);
	vu_vq_push(&f.q, el.head, 7);
	memcpy(&used_idx, f.lo + 0x602, 2);
	CHECK(used_idx == 1);
	CHECK(vu_vq_pop(&f.q, &f.m, &el) == VU_POP_EMPTY);
	fake_release(&f);
}

TEST(ring_rejects_bad_chains)
{
	struct fake f;
	struct vu_elem el;
	uint16_t heads[] = {0, 2, 3, 4, 5};
	fake_init(&f, 8);
	CHECK(vu_vq_map(&f.q, &f.m));
	desc(&f, 0, 0x800, 16, 1, 1);
	desc(&f, 1, 0x810, 16, 1, 0); /* loop 0 -> 1 -> 0 */
	desc(&f, 2, 8000, 500, 0, 0); /* past the end of memory */
	desc(&f, 3, 0x800, 16, 3, 7); /* writable then ... */
	desc(&f, 7, 0x800, 16, 0, 0); /* ... readable: wrong order */
	desc(&f, 4, 0x800, 16, 4, 0); /* indirect: not negotiated */
	desc(&f, 5, 0x800, 16, 1, 9); /* next outside the table */
	avail(&f, 5, heads);
	for (int i = 0; i < 5; i++)
		CHECK(vu_vq_pop(&f.q, &f.m, &el) == VU_POP_BAD);
	CHECK(f.q.n_bad == 5 && !f.q.broken);
	/* an index running more than the ring size ahead breaks the ring */
	avail(&f, 5 + 9, (uint16_t[14]){0});
	CHECK(vu_vq_pop(&f.q, &f.m, &el) == VU_POP_EMPTY);
	CHECK(f.q.broken);
	fake_release(&f);
}

TEST(ring_outside_memory)
{
	struct fake f;
	fake_init(&f, 256); /* 4 KiB of descriptors at 0x10000: fits; the used ring does not */
	f.q.used_uva = 0x11f00;
	CHECK(!vu_vq_map(&f.q, &f.m));
	CHECK(!vu_vq_ready(&f.q));
	fake_release(&f);
}

TEST(vhost_user_config_and_features)
{
	struct vu_dev d;
	struct vu_msg m = {0}, r = {0};
	struct err e = ERR_INIT;
	uint64_t v;
	vu_dev_init(&d, 42);
	m.request = VU_GET_FEATURES;
	m.flags = VU_FLAG_VERSION;
	CHECK(vu_handle(&d, &m, &r, &e) == 1);
	memcpy(&v, r.payload, 8);
	CHECK(r.size == 8 && (v & (1ull << VIRTIO_F_VERSION_1)) && (v & (1ull << VU_F_PROTOCOL_FEATURES)));
	m.request = VU_GET_CONFIG;
	m.size = 20;
	memset(m.payload, 0, 20);
	m.payload[4] = 8; /* size */
	CHECK(vu_handle(&d, &m, &r, &e) == 1);
	memcpy(&v, r.payload + 12, 8);
	CHECK(r.size == 20 && v == 42);
	/* ring index out of range: the connection is dropped */
	m.request = VU_SET_VRING_NUM;
	m.size = 8;
	m.payload[0] = 5;
	CHECK(vu_handle(&d, &m, &r, &e) < 0);
	/* an unknown request asking for an ack gets a failed one */
	m.request = VU_SET_PROTOCOL_FEATURES;
	v = 1ull << VU_PROTOCOL_F_REPLY_ACK;
	memcpy(m.payload, &v, 8);
	CHECK(vu_handle(&d, &m, &r, &e) == 0);
	m.request = 99;
	m.flags = VU_FLAG_VERSION | VU_FLAG_NEED_REPLY;
	m.size = 0;
	CHECK(vu_handle(&d, &m, &r, &e) == 1);
	memcpy(&v, r.payload, 8);
	CHECK(v != 0);
	vu_dev_release(&d);
}

TEST(start_errors)
{
	struct vsock_dev *d = NULL;
	struct err e = ERR_INIT;
	CHECK(vsock_dev_start(&d, &(struct vsock_dev_config){.guest_cid = 2, .uds_path = "/tmp/x", .vhost_fd = 0}, &e) < 0);
	CHECK(strstr(e.msg, "reserved"));
	CHECK(vsock_dev_start(&d, &(struct vsock_dev_config){.guest_cid = 3, .uds_path = "/nonexistent/dir/v.sock",
							      .vhost_fd = 0},
			      &e) < 0);
	CHECK(strstr(e.msg, "/nonexistent/dir/v.sock"));
	CHECK(vsock_connect("/nonexistent/v.sock", 1, 100, &e) < 0);
	vsock_dev_stop(NULL);
}

TEST(lifecycle_without_guest)
{
	char dir[] = "/tmp/a3s-vsock-unit.XXXXXX", *path;
	struct vsock_dev *d = NULL, *d2 = NULL;
	struct err e = ERR_INIT;
	struct stat st;
	int sp[2], sp2[2];
	long long t;
	CHECK(mkdtemp(dir));
	path = xasprintf("%s/v.sock", dir);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp2) == 0);
	CHECK(vsock_dev_start(&d, &(struct vsock_dev_config){.guest_cid = 3, .uds_path = path, .vhost_fd = sp[0]}, &e) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* a second device on the same socket is refused; the first one is untouched */
	CHECK(vsock_dev_start(&d2, &(struct vsock_dev_config){.guest_cid = 3, .uds_path = path, .vhost_fd = sp2[0]}, &e) < 0);
	CHECK(e.kind == ERR_CONFLICT && strstr(e.msg, "in use"));
	/* QEMU goes away: CONNECTs are turned down at once */
	close(sp[1]);
	t = io_now_ms();
	CHECK(vsock_connect(path, 4089, 3000, &e) < 0);
	CHECK(io_now_ms() - t < 2000);
	vsock_dev_stop(d);
	CHECK(stat(path, &st) < 0);
	close(sp2[0]);
	close(sp2[1]);
	rmdir(dir);
	free(path);
}

int main(void)
{
	RUN(parse_connect);
	RUN(ring_chain_across_regions);
	RUN(ring_rejects_bad_chains);
	RUN(ring_outside_memory);
	RUN(vhost_user_config_and_features);
	RUN(start_errors);
	RUN(lifecycle_without_guest);
	return unit_done();
}
