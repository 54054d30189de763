/*
 * The image store: image rows and tags in the state database, blobs under
 * <root>/blobs/sha256, built root filesystems under <root>/rootfs.
 *
 * Concurrency rule: blobs are added (image_load) and removed (gc) only while
 * holding the database write lock (root_begin), so the two never interleave.
 */
#ifndef A3S_IMAGE_STORE_H
#define A3S_IMAGE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

struct image {
	char *id; /* sha256:<hex> of the config blob */
	char *manifest_digest; /* sha256:<hex>, or NULL (docker-save images) */
	json_t *config; /* the whole image config JSON (owned) */
	struct strv layers; /* layer blob digests, lowest layer first */
	struct strv diff_ids; /* uncompressed layer digests */
	int64_t size; /* uncompressed bytes */
	int64_t created; /* unix seconds, from the config */
	struct strv tags; /* normalised names ("docker.io/library/busybox:latest"), sorted */
	int64_t last_tag_time; /* unix nanoseconds of the last explicit tag, 0 if none */
	int64_t loaded_at; /* unix seconds */
	int64_t last_used; /* unix seconds the rootfs was last requested, 0 if never */
};

void image_free(struct image *img);

/* Find an image by reference (normalised first, ":latest" added), full id
 * ("sha256:<hex>"), or unique id prefix of at least 4 hex digits (with or
 * without "sha256:"). Not found: ERR_NOT_FOUND "No such image: NAME". An
 * ambiguous prefix or an invalid reference fail with their own message. */
int image_store_lookup(struct root *r, const char *name, struct image **out, struct err *e);
/* Exact id. Not found: ERR_NOT_FOUND. */
int image_store_get(struct root *r, const char *id, struct image **out, struct err *e);
/* Every image, newest first. */
int image_store_list(struct root *r, struct image ***out, size_t *n, struct err *e);
void image_list_free(struct image **v, size_t n);

/* docker tag SRC DST. */
int image_store_tag(struct root *r, const char *src, const char *dst, struct err *e);
/* docker rmi [-f] NAME: untag, and delete the image when its last tag goes
 * or when it is named by id. Refuses (ERR_CONFLICT, docker's wording) when a
 * box uses it, unless force (never for a running box). Appends docker's
 * "Untagged: x" / "Deleted: sha256:..." lines to out. Unreferenced blobs and
 * root filesystems are deleted afterwards. */
int image_store_remove(struct root *r, const char *name, bool force, struct strv *out, struct err *e);
/* Delete blobs and cached root filesystems no image (or box) references.
 * Takes the write lock itself; best effort on unlink errors. */
int image_store_gc(struct root *r, struct err *e);
/* image_store_gc, adding up the bytes it unlinked (blobs and rootfs). */
int image_store_gc_freed(struct root *r, uint64_t *freed, struct err *e);
/* Inside the caller's write transaction: delete image id (every tag too)
 * unless a box (in any state) uses it. Appends "Untagged: x" / "Deleted:
 * sha256:..." to lines. Returns 1 when deleted, 0 when in use (kept), -1 on
 * error. Blobs stay until the next image_store_gc. */
int image_store_delete_unused(struct root *r, const char *id, struct strv *lines, struct err *e);
/* Record that the image's rootfs was requested now (for an LRU cache). */
int image_store_touch(struct root *r, const char *id, struct err *e);

/* For image_load, inside a write transaction: insert the image row (an
 * existing row is kept) and point a tag at it. */
int image_store_insert(struct root *r, const struct image *img, struct err *e);
/* Point `name` (normalised) at id. *prev (if not NULL) receives the image id
 * the tag pointed at before, or NULL. tagged_at: unix ns, 0 for loads. */
int image_store_set_tag(struct root *r, const char *name, const char *id, int64_t tagged_at, char **prev,
			struct err *e);

/* "<root>/blobs/sha256/<hex>" for a digest; caller frees. */
char *image_blob_path(const struct root *r, const char *digest);
/* The first 12 hex digits of an id ("sha256:abcd..." -> "abcd..."). */
const char *image_short_id(const char *id, char buf[13]);

#endif
