/* registry_pull: manifest, platform, blobs, verification, then the store. */
#include "registry/pull.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/cache.h"
#include "image/digest.h"
#include "image/load_int.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/store.h"
#include "registry/client.h"
#include "registry/fetch.h"
#include "registry/platform.h"
#include "registry/progress.h"
#include "registry/sig.h"
#include "util/fs.h"

static const char *const accept_hdr[] = {
	"Accept: " MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST,
	NULL,
};

/* GET a manifest by tag or digest, capped and verified. */
static int get_manifest(struct reg_client *c, const char *repo, const char *ref, const char *shown, char **buf,
			size_t *len, enum reg_doc_kind *kind, char digest[DIGEST_LEN + 1], struct err *e)
{
	char *path = xasprintf("/v2/%s/manifests/%s", repo, ref), *scope = xasprintf("repository:%s:pull", repo);
	struct reg_resp r;
	int rc = reg_request(c, "GET", path, scope, accept_hdr, NULL, IMAGE_JSON_MAX, &r, e);
	free(path);
	free(scope);
	if (rc < 0)
		return err_wrap(e, "fetching the manifest of '%s'", shown);
	if (r.status == 404) {
		reg_resp_release(&r);
		return err_setk(e, ERR_NOT_FOUND, "manifest for %s not found: manifest unknown", shown);
	}
	if (r.status != 200) {
		char what[300];
		snprintf(what, sizeof(what), "fetching the manifest of '%s': ", shown);
		reg_resp_error(&r, what, e);
		reg_resp_release(&r);
		return -1;
	}
	digest_buf(r.body ? r.body : "", r.len, digest);
	if (digest_valid(ref) && strcmp(ref, digest)) {
		rc = err_set(e, "manifest for %s has the wrong digest: the registry sent %s", shown, digest);
	} else if (!digest_valid(ref) && r.digest && digest_valid(r.digest) && strcmp(r.digest, digest)) {
		rc = err_set(e, "manifest for %s has the wrong digest: Docker-Content-Digest says %s, the content is %s",
			     shown, r.digest, digest);
	} else if ((*kind = reg_doc_kind(r.body ? r.body : "", r.len, r.content_type)) == REG_DOC_UNKNOWN) {
		rc = err_set(e, "invalid manifest for %s: not an image manifest or index", shown);
	}
	if (rc < 0) {
		reg_resp_release(&r);
		return -1;
	}
	*buf = r.body ? r.body : xstrdup("");
	*len = r.len;
	r.body = NULL;
	reg_resp_release(&r);
	return 0;
}

static int write_stage(const char *dir, const char *digest, const char *buf, size_t len, char **file,
		       struct err *e)
{
	*file = xasprintf("%s/%s", dir, digest_hex(digest));
	if (fs_write_atomic(*file, buf, len, 0600, e) < 0) {
		free(*file);
		*file = NULL;
		return -1;
	}
	return 0;
}

struct pull {
	struct root *r;
	struct reg_client *c;
	struct image_ref ref;
	char *repo, *shown, *full;
	char *stage;
	struct reg_progress pg;
	char top_digest[DIGEST_LEN + 1];
	char *top_buf, *man_buf;
	size_t top_len, man_len;
	char man_digest[DIGEST_LEN + 1];
	struct image_manifest m;
	struct image_config cfg;
	char *cfg_buf;
	size_t cfg_len;
};

