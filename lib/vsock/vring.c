/* Guest memory translation and split virtqueues (virtio 1.x, section 2.7). */
#include "vsock/vring.h"

#include <endian.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define AVAIL_F_NO_INTERRUPT 1

/* Shared memory the guest may change concurrently: single reads and writes. */
static uint16_t ld16(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED));
}
static void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELAXED);
}
static void st32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, htole32(v), __ATOMIC_RELAXED);
}

void *vu_uva(const struct vu_mem *m, uint64_t uva, uint64_t len)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct vu_region *r = &m->r[i];
		if (uva >= r->uva && uva - r->uva <= r->size && len <= r->size - (uva - r->uva))
			return r->host + (uva - r->uva);
	}
	return NULL;
}

/* Longest prefix of [gpa, gpa+len) inside one region: host pointer and its length. */
static void *gpa_prefix(const struct vu_mem *m, uint64_t gpa, uint64_t len, uint64_t *got)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct vu_region *r = &m->r[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			uint64_t room = r->size - (gpa - r->gpa);
			*got = len < room ? len : room;
			return r->host + (gpa - r->gpa);
		}
	}
	return NULL;
}

void vu_mem_release(struct vu_mem *m)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->r[i].map)
			munmap(m->r[i].map, m->r[i].map_len);
	memset(m, 0, sizeof(*m));
}

void vu_vq_init(struct vu_vq *q)
{
	memset(q, 0, sizeof(*q));
	q->kick_fd = q->call_fd = q->err_fd = -1;
}

bool vu_vq_map(struct vu_vq *q, const struct vu_mem *m)
{
	q->desc = q->avail = q->used = NULL;
	if (!q->addr_set || !q->num)
		return false;
	q->desc = vu_uva(m, q->desc_uva, 16ull * q->num);
	q->avail = vu_uva(m, q->avail_uva, 6ull + 2ull * q->num);
	q->used = vu_uva(m, q->used_uva, 6ull + 8ull * q->num);
	if (!q->desc || !q->avail || !q->used) {
		q->desc = q->avail = q->used = NULL;
		return false;
	}
	return true;
}

bool vu_vq_ready(const struct vu_vq *q)
{
	return q->num && q->desc && q->started && q->enabled && !q->broken;
}

unsigned vu_vq_avail(struct vu_vq *q)
{
	uint16_t n;
	if (!vu_vq_ready(q))
		return 0;
	n = (uint16_t)(ld16(q->avail + 2) - q->last_avail);
	if (n > q->num) {
		q->broken = true; /* the guest claims more entries than the ring holds */
		return 0;
	}
	return n;
}

static bool add_iov(struct vu_elem *el, bool write, void *p, uint64_t len)
{
	struct iovec *v = write ? el->in : el->out;
	unsigned *n = write ? &el->in_n : &el->out_n;
	if (el->in_n + el->out_n >= VU_MAX_IOV)
		return false;
	v[*n].iov_base = p;
	v[*n].iov_len = (size_t)len;
	(*n)++;
	if (write)
		el->in_len += len;
	else
		el->out_len += len;
	return true;
}

/* Walk one chain into el; false if anything about it is wrong. */
static bool walk(const struct vu_vq *q, const struct vu_mem *m, uint16_t head, struct vu_elem *el)
{
	uint16_t i = head;
	unsigned count = 0;
	el->out_n = el->in_n = 0;
	el->out_len = el->in_len = 0;
	for (;;) {
		uint8_t d[16];
		uint64_t addr, left;
		uint32_t len;
		uint16_t flags;
		if (i >= q->num || ++count > q->num)
			return false; /* out of the table, or a loop */
		memcpy(d, q->desc + 16u * i, sizeof(d)); /* one snapshot of the descriptor */
		memcpy(&addr, d, 8);
		memcpy(&len, d + 8, 4);
		memcpy(&flags, d + 12, 2);
		memcpy(&i, d + 14, 2);
		addr = le64toh(addr);
		len = le32toh(len);
		flags = le16toh(flags);
		i = le16toh(i);
		if (flags & DESC_F_INDIRECT)
			return false; /* not negotiated */
		if (!(flags & DESC_F_WRITE) && el->in_n)
			return false; /* readable after writable */
		if (addr + len < addr)
			return false;
		for (left = len; left;) {
			uint64_t got;
			void *p = gpa_prefix(m, addr, left, &got);
			if (!p || !add_iov(el, flags & DESC_F_WRITE, p, got))
				return false;
			addr += got;
			left -= got;
		}
		if (!(flags & DESC_F_NEXT))
			return true;
	}
}

