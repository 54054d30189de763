/* docker history from the image config and the store's layer blobs. */
#include "image/history.h"

#include <stdlib.h>
#include <string.h>

#include "image/layer.h"
#include "util/timefmt.h"

#define HISTORY_MAX 4096

static char *str_field(const json_t *h, const char *key)
{
	const json_t *v = json_object_get(h, key);
	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

int image_history_parse(const json_t *config, size_t n_layers, struct image_history_entry **out, size_t *n,
			struct err *e)
{
	const json_t *hist = json_object_get(config, "history");
	struct image_history_entry *v;
	size_t cnt, layer = 0;

	*out = NULL;
	*n = 0;
	if (!hist || json_is_null(hist))
		return 0;
	if (!json_is_array(hist))
		return err_set(e, "invalid image config: 'history' is not an array");
	cnt = json_array_size(hist);
	if (cnt > HISTORY_MAX)
		return err_set(e, "invalid image config: more than %d history entries", HISTORY_MAX);
	v = xcalloc(cnt ? cnt : 1, sizeof(*v));
	for (size_t i = 0; i < cnt; i++) {
		const json_t *h = json_array_get(hist, i), *created;
		struct image_history_entry *x = &v[cnt - 1 - i]; /* newest first */
		int32_t nsec;
		if (!json_is_object(h)) {
			image_history_free(v, cnt);
			return err_set(e, "invalid image config: history entry %zu is not an object", i);
		}
		x->created_by = str_field(h, "created_by");
		x->comment = str_field(h, "comment");
		x->empty_layer = json_is_true(json_object_get(h, "empty_layer"));
		x->layer = -1;
		created = json_object_get(h, "created");
		if (json_is_string(created) && time_parse_rfc3339(json_string_value(created), &x->created, &nsec) < 0)
			x->created = 0;
		if (x->empty_layer)
			continue;
		if (layer >= n_layers) {
			image_history_free(v, cnt);
			return err_set(e, "too many non-empty layers in History section");
		}
		x->layer = (int)layer++;
	}
	*out = v;
	*n = cnt;
	return 0;
}

void image_history_free(struct image_history_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].created_by);
		free(v[i].comment);
	}
	free(v);
}

int image_history(struct root *r, const struct image *img, struct image_history_entry **out, size_t *n,
		  struct err *e)
{
	struct image_history_entry *v;
	size_t cnt;
	if (image_history_parse(img->config, img->layers.n, &v, &cnt, e) < 0)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		char *blob;
		int rc;
		if (v[i].layer < 0)
			continue;
		blob = image_blob_path(r, img->layers.v[v[i].layer]);
		rc = layer_digests(blob, NULL, NULL, NULL, &v[i].size, e);
		free(blob);
		if (rc < 0) {
			image_history_free(v, cnt);
			return err_wrap(e, "reading layer %d of image '%s'", v[i].layer + 1, img->id);
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}