/* The tag or digest resolved to a single-platform manifest. */
static int resolve(struct pull *p, const struct reg_xfer_opts *o, struct err *e)
{
	enum reg_doc_kind kind;
	const char *what = p->ref.digest ? p->ref.digest : p->ref.tag;
	if (get_manifest(p->c, p->repo, what, p->shown, &p->top_buf, &p->top_len, &kind, p->top_digest, e) < 0)
		return -1;
	if (kind == REG_DOC_INDEX) {
		struct image_index x;
		struct reg_platform pf;
		int i;
		if (reg_platform_parse(o->platform, &pf, e) < 0)
			return -1;
		if (image_index_parse(p->top_buf, p->top_len, &x, e) < 0)
			return err_wrap(e, "manifest list of '%s'", p->shown);
		if ((i = reg_platform_pick(&x, &pf, e)) < 0 || !image_desc_is_manifest(&x.v[i])) {
			if (i >= 0)
				err_set(e, "manifest list of '%s': the entry for %s/%s is not an image manifest", p->shown,
					pf.os, pf.arch);
			image_index_release(&x);
			return -1;
		}
		{
			char *d = xstrdup(x.v[i].digest);
			int64_t size = x.v[i].size;
			image_index_release(&x);
			if (get_manifest(p->c, p->repo, d, p->shown, &p->man_buf, &p->man_len, &kind, p->man_digest, e) < 0) {
				free(d);
				return -1;
			}
			free(d);
			if ((int64_t)p->man_len != size)
				return err_set(e, "manifest for %s: size %zu does not match the manifest list's %lld", p->shown,
					       p->man_len, (long long)size);
			if (kind != REG_DOC_MANIFEST)
				return err_set(e, "manifest for %s: the manifest list names another list", p->shown);
		}
	} else {
		p->man_buf = xstrndup(p->top_buf, p->top_len);
		p->man_len = p->top_len;
		memcpy(p->man_digest, p->top_digest, sizeof(p->man_digest));
	}
	if (image_manifest_parse(p->man_buf, p->man_len, &p->m, e) < 0)
		return err_wrap(e, "manifest for %s", p->shown);
	return 0;
}

/* The signature the flags or the policy require, before anything is fetched. */
static int verify_signature(struct pull *p, const struct reg_xfer_opts *o, struct err *e)
{
	struct reg_sig_req req;
	char *name = xasprintf("%s/%s", p->ref.domain, p->ref.path);
	int rc = reg_sig_req_get(o->verify, name, &req, e);
	if (rc == 0 && req.trust) {
		rc = reg_sig_verify(p->c, p->repo, name, p->top_digest, req.trust, e);
		if (rc < 0 && req.trust != &req.own) {
			/* a requirement from the policy: say where it comes from */
			char *msg = xasprintf("%s (required by the signature %s)", e->msg, req.source);
			snprintf(e->msg, sizeof(e->msg), "%s", msg);
			free(msg);
		}
		if (rc == 0)
			reg_progress_printf(&p->pg, "Signature verified: %s@%s (%s)", name, p->top_digest, req.source);
	}
	reg_sig_req_release(&req);
	free(name);
	return rc;
}

/* The config, small and fetched first: it names the image id. */
static int fetch_config(struct pull *p, struct err *e)
{
	struct reg_blob_job j;
	struct reg_progress quiet;
	char *file;
	int rc;
	if (p->m.config.size > IMAGE_JSON_MAX)
		return err_set(e, "invalid image config for %s: larger than %d bytes", p->shown, IMAGE_JSON_MAX);
	file = xasprintf("%s/%s", p->stage, digest_hex(p->m.config.digest));
	j = (struct reg_blob_job){.digest = p->m.config.digest, .size = p->m.config.size, .path = file};
	reg_progress_init(&quiet, p->pg.out, true);
	rc = reg_fetch_blobs(p->c, p->repo, &j, 1, &quiet, e);
	reg_progress_release(&quiet);
	if (rc == 0)
		rc = fs_read_file(file, IMAGE_JSON_MAX, &p->cfg_buf, &p->cfg_len, e);
	free(file);
	if (rc == 0 && image_config_parse(p->cfg_buf, p->cfg_len, &p->cfg, e) < 0)
		rc = err_wrap(e, "image config of %s", p->shown);
	if (rc == 0 && p->cfg.diff_ids.n != p->m.n_layers)
		rc = err_set(e, "invalid image %s: the manifest has %zu layers but the config lists %zu diff_ids", p->shown,
			     p->m.n_layers, p->cfg.diff_ids.n);
	return rc;
}

/* The image is already stored: point the tag at it. */
/* The image is already stored: point the tag at it, and record the
 * manifest digest when the image had none (it was loaded from a docker
 * save archive). */
