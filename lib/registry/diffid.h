/*
 * The diff_id (sha256 of the uncompressed tar) of a layer computed while it
 * downloads: gzip (also multi-member) and zstd streams are decompressed
 * chunk by chunk, anything else is taken as a plain tar. It saves reading
 * the layer again after the download. When the stream is not what its
 * first bytes say, the state is marked broken and the caller falls back to
 * the full check (layer_digests), which reports the error.
 */
#ifndef A3S_REGISTRY_DIFFID_H
#define A3S_REGISTRY_DIFFID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"

struct reg_diffid {
	int kind; /* 0 unknown yet, 1 plain, 2 gzip, 3 zstd */
	void *z; /* z_stream or ZSTD_DStream */
	struct sha256 h;
	bool hashing, broken, ended;
	int64_t usize;
	unsigned char head[4];
	size_t nhead;
};

void reg_diffid_init(struct reg_diffid *d);
void reg_diffid_update(struct reg_diffid *d, const void *buf, size_t n);
/* true and out/usize filled when the stream was complete and sound. Frees
 * the state either way. */
bool reg_diffid_final(struct reg_diffid *d, char out[DIGEST_LEN + 1], int64_t *usize);
/* Free the state (start over or give up). */
void reg_diffid_release(struct reg_diffid *d);

#endif
