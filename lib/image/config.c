/* The image config ("application/vnd.oci.image.config.v1+json"). */
#include <string.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "util/timefmt.h"

int image_config_parse(const char *buf, size_t len, struct image_config *out, struct err *e)
{
	const char *what = "image config";
	json_t *j = image_json_load(buf, len, what, e), *rootfs, *type, *ids, *created, *cfg;
	struct image_config c = {0};
	if (!j)
		return -1;
	if (!json_is_object(j)) {
		err_set(e, "invalid %s: not a JSON object", what);
		goto fail;
	}
	rootfs = json_object_get(j, "rootfs");
	type = json_object_get(rootfs, "type");
	ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_object(rootfs) || !json_is_string(type) || strcmp(json_string_value(type), "layers")) {
		err_set(e, "invalid %s: 'rootfs.type' must be \"layers\"", what);
		goto fail;
	}
	if (!json_is_array(ids)) {
		err_set(e, "invalid %s: 'rootfs.diff_ids' is not an array", what);
		goto fail;
	}
	if (json_array_size(ids) > IMAGE_MAX_LAYERS) {
		err_set(e, "invalid %s: more than %d layers", what, IMAGE_MAX_LAYERS);
		goto fail;
	}
	for (size_t i = 0; i < json_array_size(ids); i++) {
		json_t *d = json_array_get(ids, i);
		if (!json_is_string(d) || !digest_valid(json_string_value(d))) {
			err_set(e, "invalid %s: diff_id %zu is not sha256:<64 hex>", what, i);
			goto fail;
		}
		strv_push(&c.diff_ids, json_string_value(d));
	}
	created = json_object_get(j, "created");
	if (created && !json_is_null(created)) {
		if (!json_is_string(created) ||
		    time_parse_rfc3339(json_string_value(created), &c.created, &c.created_nsec) < 0) {
			err_set(e, "invalid %s: 'created' is not an RFC 3339 time", what);
			goto fail;
		}
	}
	cfg = json_object_get(j, "config");
	if (cfg && !json_is_null(cfg) && !json_is_object(cfg)) {
		err_set(e, "invalid %s: 'config' is not an object", what);
		goto fail;
	}
	for (const char *const *k = (const char *const[]){"architecture", "os", NULL}; *k; k++) {
		json_t *v = json_object_get(j, *k);
		if (v && !json_is_string(v)) {
			err_set(e, "invalid %s: '%s' is not a string", what, *k);
			goto fail;
		}
	}
	c.json = j;
	*out = c;
	return 0;
fail:
	strv_release(&c.diff_ids);
	json_decref(j);
	return -1;
}

void image_config_release(struct image_config *c)
{
	json_decref(c->json);
	strv_release(&c->diff_ids);
	c->json = NULL;
}
