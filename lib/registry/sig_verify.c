/* reg_sig_verify: the .sig manifest and its blobs from the registry, checked by lib/sign. */
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "registry/sig.h"
#include "util/xalloc.h"

struct sig_fetch {
	struct reg_client *c;
	const char *repo;
	const char *scope;
};

/* sign_fetch_fn: GET /v2/REPO/blobs/DIGEST, at most max bytes. */
static int fetch_blob(void *arg, const char *digest, size_t max, unsigned char **data, size_t *len, struct err *e)
{
	struct sig_fetch *f = arg;
	struct reg_resp r;
	char *path;
	int rc;
	if (!digest_valid(digest))
		return err_set(e, "invalid blob digest '%s' in the signature manifest", digest);
	path = xasprintf("/v2/%s/blobs/%s", f->repo, digest);
	rc = reg_request(f->c, "GET", path, f->scope, NULL, NULL, max, &r, e);
	free(path);
	if (rc < 0)
		return err_wrap(e, "fetching signature blob %s", digest);
	if (r.status != 200) {
		char what[160];
		snprintf(what, sizeof(what), "fetching signature blob %s: ", digest);
		reg_resp_error(&r, what, e);
		reg_resp_release(&r);
		return -1;
	}
	*data = (unsigned char *)(r.body ? r.body : xstrdup(""));
	*len = r.len;
	r.body = NULL;
	reg_resp_release(&r);
	return 0;
}

int reg_sig_verify(struct reg_client *c, const char *repo, const char *name, const char *digest,
		   const struct sign_trust *t, struct err *e)
{
	static const char *const accept[] = {"Accept: " SIGN_MANIFEST_MEDIA_TYPE, NULL};
	char *tag = sign_tag(digest), *path, *scope;
	struct sig_fetch f;
	struct reg_resp r;
	int rc;
	if (!tag)
		return err_set(e, "cannot verify the signature of '%s@%s': invalid digest", name, digest);
	path = xasprintf("/v2/%s/manifests/%s", repo, tag);
	scope = xasprintf("repository:%s:pull", repo);
	free(tag);
	rc = reg_request(c, "GET", path, scope, accept, NULL, SIGN_MANIFEST_MAX, &r, e);
	free(path);
	if (rc < 0) {
		free(scope);
		return err_wrap(e, "fetching the signature of '%s@%s'", name, digest);
	}
	if (r.status == 404) {
		reg_resp_release(&r);
		free(scope);
		return sign_err_unsigned(e, name, digest);
	}
	if (r.status != 200) {
		char what[400];
		snprintf(what, sizeof(what), "fetching the signature of '%s@%s': ", name, digest);
		reg_resp_error(&r, what, e);
		reg_resp_release(&r);
		free(scope);
		return -1;
	}
	f = (struct sig_fetch){.c = c, .repo = repo, .scope = scope};
	rc = sign_verify(r.body ? r.body : "", r.len, fetch_blob, &f, name, digest, t, NULL, e);
	reg_resp_release(&r);
	free(scope);
	return rc;
}