enum vu_pop vu_vq_pop(struct vu_vq *q, const struct vu_mem *m, struct vu_elem *el)
{
	uint16_t head;
	if (!vu_vq_avail(q))
		return VU_POP_EMPTY;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* entries after the index */
	head = ld16(q->avail + 4 + 2u * (q->last_avail % q->num));
	q->last_avail++;
	if (head >= q->num) {
		q->broken = true;
		return VU_POP_EMPTY;
	}
	el->head = head;
	if (!walk(q, m, head, el)) {
		q->n_bad++;
		vu_vq_push(q, head, 0);
		return VU_POP_BAD;
	}
	return VU_POP_OK;
}

void vu_vq_unpop(struct vu_vq *q)
{
	q->last_avail--;
}

void vu_vq_push(struct vu_vq *q, uint16_t head, uint32_t len)
{
	uint8_t *e = q->used + 4 + 8u * (q->used_idx % q->num);
	st32(e, head);
	st32(e + 4, len);
	q->used_idx++;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the entry before the index */
	st16(q->used + 2, q->used_idx);
}

/* virtio's vring_need_event(): did new cross event since old? */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool vu_vq_need_call(struct vu_vq *q)
{
	uint16_t old = q->signalled_used, now = q->used_idx;
	bool valid = q->signalled_valid;
	if (!q->used || q->broken)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* used index before reading the guest's wish */
	q->signalled_used = now;
	q->signalled_valid = true;
	if (!q->event_idx)
		return !(ld16(q->avail) & AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	return need_event(ld16(q->avail + 4 + 2u * q->num), now, old);
}

void vu_vq_call(struct vu_vq *q)
{
	uint64_t one = 1;
	if (q->call_fd >= 0 && vu_vq_need_call(q))
		(void)!write(q->call_fd, &one, sizeof(one));
}

bool vu_vq_arm(struct vu_vq *q)
{
	if (!vu_vq_ready(q))
		return false;
	if (q->event_idx)
		st16(q->used + 4 + 8u * q->num, q->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vu_vq_avail(q) != 0;
}

size_t vu_iov_to_buf(const struct iovec *iov, unsigned cnt, size_t off, void *buf, size_t n)
{
	size_t done = 0;
	for (unsigned i = 0; i < cnt && done < n; i++) {
		size_t l = iov[i].iov_len, c;
		if (off >= l) {
			off -= l;
			continue;
		}
		c = l - off < n - done ? l - off : n - done;
		memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, c);
		done += c;
		off = 0;
	}
	return done;
}

size_t vu_iov_from_buf(const struct iovec *iov, unsigned cnt, size_t off, const void *buf, size_t n)
{
	size_t done = 0;
	for (unsigned i = 0; i < cnt && done < n; i++) {
		size_t l = iov[i].iov_len, c;
		if (off >= l) {
			off -= l;
			continue;
		}
		c = l - off < n - done ? l - off : n - done;
		memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done, c);
		done += c;
		off = 0;
	}
	return done;
}

unsigned vu_iov_slice(const struct iovec *iov, unsigned cnt, size_t off, size_t n, struct iovec *dst, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; i < cnt && n && k < max; i++) {
		size_t l = iov[i].iov_len, c;
		if (off >= l) {
			off -= l;
			continue;
		}
		c = l - off < n ? l - off : n;
		dst[k].iov_base = (uint8_t *)iov[i].iov_base + off;
		dst[k].iov_len = c;
		k++;
		n -= c;
		off = 0;
	}
	return k;
}
