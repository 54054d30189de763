/* docker image prune: remove dangling (untagged) or all unused images. */
#ifndef A3S_IMAGE_PRUNE_H
#define A3S_IMAGE_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

struct image_prune_opts {
	bool all; /* every image no box uses, not only untagged ones */
	bool until_set;
	int64_t until_ns; /* only images created before this (unix ns) */
	struct strv labels; /* "key" or "key=value": the image must have it */
	struct strv not_labels; /* "label!=...": the image must not have it */
};

/* Parse one --filter value ("until=...", "label=...", "label!=..."). */
int image_prune_filter(struct image_prune_opts *o, const char *f, struct err *e);
void image_prune_opts_release(struct image_prune_opts *o);

/* Delete the matching images that no box (in any state) uses, then collect
 * their blobs and root filesystems. lines receives docker's report lines
 * ("untagged: busybox:latest", "deleted: sha256:..."), *reclaimed the bytes
 * unlinked. */
int image_prune(struct root *r, const struct image_prune_opts *o, struct strv *lines, uint64_t *reclaimed,
		struct err *e);

#endif
