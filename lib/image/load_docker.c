/* Images from a `docker save` archive (manifest.json). */
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "image/load_int.h"
#include "image/manifest.h"
#include "image/ref.h"

/* The digest a member's name promises: "<hex>.json" (classic docker save)
 * or "blobs/sha256/<hex>" (docker 25+); NULL when the name promises none. */
static char *named_digest(const char *name)
{
	const char *base = strrchr(name, '/');
	char hex[DIGEST_HEX_LEN + 1];
	base = base ? base + 1 : name;
	if (strlen(base) < DIGEST_HEX_LEN)
		return NULL;
	memcpy(hex, base, DIGEST_HEX_LEN);
	hex[DIGEST_HEX_LEN] = '\0';
	if (!digest_hex_valid(hex))
		return NULL;
	if (!strcmp(base + DIGEST_HEX_LEN, ".json") ||
	    (!base[DIGEST_HEX_LEN] && !strncmp(name, "blobs/sha256/", 13) && base == name + 13))
		return xasprintf(DIGEST_PREFIX "%s", hex);
	return NULL;
}

static int load_one(const struct stage *s, const struct docker_manifest *dm, struct pending *p, struct err *e)
{
	struct image_config cfg = {0};
	const struct stage_entry *ent;
	char *buf = NULL, *promised = NULL, id[DIGEST_LEN + 1];
	size_t len;
	int rc = -1;

	for (size_t i = 0; i < dm->repo_tags.n; i++) {
		struct image_ref ref;
		if (image_ref_parse_tagged(dm->repo_tags.v[i], &ref, e) < 0) {
			err_wrap(e, "RepoTags entry '%s' in manifest.json", dm->repo_tags.v[i]);
			goto out;
		}
		if (!ref.digest)
			strv_push_owned(&p->names, image_ref_string(&ref));
		image_ref_release(&ref);
	}
	if (stage_slurp(s, dm->config, "image config", &buf, &len, e) < 0)
		goto out;
	digest_buf(buf, len, id);
	promised = named_digest(dm->config);
	if (promised && strcmp(promised, id)) {
		err_set(e, "digest mismatch for image config '%s': expected %s, got %s", dm->config, promised, id);
		goto out;
	}
	if (image_config_parse(buf, len, &cfg, e) < 0)
		goto out;
	if (cfg.diff_ids.n != dm->layers.n) {
		err_set(e, "invalid image: manifest.json lists %zu layers but the config lists %zu diff_ids", dm->layers.n,
			cfg.diff_ids.n);
		goto out;
	}
	for (size_t i = 0; i < dm->layers.n; i++) {
		char what[96], *want;
		snprintf(what, sizeof(what), "layer %zu ('%.60s')", i + 1, dm->layers.v[i]);
		ent = stage_find(s, dm->layers.v[i]);
		if (!ent) {
			err_set(e, "invalid archive: %s is missing", what);
			goto out;
		}
		want = named_digest(dm->layers.v[i]);
		rc = pending_add_layer(p, ent->file, what, want, -1, cfg.diff_ids.v[i], e);
		free(want);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	ent = stage_find(s, dm->config);
	pending_set_config(p, id, &cfg);
	pending_add_blob(p, id, ent->file);
	rc = 0;
out:
	free(buf);
	free(promised);
	image_config_release(&cfg);
	return rc;
}

int load_docker(const struct stage *s, struct pending_list *out, struct err *e)
{
	struct docker_manifest_list l;
	char *buf;
	size_t len;
	int rc;

	if (stage_slurp(s, "manifest.json", "manifest.json", &buf, &len, e) < 0)
		return -1;
	rc = docker_manifest_parse(buf, len, &l, e);
	free(buf);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < l.n && rc == 0; i++)
		rc = load_one(s, &l.v[i], pending_new(out), e);
	docker_manifest_release(&l);
	return rc;
}
