/*
 * Layers: tar streams (plain, gzip or zstd) applied in order onto a root
 * directory, with OCI whiteouts, and their digests.
 */
#ifndef A3S_IMAGE_LAYER_H
#define A3S_IMAGE_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "image/digest.h"
#include "util/err.h"

/* Apply one layer onto root (an absolute path free of symlinks; the caller
 * owns it and removes it on failure). Whiteouts delete from what is below;
 * an opaque marker hides the lower contents of its directory but keeps what
 * this layer adds; files keep numeric owners, modes (setuid too), xattrs,
 * mtimes; hard links, symlinks, device nodes and fifos are recreated. Any
 * entry that would land outside root (see image/path.h) fails the layer. */
int layer_apply_file(const char *root, const char *blob, struct err *e);
int layer_apply_memory(const char *root, const void *buf, size_t len, struct err *e);

/* One pass over a layer blob: its digest, its uncompressed digest (the
 * diff_id), and both sizes. Any of the outputs may be NULL. */
int layer_digests(const char *blob, char digest[DIGEST_LEN + 1], char diff_id[DIGEST_LEN + 1], int64_t *size,
		  int64_t *usize, struct err *e);

#endif
