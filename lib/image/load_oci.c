/* Images from an OCI image layout (oci-layout, index.json, blobs/sha256). */
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/load_int.h"
#include "image/manifest.h"
#include "image/ref.h"

#define MAX_NESTING 4

static char *blob_name(const char *digest)
{
	return xasprintf("blobs/sha256/%s", digest_hex(digest));
}

/* A staged blob that matches its descriptor's size. */
static const struct stage_entry *blob(const struct stage *s, const struct image_desc *d, const char *what,
				      struct err *e)
{
	char *name = blob_name(d->digest);
	const struct stage_entry *ent = stage_find(s, name);
	free(name);
	if (!ent) {
		err_set(e, "invalid archive: %s blob %s is missing", what, d->digest);
		return NULL;
	}
	if (ent->size != d->size) {
		err_set(e, "size mismatch for %s %s: descriptor says %lld bytes, blob has %lld", what, d->digest,
			(long long)d->size, (long long)ent->size);
		return NULL;
	}
	return ent;
}

/* Read a JSON blob and check its digest. */
static int read_json_blob(const struct stage *s, const struct image_desc *d, const char *what, char **buf,
			  size_t *len, struct err *e)
{
	const struct stage_entry *ent = blob(s, d, what, e);
	char *name, got[DIGEST_LEN + 1];
	if (!ent)
		return -1;
	name = blob_name(d->digest);
	if (stage_slurp(s, name, what, buf, len, e) < 0) {
		free(name);
		return -1;
	}
	free(name);
	digest_buf(*buf, *len, got);
	if (strcmp(got, d->digest)) {
		free(*buf);
		*buf = NULL;
		return err_set(e, "digest mismatch for %s: expected %s, got %s", what, d->digest, got);
	}
	return 0;
}

/* Follow nested indexes down to the manifest for this host. *out is a copy
 * of the descriptor's digest/size/mediaType. */
static int resolve_manifest(const struct stage *s, const struct image_desc *top, struct image_desc *out,
			    struct err *e)
{
	struct image_desc cur = {.media_type = top->media_type, .digest = top->digest, .size = top->size};
	struct image_index idx = {0};
	for (int depth = 0; image_desc_is_index(&cur); depth++) {
		char *buf;
		size_t len;
		int i;
		struct image_index next;
		if (depth >= MAX_NESTING) {
			image_index_release(&idx);
			return err_set(e, "invalid image index: nested more than %d deep", MAX_NESTING);
		}
		int rc;
		if (read_json_blob(s, &cur, "image index", &buf, &len, e) < 0) {
			image_index_release(&idx);
			return -1;
		}
		rc = image_index_parse(buf, len, &next, e);
		free(buf);
		if (rc < 0) {
			image_index_release(&idx);
			return -1;
		}
		image_index_release(&idx);
		idx = next;
		if ((i = image_index_pick(&idx, "linux", image_host_arch(), e)) < 0) {
			image_index_release(&idx);
			return -1;
		}
		cur = (struct image_desc){.media_type = idx.v[i].media_type, .digest = idx.v[i].digest,
					  .size = idx.v[i].size};
	}
	memset(out, 0, sizeof(*out));
	out->media_type = xstrdup(cur.media_type);
	out->digest = xstrdup(cur.digest);
	out->size = cur.size;
	image_index_release(&idx);
	return 0;
}

/* The name an index entry gives its image: io.containerd.image.name, else
 * org.opencontainers.image.ref.name when it is a full reference (a bare tag
 * such as "latest" names no repository, so the image loads untagged). */
static int entry_name(const struct image_desc *d, struct strv *names, struct err *e)
{
	const char *n = d->image_name ? d->image_name : d->ref_name;
	struct image_ref ref;
	if (!n || (!d->image_name && !strchr(n, '/') && !strchr(n, ':')))
		return 0;
	if (image_ref_parse_tagged(n, &ref, e) < 0)
		return err_wrap(e, "image name '%s' in index.json", n);
	if (!ref.digest)
		strv_push_owned(names, image_ref_string(&ref));
	image_ref_release(&ref);
	return 0;
}

