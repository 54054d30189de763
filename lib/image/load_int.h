/* Internal to image_load: the unpacked archive and the images found in it. */
#ifndef A3S_IMAGE_LOAD_INT_H
#define A3S_IMAGE_LOAD_INT_H

#include <stdint.h>

#include "image/manifest.h"
#include "image/store.h"
#include "util/err.h"
#include "util/xalloc.h"

/* The archive, unpacked into a staging directory: one file per regular
 * member, symlinks and hard links resolved by name. */
struct stage_entry {
	char *name; /* cleaned member name */
	char *file; /* staged file, NULL for a symlink */
	char *link; /* symlink target as a cleaned member name */
	int64_t size;
};

struct stage {
	char *dir;
	struct stage_entry *v;
	size_t n, cap;
};

/* Unpack input ("-" = stdin) into s->dir (which the caller created and
 * removes). */
int stage_read(struct stage *s, const char *input, struct err *e);
/* The regular file behind name (following symlinks), or NULL. */
const struct stage_entry *stage_find(const struct stage *s, const char *name);
/* Read a JSON member of at most IMAGE_JSON_MAX bytes. */
int stage_slurp(const struct stage *s, const char *name, const char *what, char **buf, size_t *len,
		struct err *e);
void stage_release(struct stage *s);

/* One verified image, ready to be committed. */
struct pending {
	struct image img; /* id, manifest_digest, config, layers, diff_ids, size, created */
	struct strv names; /* normalised tags */
	struct strv blobs; /* digests of the blobs to store ... */
	struct strv files; /* ... and their staged files */
	char *top_digest; /* OCI: digest of the index.json entry it came from */
};

struct pending_list {
	struct pending *v;
	size_t n;
};

struct pending *pending_new(struct pending_list *l);
void pending_list_release(struct pending_list *l);
void pending_add_blob(struct pending *p, const char *digest, const char *file);
/* Check a staged layer (digest and size when known, diff_id always) and
 * append it to p. `what` names it in errors. */
int pending_add_layer(struct pending *p, const char *file, const char *what, const char *want_digest,
		      int64_t want_size, const char *diff_id, struct err *e);
/* Take the parsed config as p's config (c->json moves into p) and id. */
void pending_set_config(struct pending *p, const char *id, struct image_config *c);

int load_oci(const struct stage *s, struct pending_list *out, struct err *e);
int load_docker(const struct stage *s, struct pending_list *out, struct err *e);

#endif
