/*
 * Guest memory and split virtqueues for a vhost-user backend (vu_ prefix).
 *
 * Everything here reads memory the guest can write at any time: descriptor
 * indices, addresses and lengths are copied once, then checked against the
 * memory table and the ring size before use. A malformed chain is reported
 * (VU_POP_BAD) and handed back to the guest with length 0; a ring whose
 * indices make no sense is marked broken and no longer processed.
 */
#ifndef A3S_VSOCK_VRING_H
#define A3S_VSOCK_VRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VU_MAX_REGIONS 8
#define VU_MAX_QUEUE_SIZE 32768
/* iovec entries per element (descriptors times region crossings) */
#define VU_MAX_IOV 32

struct vu_region {
	uint64_t gpa; /* guest physical address */
	uint64_t size;
	uint64_t uva; /* QEMU's virtual address (ring addresses use these) */
	uint8_t *host; /* our mapping of gpa */
	void *map; /* what to munmap, or NULL when not ours (tests, fuzzing) */
	size_t map_len;
};

struct vu_mem {
	unsigned n;
	struct vu_region r[VU_MAX_REGIONS];
};

/* Host pointer for QEMU virtual addresses [uva, uva+len) in one region, else NULL. */
void *vu_uva(const struct vu_mem *m, uint64_t uva, uint64_t len);
/* Unmap every region we mapped and empty the table. */
void vu_mem_release(struct vu_mem *m);

struct vu_vq {
	uint16_t num; /* 0 = not configured */
	uint64_t desc_uva, avail_uva, used_uva;
	bool addr_set;
	uint8_t *desc, *avail, *used; /* translated, or NULL */
	uint16_t last_avail; /* next avail entry we will take */
	uint16_t used_idx; /* next used entry we will fill (shadow of used->idx) */
	uint16_t signalled_used;
	bool signalled_valid;
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool started; /* kick fd received since the last GET_VRING_BASE */
	bool enabled;
	bool broken; /* the guest corrupted the ring: stop touching it */
	int kick_fd, call_fd, err_fd;
	uint64_t n_bad; /* malformed chains handed back */
};

struct vu_elem {
	uint16_t head;
	unsigned out_n, in_n;
	size_t out_len, in_len;
	struct iovec out[VU_MAX_IOV]; /* device-readable */
	struct iovec in[VU_MAX_IOV]; /* device-writable */
};

void vu_vq_init(struct vu_vq *q);
/* (Re)translate the ring addresses; false (and rings NULL) if they do not fit. */
bool vu_vq_map(struct vu_vq *q, const struct vu_mem *m);
/* Ready to be processed: configured, mapped, started, enabled, not broken. */
bool vu_vq_ready(const struct vu_vq *q);

enum vu_pop { VU_POP_EMPTY = 0, VU_POP_OK = 1, VU_POP_BAD = 2 };
/*
 * Take the next available chain. VU_POP_BAD: the chain was malformed; it has
 * already been returned to the guest (used, length 0) and el is unusable.
 * VU_POP_EMPTY is also returned when the ring is (or just became) broken.
 */
enum vu_pop vu_vq_pop(struct vu_vq *q, const struct vu_mem *m, struct vu_elem *el);
/* Give back the last popped element unused (it will be popped again). */
void vu_vq_unpop(struct vu_vq *q);
/* Return an element to the guest with len bytes written. */
void vu_vq_push(struct vu_vq *q, uint16_t head, uint32_t len);
/* Whether the guest wants an interrupt for what was pushed since the last call. */
bool vu_vq_need_call(struct vu_vq *q);
/* Signal the guest if it wants it (writes call_fd). */
void vu_vq_call(struct vu_vq *q);
/*
 * Ask the guest for a kick when it adds buffers, then report whether some
 * arrived meanwhile (true: process again before sleeping).
 */
bool vu_vq_arm(struct vu_vq *q);
/* Entries available now (0 when the ring is not ready). */
unsigned vu_vq_avail(struct vu_vq *q);

/* Copy up to n bytes at offset off of an iovec array; returns bytes copied. */
size_t vu_iov_to_buf(const struct iovec *iov, unsigned cnt, size_t off, void *buf, size_t n);
size_t vu_iov_from_buf(const struct iovec *iov, unsigned cnt, size_t off, const void *buf, size_t n);
/* The slice [off, off+n) of iov as a new array in dst (at most max entries); returns the count. */
unsigned vu_iov_slice(const struct iovec *iov, unsigned cnt, size_t off, size_t n, struct iovec *dst, unsigned max);

#endif