/* The pending image loaded from index entry `digest`. */
static struct pending *find_pending(struct pending_list *l, const char *digest)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].top_digest && !strcmp(l->v[i].top_digest, digest))
			return &l->v[i];
	return NULL;
}

static int load_one(const struct stage *s, const struct image_desc *top, struct pending *p, struct err *e)
{
	struct image_desc md = {0};
	struct image_manifest m = {0};
	struct image_config cfg = {0};
	const struct stage_entry *ent;
	char *buf = NULL;
	size_t len;
	int rc = -1;

	p->top_digest = xstrdup(top->digest);
	if (entry_name(top, &p->names, e) < 0 || resolve_manifest(s, top, &md, e) < 0)
		goto out;
	if (read_json_blob(s, &md, "image manifest", &buf, &len, e) < 0)
		goto out;
	if (image_manifest_parse(buf, len, &m, e) < 0)
		goto out;
	free(buf);
	buf = NULL;
	if (read_json_blob(s, &m.config, "image config", &buf, &len, e) < 0 ||
	    image_config_parse(buf, len, &cfg, e) < 0)
		goto out;
	if (cfg.diff_ids.n != m.n_layers) {
		err_set(e, "invalid image: the manifest has %zu layers but the config lists %zu diff_ids", m.n_layers,
			cfg.diff_ids.n);
		goto out;
	}
	p->img.manifest_digest = xstrdup(md.digest);
	for (size_t i = 0; i < m.n_layers; i++) {
		char what[96];
		snprintf(what, sizeof(what), "layer %zu (%s)", i + 1, m.layers[i].digest);
		if (!(ent = blob(s, &m.layers[i], "layer", e)) ||
		    pending_add_layer(p, ent->file, what, m.layers[i].digest, m.layers[i].size, cfg.diff_ids.v[i],
				      e) < 0)
			goto out;
	}
	pending_set_config(p, m.config.digest, &cfg);
	{
		char *cname = blob_name(m.config.digest), *mname = blob_name(md.digest);
		pending_add_blob(p, m.config.digest, stage_find(s, cname)->file);
		pending_add_blob(p, md.digest, stage_find(s, mname)->file);
		free(cname);
		free(mname);
	}
	rc = 0;
out:
	free(buf);
	image_config_release(&cfg);
	image_manifest_release(&m);
	free(md.media_type);
	free(md.digest);
	return rc;
}

int load_oci(const struct stage *s, struct pending_list *out, struct err *e)
{
	struct image_index idx;
	char *buf;
	size_t len;

	if (stage_slurp(s, "oci-layout", "oci-layout", &buf, &len, e) < 0)
		return -1;
	if (image_layout_parse(buf, len, e) < 0) {
		free(buf);
		return -1;
	}
	free(buf);
	if (stage_slurp(s, "index.json", "index.json", &buf, &len, e) < 0)
		return -1;
	if (image_index_parse(buf, len, &idx, e) < 0) {
		free(buf);
		return err_wrap(e, "index.json");
	}
	free(buf);
	if (idx.n == 0) {
		image_index_release(&idx);
		return err_set(e, "invalid archive: index.json lists no images");
	}
	for (size_t i = 0; i < idx.n; i++) {
		struct pending *same = NULL;
		/* docker 25+ lists one entry per tag of an image: verify it once */
		for (size_t k = 0; k < i && !same; k++)
			if (!strcmp(idx.v[k].digest, idx.v[i].digest))
				same = find_pending(out, idx.v[k].digest);
		if (same) {
			if (entry_name(&idx.v[i], &same->names, e) < 0) {
				image_index_release(&idx);
				return -1;
			}
			continue;
		}
		if (load_one(s, &idx.v[i], pending_new(out), e) < 0) {
			image_index_release(&idx);
			return -1;
		}
	}
	image_index_release(&idx);
	return 0;
}