static int retag(struct pull *p, struct image *have, bool *changed, struct err *e)
{
	char *prev = NULL, *blob = NULL;
	bool tag = p->ref.tag && !p->ref.digest, record = !have->manifest_digest, wrote = false;
	int rc = 0;
	*changed = false;
	if (!tag && !record)
		return 0;
	if (root_begin(p->r, e) < 0)
		return -1;
	if (tag && image_store_set_tag(p->r, p->full, have->id, 0, &prev, e) < 0)
		rc = -1;
	if (rc == 0 && record) {
		blob = image_blob_path(p->r, p->top_digest);
		if (!fs_exists(blob) && (wrote = true) && fs_write_atomic(blob, p->top_buf, p->top_len, 0600, e) < 0) {
			rc = -1;
			wrote = false;
		} else {
			have->manifest_digest = xstrdup(p->top_digest);
			rc = image_store_insert(p->r, have, e);
		}
	}
	if (rc < 0) {
		root_rollback(p->r);
		if (wrote)
			unlink(blob);
		free(blob);
		free(prev);
		return -1;
	}
	*changed = tag && (!prev || strcmp(prev, have->id));
	free(prev);
	free(blob);
	return root_commit(p->r, e);
}

static int fetch_and_store(struct pull *p, bool *newer, struct err *e)
{
	struct pending_list l = {0};
	struct pending *pd;
	struct reg_blob_job *jobs = xcalloc(p->m.n_layers + 1, sizeof(*jobs));
	struct strv files = STRV_INIT, lines = STRV_INIT;
	size_t nj = 0;
	int rc = -1;

	for (size_t i = 0; i < p->m.n_layers; i++) {
		const struct image_desc *d = &p->m.layers[i];
		char *stored = image_blob_path(p->r, d->digest);
		bool dup = false;
		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(p->m.layers[k].digest, d->digest);
		if (fs_exists(stored)) {
			strv_push_owned(&files, stored);
			if (!dup)
				reg_progress_status(&p->pg, d->digest, "Already exists");
			continue;
		}
		free(stored);
		strv_push_owned(&files, xasprintf("%s/%s", p->stage, digest_hex(d->digest)));
		if (dup)
			continue;
		jobs[nj++] = (struct reg_blob_job){.digest = d->digest, .size = d->size, .path = files.v[i], .layer = true};
		reg_progress_status(&p->pg, d->digest, "Pulling fs layer");
	}
	if (nj && reg_fetch_blobs(p->c, p->repo, jobs, nj, &p->pg, e) < 0)
		goto out;
	pd = pending_new(&l);
	if (p->ref.tag && !p->ref.digest)
		strv_push(&pd->names, p->full);
	pd->img.manifest_digest = xstrdup(p->top_digest);
	for (size_t i = 0; i < p->m.n_layers; i++) {
		char what[96];
		const char *want = p->m.layers[i].digest;
		const struct reg_blob_job *j = NULL;
		snprintf(what, sizeof(what), "layer %zu (%s)", i + 1, want);
		for (size_t k = 0; k < nj; k++)
			if (!strcmp(jobs[k].digest, want) && jobs[k].have_diff_id)
				j = &jobs[k];
		if (j) {
			/* digest and diff_id were both computed as the blob arrived */
			if (strcmp(j->diff_id, p->cfg.diff_ids.v[i])) {
				err_set(e, "%s does not match the image config: its uncompressed digest is %s, rootfs.diff_ids says %s",
					what, j->diff_id, p->cfg.diff_ids.v[i]);
				goto out;
			}
			strv_push(&pd->img.layers, want);
			strv_push(&pd->img.diff_ids, j->diff_id);
			pd->img.size += j->usize;
			pending_add_blob(pd, want, files.v[i]);
			continue;
		}
		/* the blob's digest was checked as it arrived; now its diff_id */
		if (pending_add_layer(pd, files.v[i], what, NULL, -1, p->cfg.diff_ids.v[i], e) < 0)
			goto out;
		if (strcmp(pd->img.layers.v[i], want)) {
			err_set(e, "digest mismatch for %s: the stored blob is %s", what, pd->img.layers.v[i]);
			goto out;
		}
	}
	pending_set_config(pd, p->m.config.digest, &p->cfg);
	{
		char *f;
		f = xasprintf("%s/%s", p->stage, digest_hex(p->m.config.digest));
		pending_add_blob(pd, p->m.config.digest, f);
		free(f);
		if (write_stage(p->stage, p->top_digest, p->top_buf, p->top_len, &f, e) < 0)
			goto out;
		pending_add_blob(pd, p->top_digest, f);
		free(f);
		if (strcmp(p->man_digest, p->top_digest)) {
			if (write_stage(p->stage, p->man_digest, p->man_buf, p->man_len, &f, e) < 0)
				goto out;
			pending_add_blob(pd, p->man_digest, f);
			free(f);
		}
	}
	{
		char *prev = NULL;
		struct image *old = NULL;
		struct err ig = ERR_INIT;
		if (p->ref.tag && !p->ref.digest && image_store_lookup(p->r, p->full, &old, &ig) == 0)
			prev = xstrdup(old->id);
		image_free(old);
		if (load_commit(p->r, &l, &lines, e) < 0) {
			free(prev);
			goto out;
		}
		*newer = !prev || strcmp(prev, pd->img.id);
		free(prev);
	}
	for (size_t i = 0; i < nj; i++)
		reg_progress_status(&p->pg, jobs[i].digest, "Pull complete");
	rc = 0;
out:
	pending_list_release(&l);
	strv_release(&files);
	strv_release(&lines);
	free(jobs);
	return rc;
}

