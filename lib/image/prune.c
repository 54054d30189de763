/* image_prune: docker image prune [-a] [--filter until=,label=]. */
#include "image/prune.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "image/store.h"
#include "util/io.h"
#include "util/timefmt.h"

int image_prune_filter(struct image_prune_opts *o, const char *f, struct err *e)
{
	if (!strncmp(f, "until=", 6)) {
		if (time_parse_user(f + 6, io_wall_ns(), &o->until_ns) < 0)
			return err_setk(e, ERR_USAGE, "invalid filter 'until=%s': not a timestamp or duration", f + 6);
		o->until_set = true;
	} else if (!strncmp(f, "label!=", 7)) {
		strv_push(&o->not_labels, f + 7);
	} else if (!strncmp(f, "label=", 6)) {
		strv_push(&o->labels, f + 6);
	} else {
		return err_setk(e, ERR_USAGE, "invalid filter '%s' (supported: until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE])",
				f);
	}
	return 0;
}

void image_prune_opts_release(struct image_prune_opts *o)
{
	strv_release(&o->labels);
	strv_release(&o->not_labels);
}

/* docker's label filter: "key" matches any value, "key=value" exactly. */
static bool has_label(const json_t *config, const char *want)
{
	const json_t *labels = json_object_get(json_object_get(config, "config"), "Labels");
	const char *eq = strchr(want, '=');
	char *key = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
	const json_t *v = json_object_get(labels, key);
	bool m = json_is_string(v) && (!eq || !strcmp(json_string_value(v), eq + 1));
	free(key);
	return m;
}

static bool matches(const struct image *img, const struct image_prune_opts *o)
{
	if (!o->all && img->tags.n)
		return false;
	if (o->until_set && img->created * 1000000000LL >= o->until_ns)
		return false;
	for (size_t i = 0; i < o->labels.n; i++)
		if (!has_label(img->config, o->labels.v[i]))
			return false;
	for (size_t i = 0; i < o->not_labels.n; i++)
		if (has_label(img->config, o->not_labels.v[i]))
			return false;
	return true;
}

int image_prune(struct root *r, const struct image_prune_opts *o, struct strv *lines, uint64_t *reclaimed,
		struct err *e)
{
	struct image **imgs;
	struct strv out = STRV_INIT;
	struct err gc_err = ERR_INIT;
	size_t n;
	int rc = 0;

	*reclaimed = 0;
	if (root_begin(r, e) < 0)
		return -1;
	if (image_store_list(r, &imgs, &n, e) < 0) {
		root_rollback(r);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if (matches(imgs[i], o) && image_store_delete_unused(r, imgs[i]->id, &out, e) < 0)
			rc = -1;
	image_list_free(imgs, n);
	if (rc == 0 && root_commit(r, e) < 0)
		rc = -1;
	if (rc < 0) {
		root_rollback(r);
		strv_release(&out);
		return -1;
	}
	/* prune reports in lower case ("untagged: x", "deleted: sha256:...") */
	for (size_t i = 0; i < out.n; i++) {
		out.v[i][0] = (char)tolower((unsigned char)out.v[i][0]);
		strv_push(lines, out.v[i]);
	}
	strv_release(&out);
	if (image_store_gc_freed(r, reclaimed, &gc_err) < 0)
		*reclaimed = 0; /* the images are gone; what stays goes at the next collection */
	return 0;
}
