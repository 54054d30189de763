/* registry_tags: GET /v2/NAME/tags/list, page by page. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/ref.h"
#include "registry/client.h"
#include "registry/pull.h"

#define MAX_PAGES 100
#define MAX_TAGS 100000

/* The target of Link: <URL>; rel="next", or NULL. */
static char *next_link(const char *link)
{
	const char *a, *b;
	if (!link || !strstr(link, "rel=\"next\"") || !(a = strchr(link, '<')) || !(b = strchr(a, '>')))
		return NULL;
	return xstrndup(a + 1, (size_t)(b - a - 1));
}

int registry_tags(const char *name, const struct reg_xfer_opts *o, struct strv *out, struct err *e)
{
	struct image_ref ref;
	struct reg_opts ro = {.tls_verify = o->tls_verify};
	struct reg_client *c = NULL;
	char *url, *scope;
	int rc = -1;
	if (image_ref_parse(name, &ref, e) < 0)
		return -1;
	if (ref.tag || ref.digest) {
		err_setk(e, ERR_USAGE, "tag can't be used with --all-tags/-a");
		image_ref_release(&ref);
		return -1;
	}
	url = xasprintf("/v2/%s/tags/list?n=1000", ref.path);
	scope = xasprintf("repository:%s:pull", ref.path);
	if (reg_client_new(ref.domain, &ro, &c, e) < 0)
		goto out;
	for (int page = 0; url && page < MAX_PAGES; page++) {
		struct reg_resp r;
		json_t *j, *v;
		size_t i;
		if (reg_request(c, "GET", url, scope, NULL, NULL, IMAGE_JSON_MAX, &r, e) < 0)
			goto out;
		if (r.status != 200) {
			reg_resp_error(&r, "listing tags: ", e);
			reg_resp_release(&r);
			goto out;
		}
		j = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
		if (!json_is_object(j) || (json_object_get(j, "tags") && !json_is_array(json_object_get(j, "tags")) &&
					   !json_is_null(json_object_get(j, "tags")))) {
			json_decref(j);
			reg_resp_release(&r);
			err_set(e, "listing tags: invalid answer from the registry");
			goto out;
		}
		json_array_foreach(json_object_get(j, "tags"), i, v) {
			if (json_is_string(v) && image_ref_valid_tag(json_string_value(v)) && out->n < MAX_TAGS)
				strv_push(out, json_string_value(v));
		}
		json_decref(j);
		free(url);
		url = next_link(r.link);
		reg_resp_release(&r);
	}
	rc = 0;
out:
	if (rc < 0)
		err_wrap(e, "repository '%s'", name);
	reg_client_free(c);
	free(url);
	free(scope);
	image_ref_release(&ref);
	return rc;
}