int registry_pull(struct root *r, const char *name, const struct reg_xfer_opts *o, char **ref_out,
		  struct err *e)
{
	struct pull p = {.r = r};
	struct reg_opts ro = {.tls_verify = o->tls_verify};
	struct err ignore = ERR_INIT;
	struct image *have = NULL;
	bool newer = true;
	int rc = -1;

	reg_progress_init(&p.pg, o->out ? o->out : stdout, o->quiet);
	if (image_ref_parse_tagged(name, &p.ref, e) < 0) {
		reg_progress_release(&p.pg);
		return -1;
	}
	p.repo = xstrdup(p.ref.path);
	p.shown = image_ref_familiar_string(&p.ref);
	p.full = image_ref_string(&p.ref);
	if (o->platform) {
		struct reg_platform pf;
		if (reg_platform_parse(o->platform, &pf, e) < 0)
			goto out;
	}
	if (reg_client_new(p.ref.domain, &ro, &p.c, e) < 0)
		goto out;
	if (resolve(&p, o, e) < 0)
		goto out;
	if (verify_signature(&p, o, e) < 0)
		goto out;
	reg_progress_printf(&p.pg, "%s: Pulling from %s", p.ref.digest ? p.ref.digest : p.ref.tag, p.repo);
	if (root_mktemp_dir(r, "pull", &p.stage, e) < 0)
		goto out;
	if (fetch_config(&p, e) < 0)
		goto out;
	if (image_store_get(r, p.m.config.digest, &have, &ignore) == 0) {
		if (retag(&p, have, &newer, e) < 0)
			goto out;
	} else if (fetch_and_store(&p, &newer, e) < 0) {
		goto out;
	}
	reg_progress_printf(&p.pg, "Digest: %s", p.top_digest);
	{
		char *fam = image_ref_familiar_string(&p.ref);
		reg_progress_printf(&p.pg, "Status: %s for %s", newer ? "Downloaded newer image" : "Image is up to date",
				    fam);
		free(fam);
	}
	{
		/* the pull stands; the cache cap is best effort, as for load */
		struct strv own = STRV_INIT, *keep = o->pulled ? o->pulled : &own;
		strv_push(keep, p.m.config.digest);
		image_cache_enforce(r, keep, NULL, &ignore);
		err_clear(&ignore);
		strv_release(&own);
	}
	if (ref_out)
		*ref_out = xstrdup(p.full);
	rc = 0;
out:
	if (p.stage) {
		fs_rmtree(p.stage, &ignore);
		free(p.stage);
	}
	image_free(have);
	reg_client_free(p.c);
	image_ref_release(&p.ref);
	image_manifest_release(&p.m);
	image_config_release(&p.cfg);
	reg_progress_release(&p.pg);
	free(p.repo);
	free(p.shown);
	free(p.full);
	free(p.top_buf);
	free(p.man_buf);
	free(p.cfg_buf);
	if (rc < 0)
		image_err_printable(e);
	return rc;
}
