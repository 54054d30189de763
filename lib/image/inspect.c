#include "image/inspect.h"

#include <stdlib.h>
#include <string.h>

#include "image/ref.h"
#include "util/timefmt.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

static json_t *config_str(const struct image *img, const char *key)
{
	const char *s = json_string_value(json_object_get(img->config, key));
	return json_string(s ? s : "");
}

static json_t *created(const struct image *img)
{
	const char *s = json_string_value(json_object_get(img->config, "created"));
	int64_t sec;
	int32_t nsec;
	char buf[64];
	if (!s || time_parse_rfc3339(s, &sec, &nsec) < 0)
		return json_string(ZERO_TIME);
	return json_string(time_format_rfc3339nano(sec, nsec, buf, sizeof(buf)));
}

static json_t *repo_digests(const struct image *img)
{
	json_t *a = json_array();
	if (!img->manifest_digest)
		return a;
	for (size_t i = 0; i < img->tags.n; i++) {
		struct image_ref ref;
		struct err e;
		char *name, *s;
		bool dup = false;
		if (image_ref_parse(img->tags.v[i], &ref, &e) < 0)
			continue;
		name = image_ref_familiar_name(&ref);
		s = xasprintf("%s@%s", name, img->manifest_digest);
		for (size_t j = 0; j < json_array_size(a); j++)
			dup |= !strcmp(json_string_value(json_array_get(a, j)), s);
		if (!dup)
			json_array_append_new(a, json_string(s));
		free(s);
		free(name);
		image_ref_release(&ref);
	}
	return a;
}

json_t *image_inspect_json(const struct image *img)
{
	json_t *o = json_object(), *tags = json_array(), *rootfs = json_object(), *layers = json_array();
	json_t *meta = json_object(), *cfg = json_object_get(img->config, "config");
	char buf[64];

	for (size_t i = 0; i < img->tags.n; i++) {
		char *f = image_ref_familiarize(img->tags.v[i]);
		json_array_append_new(tags, json_string(f));
		free(f);
	}
	json_object_set_new(o, "Id", json_string(img->id));
	json_object_set_new(o, "RepoTags", tags);
	json_object_set_new(o, "RepoDigests", repo_digests(img));
	json_object_set_new(o, "Parent", json_string(""));
	json_object_set_new(o, "Comment", config_str(img, "comment"));
	json_object_set_new(o, "Created", created(img));
	json_object_set_new(o, "DockerVersion", config_str(img, "docker_version"));
	json_object_set_new(o, "Author", config_str(img, "author"));
	json_object_set(o, "Config", json_is_object(cfg) ? cfg : json_null());
	json_object_set_new(o, "Architecture", config_str(img, "architecture"));
	if (json_is_string(json_object_get(img->config, "variant")))
		json_object_set_new(o, "Variant", config_str(img, "variant"));
	json_object_set_new(o, "Os", config_str(img, "os"));
	if (json_is_string(json_object_get(img->config, "os.version")))
		json_object_set_new(o, "OsVersion", config_str(img, "os.version"));
	json_object_set_new(o, "Size", json_integer(img->size));
	for (size_t i = 0; i < img->diff_ids.n; i++)
		json_array_append_new(layers, json_string(img->diff_ids.v[i]));
	json_object_set_new(rootfs, "Type", json_string("layers"));
	json_object_set_new(rootfs, "Layers", layers);
	json_object_set_new(o, "RootFS", rootfs);
	json_object_set_new(meta, "LastTagTime",
			    json_string(img->last_tag_time
						? time_format_rfc3339nano(img->last_tag_time / 1000000000,
									  (int32_t)(img->last_tag_time % 1000000000), buf,
									  sizeof(buf))
						: ZERO_TIME));
	json_object_set_new(o, "Metadata", meta);
	return o;
}
