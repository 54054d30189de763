/* reg_sig_push: sign a pushed manifest and push the cosign .sig manifest. */
#include <stdlib.h>
#include <string.h>

#include "registry/sig.h"
#include "util/xalloc.h"

static int status_err(struct reg_resp *r, const char *what, const char *digest, struct err *e)
{
	char w[200];
	snprintf(w, sizeof(w), "%s %s: ", what, digest);
	reg_resp_error(r, w, e);
	reg_resp_release(r);
	return -1;
}

/* A small blob from memory: HEAD, else one monolithic upload. */
static int put_blob(struct reg_client *c, const char *repo, const char *scope, const struct sign_blob *b,
		    struct err *e)
{
	static const char *const hdr[] = {"Content-Type: application/octet-stream", NULL};
	char *url = xasprintf("/v2/%s/blobs/%s", repo, b->digest), *loc;
	struct reg_body body = {.buf = b->data, .len = b->len, .fd = -1};
	struct reg_resp r;
	int rc = reg_request(c, "HEAD", url, scope, NULL, NULL, 0, &r, e);
	free(url);
	if (rc < 0)
		return -1;
	if (r.status == 200) {
		reg_resp_release(&r);
		return 0;
	}
	reg_resp_release(&r);
	url = xasprintf("/v2/%s/blobs/uploads/", repo);
	rc = reg_request(c, "POST", url, scope, NULL, NULL, 4096, &r, e);
	free(url);
	if (rc < 0)
		return -1;
	if (r.status != 202 || !r.location) {
		if (r.status == 202) {
			reg_resp_release(&r);
			return err_set(e, "starting the upload of blob %s: the registry sent no Location", b->digest);
		}
		return status_err(&r, "starting the upload of blob", b->digest, e);
	}
	loc = xasprintf("%s%cdigest=%s", r.location, strchr(r.location, '?') ? '&' : '?', b->digest);
	reg_resp_release(&r);
	rc = reg_request(c, "PUT", loc, scope, hdr, &body, 4096, &r, e);
	free(loc);
	if (rc < 0)
		return -1;
	if (r.status != 201)
		return status_err(&r, "uploading blob", b->digest, e);
	reg_resp_release(&r);
	return 0;
}

int reg_sig_push(struct reg_client *c, const char *repo, const char *name, const char *digest, const char *key_path,
		 char **tag_out, struct err *e)
{
	static const char *const accept[] = {"Accept: " SIGN_MANIFEST_MEDIA_TYPE, NULL};
	static const char *const ctype[] = {"Content-Type: " SIGN_MANIFEST_MEDIA_TYPE, NULL};
	struct sign_make_opts mo = {.key_path = key_path, .passphrase = getenv(REG_SIG_PASSWORD_ENV), .repo = name,
				    .manifest_digest = digest};
	struct sign_artifact a;
	struct reg_resp r;
	char *tag = sign_tag(digest), *scope, *path;
	char *existing = NULL;
	size_t existing_len = 0;
	int rc = -1;
	if (!tag)
		return err_set(e, "cannot sign '%s@%s': invalid digest", name, digest);
	scope = xasprintf("repository:%s:pull,push", repo);
	path = xasprintf("/v2/%s/manifests/%s", repo, tag);
	/* the current signatures, to append to */
	if (reg_request(c, "GET", path, scope, accept, NULL, SIGN_MANIFEST_MAX, &r, e) < 0)
		goto out;
	if (r.status == 200) {
		existing = r.body ? r.body : xstrdup("");
		existing_len = r.len;
		r.body = NULL;
	} else if (r.status != 404) {
		status_err(&r, "fetching the signature manifest", tag, e);
		goto out;
	}
	reg_resp_release(&r);
	mo.existing_manifest = existing;
	mo.existing_len = existing_len;
	if (sign_make(&mo, &a, e) < 0)
		goto out;
	if (put_blob(c, repo, scope, &a.payload, e) == 0 && put_blob(c, repo, scope, &a.config, e) == 0) {
		struct reg_body b = {.buf = a.manifest.data, .len = a.manifest.len, .fd = -1};
		if (reg_request(c, "PUT", path, scope, ctype, &b, 4096, &r, e) == 0) {
			if (r.status != 201)
				status_err(&r, "pushing the signature manifest", tag, e);
			else {
				reg_resp_release(&r);
				rc = 0;
			}
		}
	}
	sign_artifact_release(&a);
out:
	if (rc < 0)
		err_wrap(e, "signing '%s@%s'", name, digest);
	else if (tag_out)
		*tag_out = xstrdup(tag);
	free(existing);
	free(scope);
	free(path);
	free(tag);
	return rc;
}
