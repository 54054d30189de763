/* SHA-256 content digests in OCI form: "sha256:<64 lowercase hex>". */
#ifndef A3S_IMAGE_DIGEST_H
#define A3S_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define DIGEST_PREFIX "sha256:"
#define DIGEST_HEX_LEN 64
#define DIGEST_LEN (7 + DIGEST_HEX_LEN) /* without the NUL */

struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

/* Streaming hash. Allocation failure aborts. */
void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into out and frees the context. */
void sha256_final(struct sha256 *h, char out[DIGEST_LEN + 1]);
/* Frees the context without a result (on error paths). */
void sha256_abort(struct sha256 *h);

void digest_buf(const void *data, size_t len, char out[DIGEST_LEN + 1]);
/* Hash a file; *size (if not NULL) receives its length. */
int digest_file(const char *path, char out[DIGEST_LEN + 1], int64_t *size, struct err *e);
/* Fail unless path hashes to `expected` (and has expected_size bytes when
 * expected_size >= 0). Message: "digest mismatch for 'what': ...". */
int digest_verify_file(const char *path, const char *what, const char *expected, int64_t expected_size,
		       struct err *e);

/* "sha256:" followed by exactly 64 lowercase hex digits. */
bool digest_valid(const char *d);
/* 64 lowercase hex digits. */
bool digest_hex_valid(const char *hex);
/* The hex part of a valid digest. */
const char *digest_hex(const char *d);

#endif
