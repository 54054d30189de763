/*
 * The image cache cap: blobs and built root filesystems together may take at
 * most a configured number of bytes; past it, the least recently used images
 * that no box uses are removed (as rmi would remove them), oldest first.
 *
 * The cap: $A3S_BOX_IMAGE_CACHE_SIZE, else "imageCacheSize" in
 * <root>/config.json, else 10 GiB. Values are docker sizes ("10g", "512MiB",
 * "1073741824"); "0" turns eviction off.
 */
#ifndef A3S_IMAGE_CACHE_H
#define A3S_IMAGE_CACHE_H

#include <stdint.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

#define IMAGE_CACHE_DEFAULT_SIZE (10ULL << 30)
#define IMAGE_CACHE_ENV "A3S_BOX_IMAGE_CACHE_SIZE"
#define IMAGE_CACHE_CONFIG "config.json"
#define IMAGE_CACHE_KEY "imageCacheSize"

/* The cap in bytes (0 = none). A malformed value is an error naming its
 * source. */
int image_cache_limit(const struct root *r, uint64_t *bytes, struct err *e);
/* Bytes under <root>/blobs/sha256 and <root>/rootfs/<hex>.erofs. */
uint64_t image_cache_usage(const struct root *r);

/* Evict until the cache fits its cap. Never removes an image a box uses
 * (any state), nor an id in keep (may be NULL: what was just pulled or
 * loaded), nor a blob a kept image shares. Least recently used first:
 * last_used, or loaded_at for images never run. evicted (may be NULL)
 * receives the ids removed. Call after adding images (load, pull). */
int image_cache_enforce(struct root *r, const struct strv *keep, struct strv *evicted, struct err *e);

#endif
