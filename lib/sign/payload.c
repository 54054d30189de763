/* The simple-signing payload cosign signs (containers-signature(5) with
 * critical.type "cosign container image signature"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/ref.h"
#include "sign/sign_int.h"

char *sign_docker_reference(const char *repo)
{
	if (!strncmp(repo, "docker.io/", 10))
		return xasprintf("index.docker.io/%s", repo + 10);
	return xstrdup(repo);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *sign_payload_make(const char *docker_reference, const char *digest, const char *const *annotations,
			size_t *len)
{
	char *buf = NULL;
	size_t n = 0, na = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		abort();
	/* Go's json.Marshal of the struct: fields in declaration order,
	 * which is also sorted order here; map keys sorted bytewise */
	fputs("{\"critical\":{\"identity\":{\"docker-reference\":", f);
	sign_json_write_str(f, docker_reference, strlen(docker_reference), true);
	fputs("},\"image\":{\"docker-manifest-digest\":", f);
	sign_json_write_str(f, digest, strlen(digest), true);
	fputs("},\"type\":\"" SIGN_PAYLOAD_TYPE "\"},\"optional\":", f);
	while (annotations && annotations[na])
		na++;
	if (!na) {
		fputs("null", f);
	} else {
		const char **sorted = xcalloc(na, sizeof(*sorted));
		memcpy(sorted, annotations, na * sizeof(*sorted));
		qsort(sorted, na, sizeof(*sorted), cmp_str);
		fputc('{', f);
		for (size_t i = 0; i < na; i++) {
			const char *eq = strchr(sorted[i], '=');
			size_t kl = eq ? (size_t)(eq - sorted[i]) : strlen(sorted[i]);
			if (i)
				fputc(',', f);
			sign_json_write_str(f, sorted[i], kl, true);
			fputc(':', f);
			sign_json_write_str(f, eq ? eq + 1 : "", eq ? strlen(eq + 1) : 0, true);
		}
		fputc('}', f);
		free(sorted);
	}
	fputc('}', f);
	fclose(f);
	*len = n;
	return buf;
}

static const json_t *member(const json_t *o, const char *key, json_type type, const char *what, struct err *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_typeof(v) != type) {
		err_set(e, "payload has no %s '%s'", type == JSON_OBJECT ? "object" : "string", what);
		return NULL;
	}
	return v;
}

int sign_payload_check(const unsigned char *p, size_t len, const char *expected_digest, char **docker_ref,
		       struct err *e)
{
	static const char *const top_keys[] = {"critical", "optional", NULL};
	static const char *const crit_keys[] = {"identity", "image", "type", NULL};
	static const char *const id_keys[] = {"docker-reference", NULL};
	static const char *const img_keys[] = {"docker-manifest-digest", NULL};
	const json_t *crit, *id, *img, *type, *ref, *dig, *opt;
	struct image_ref r = IMAGE_REF_INIT;
	json_t *root = sign_json_parse((const char *)p, len, SIGN_PAYLOAD_MAX, "signed payload", e);
	int rc = -1;
	if (!root)
		return -1;
	if (!json_is_object(root)) {
		err_set(e, "signed payload is not a JSON object");
		goto out;
	}
	/* containers-signature(5): unknown critical fields must be rejected;
	 * keys are matched exactly (Go would also accept other cases) */
	if (sign_json_only_keys(root, top_keys, "signed payload", e) < 0 ||
	    !(crit = member(root, "critical", JSON_OBJECT, "critical", e)) ||
	    sign_json_only_keys(crit, crit_keys, "signed payload's 'critical'", e) < 0 ||
	    !(type = member(crit, "type", JSON_STRING, "critical.type", e)) ||
	    !(img = member(crit, "image", JSON_OBJECT, "critical.image", e)) ||
	    sign_json_only_keys(img, img_keys, "signed payload's 'critical.image'", e) < 0 ||
	    !(dig = member(img, "docker-manifest-digest", JSON_STRING, "critical.image.docker-manifest-digest", e)) ||
	    !(id = member(crit, "identity", JSON_OBJECT, "critical.identity", e)) ||
	    sign_json_only_keys(id, id_keys, "signed payload's 'critical.identity'", e) < 0 ||
	    !(ref = member(id, "docker-reference", JSON_STRING, "critical.identity.docker-reference", e)))
		goto out;
	opt = json_object_get(root, "optional");
	if (opt && !json_is_null(opt) && !json_is_object(opt)) {
		err_set(e, "signed payload's 'optional' is neither an object nor null");
		goto out;
	}
	if (strcmp(json_string_value(type), SIGN_PAYLOAD_TYPE)) {
		err_set(e, "signed payload has type '%.100s', not '" SIGN_PAYLOAD_TYPE "'", json_string_value(type));
		goto out;
	}
	if (!digest_valid(json_string_value(dig))) {
		err_set(e, "signed payload has an invalid digest '%.100s'", json_string_value(dig));
		goto out;
	}
	if (strcmp(json_string_value(dig), expected_digest)) {
		err_set(e, "signed payload is for '%s', not '%s'", json_string_value(dig), expected_digest);
		goto out;
	}
	/* cosign ignores docker-reference for policy but needs it to parse
	 * as a repository (it parses "<ref>@<digest>") */
	if (strlen(json_string_value(ref)) != json_string_length(ref) ||
	    image_ref_parse(json_string_value(ref), &r, e) < 0 || r.digest) {
		err_set(e, "signed payload has an invalid docker-reference '%.200s'", json_string_value(ref));
		goto out;
	}
	if (docker_ref)
		*docker_ref = xstrdup(json_string_value(ref));
	rc = 0;
out:
	image_ref_release(&r);
	json_decref(root);
	return rc;
}

bool sign_reference_matches(const char *docker_ref, const char *repo)
{
	struct image_ref a = IMAGE_REF_INIT, b = IMAGE_REF_INIT;
	struct err e = ERR_INIT;
	bool ok = false;
	if (image_ref_parse(docker_ref, &a, &e) == 0 && image_ref_parse(repo, &b, &e) == 0)
		ok = !strcmp(a.domain, b.domain) && !strcmp(a.path, b.path);
	image_ref_release(&a);
	image_ref_release(&b);
	return ok;
}
