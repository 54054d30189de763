/*
 * docker history: the image config's "history" entries, newest first, with
 * the uncompressed size of the layer each non-empty entry made.
 */
#ifndef A3S_IMAGE_HISTORY_H
#define A3S_IMAGE_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/store.h"
#include "state/root.h"
#include "util/err.h"

struct image_history_entry {
	int64_t created; /* unix seconds, 0 when absent */
	char *created_by; /* "" when absent */
	char *comment; /* "" when absent */
	bool empty_layer;
	int layer; /* index into the image's layers, -1 for an empty layer */
	int64_t size; /* uncompressed bytes of that layer, 0 for an empty one */
};

/* Parse config["history"] (untrusted; pure, fuzzed): entries newest first,
 * each non-empty one matched with its layer (the n_layers layers are oldest
 * first). Like docker, more non-empty entries than layers is an error
 * ("too many non-empty layers in History section"); a config without
 * history has no entries. Sizes are left 0. */
int image_history_parse(const json_t *config, size_t n_layers, struct image_history_entry **out, size_t *n,
			struct err *e);
void image_history_free(struct image_history_entry *v, size_t n);

/* image_history_parse plus the size of every layer, read from the store
 * (each layer blob is decompressed once). */
int image_history(struct root *r, const struct image *img, struct image_history_entry **out, size_t *n,
		  struct err *e);

#endif
