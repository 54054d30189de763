/* The signature policy file (sign/policy.h). */
#include <libgen.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "sign/policy.h"
#include "sign/sign_int.h"
#include "util/fs.h"

struct rule {
	char *scope; /* NULL for the default */
	enum sign_require req;
	struct sign_trust trust;
	struct strv owned; /* the strings trust points to */
};

struct sign_policy {
	struct rule def;
	struct rule *v;
	size_t n;
};

static void rule_release(struct rule *r)
{
	free(r->scope);
	strv_release(&r->owned);
}

void sign_policy_free(struct sign_policy *p)
{
	if (!p)
		return;
	rule_release(&p->def);
	for (size_t i = 0; i < p->n; i++)
		rule_release(&p->v[i]);
	free(p->v);
	free(p);
}

const char *sign_require_name(enum sign_require r)
{
	return r == SIGN_REQUIRE_KEY ? "key" : r == SIGN_REQUIRE_KEYLESS ? "keyless" : "none";
}

/* A string field, kept in r->owned; paths made absolute against base. */
static int field(struct rule *r, const json_t *o, const char *key, bool path, const char *base, const char **out,
		 struct err *e)
{
	const json_t *v = json_object_get(o, key);
	char *s;
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || !json_string_length(v) || strlen(json_string_value(v)) != json_string_length(v))
		return err_set(e, "'%s' is not a non-empty string", key);
	if (path && json_string_value(v)[0] != '/' && base)
		s = xasprintf("%s/%s", base, json_string_value(v));
	else
		s = xstrdup(json_string_value(v));
	strv_push_owned(&r->owned, s);
	*out = s;
	return 0;
}

static int check_regexp(const char *pattern, const char *what, struct err *e)
{
	regex_t re;
	if (!pattern)
		return 0;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return err_set(e, "'%s' is not a valid POSIX extended regexp", what);
	regfree(&re);
	return 0;
}

static int parse_rule(const json_t *o, const char *base, struct rule *r, struct err *e)
{
	static const char *const keys[] = {"require", "key", "fulcioRoots", "identity", "identityRegexp",
					   "issuer", "issuerRegexp", "rekorKey", "matchReference", NULL};
	const json_t *req = json_object_get(o, "require"), *mr = json_object_get(o, "matchReference");
	struct sign_trust *t = &r->trust;
	if (!json_is_object(o))
		return err_set(e, "not an object");
	if (sign_json_only_keys(o, keys, "rule", e) < 0)
		return -1;
	if (!json_is_string(req))
		return err_set(e, "'require' is missing; use \"none\", \"key\" or \"keyless\"");
	if (!strcmp(json_string_value(req), "none"))
		r->req = SIGN_REQUIRE_NONE;
	else if (!strcmp(json_string_value(req), "key"))
		r->req = SIGN_REQUIRE_KEY;
	else if (!strcmp(json_string_value(req), "keyless"))
		r->req = SIGN_REQUIRE_KEYLESS;
	else
		return err_set(e, "'require' is '%.40s'; use \"none\", \"key\" or \"keyless\"", json_string_value(req));
	if (mr && !json_is_boolean(mr))
		return err_set(e, "'matchReference' is not a boolean");
	t->match_reference = json_is_true(mr);
	if (field(r, o, "key", true, base, &t->pubkey_path, e) < 0 ||
	    field(r, o, "fulcioRoots", true, base, &t->fulcio_roots_path, e) < 0 ||
	    field(r, o, "rekorKey", true, base, &t->rekor_pubkey_path, e) < 0 ||
	    field(r, o, "identity", false, NULL, &t->identity, e) < 0 ||
	    field(r, o, "identityRegexp", false, NULL, &t->identity_regexp, e) < 0 ||
	    field(r, o, "issuer", false, NULL, &t->issuer, e) < 0 ||
	    field(r, o, "issuerRegexp", false, NULL, &t->issuer_regexp, e) < 0)
		return -1;
	switch (r->req) {
	case SIGN_REQUIRE_NONE:
		if (json_object_size(o) > 1)
			return err_set(e, "\"require\": \"none\" takes no other field");
		break;
	case SIGN_REQUIRE_KEY:
		if (!t->pubkey_path)
			return err_set(e, "\"require\": \"key\" needs 'key' (a PEM public key file)");
		if (t->fulcio_roots_path || t->identity || t->identity_regexp || t->issuer || t->issuer_regexp)
			return err_set(e, "\"require\": \"key\" takes no keyless field");
		break;
	case SIGN_REQUIRE_KEYLESS:
		if (t->pubkey_path)
			return err_set(e, "\"require\": \"keyless\" takes no 'key'");
		if (!t->fulcio_roots_path || !t->rekor_pubkey_path)
			return err_set(e, "\"require\": \"keyless\" needs 'fulcioRoots' and 'rekorKey'");
		if (!t->identity && !t->identity_regexp)
			return err_set(e, "\"require\": \"keyless\" needs 'identity' or 'identityRegexp'");
		if (!t->issuer && !t->issuer_regexp)
			return err_set(e, "\"require\": \"keyless\" needs 'issuer' or 'issuerRegexp'");
		if (check_regexp(t->identity_regexp, "identityRegexp", e) < 0 ||
		    check_regexp(t->issuer_regexp, "issuerRegexp", e) < 0)
			return -1;
		break;
	}
	return 0;
}

/* "index.docker.io/x" is "docker.io/x"; scopes are names, not references. */
static char *norm_scope(const char *s)
{
	size_t n = strlen(s);
	if (!n || s[n - 1] == '/' || s[0] == '/' || strstr(s, "://") || strchr(s, '@') || strstr(s, "//") ||
	    strpbrk(s, " \t\n*"))
		return NULL;
	if (!strcmp(s, "index.docker.io") || !strncmp(s, "index.docker.io/", 16))
		return xasprintf("docker.io%s", s + 15);
	return xstrdup(s);
}

int sign_policy_parse(const char *json, size_t len, const char *base_dir, struct sign_policy **out, struct err *e)
{
	static const char *const keys[] = {"default", "scopes", NULL};
	json_t *root = sign_json_parse(json, len, SIGN_POLICY_MAX, "signature policy", e);
	struct sign_policy *p;
	const json_t *def, *scopes, *v;
	const char *k;
	if (!root)
		return -1;
	p = xcalloc(1, sizeof(*p));
	if (!json_is_object(root)) {
		err_set(e, "signature policy is not a JSON object");
		goto fail;
	}
	if (sign_json_only_keys(root, keys, "signature policy", e) < 0)
		goto fail;
	def = json_object_get(root, "default");
	scopes = json_object_get(root, "scopes");
	if (def && parse_rule(def, base_dir, &p->def, e) < 0) {
		err_wrap(e, "signature policy 'default'");
		goto fail;
	}
	if (scopes && !json_is_object(scopes)) {
		err_set(e, "signature policy 'scopes' is not an object");
		goto fail;
	}
	p->v = xcalloc(json_object_size(scopes) + 1, sizeof(*p->v));
	json_object_foreach((json_t *)scopes, k, v) {
		struct rule *r = &p->v[p->n];
		char *s = norm_scope(k);
		if (!s) {
			err_set(e, "signature policy scope '%s' is not a registry or repository name", k);
			goto fail;
		}
		for (size_t i = 0; i < p->n; i++)
			if (!strcmp(p->v[i].scope, s)) {
				err_set(e, "signature policy scope '%s' is given twice", s);
				free(s);
				goto fail;
			}
		r->scope = s;
		p->n++;
		if (parse_rule(v, base_dir, r, e) < 0) {
			err_wrap(e, "signature policy scope '%s'", k);
			goto fail;
		}
	}
	json_decref(root);
	*out = p;
	return 0;
fail:
	json_decref(root);
	sign_policy_free(p);
	return -1;
}

int sign_policy_load(const char *path, struct sign_policy **out, struct err *e)
{
	char *json, *copy, *dir;
	size_t len;
	int rc;
	if (fs_read_file(path, SIGN_POLICY_MAX, &json, &len, e) < 0)
		return -1;
	copy = xstrdup(path);
	dir = dirname(copy);
	rc = sign_policy_parse(json, len, dir, out, e);
	if (rc < 0)
		err_wrap(e, "loading '%s'", path);
	free(copy);
	free(json);
	return rc;
}

enum sign_require sign_policy_lookup(const struct sign_policy *p, const char *name, const struct sign_trust **trust,
				     const char **scope)
{
	const struct rule *best;
	size_t best_len = 0, n;
	const char *slash;
	char *bare;
	if (trust)
		*trust = NULL;
	if (scope)
		*scope = NULL;
	if (!p)
		return SIGN_REQUIRE_NONE;
	/* drop "@digest", then a ":tag" after the last '/' */
	bare = xstrndup(name, strcspn(name, "@"));
	slash = strrchr(bare, '/');
	if (slash && strchr(slash, ':'))
		*strchr(slash, ':') = '\0';
	n = strlen(bare);
	best = &p->def;
	for (size_t i = 0; i < p->n; i++) {
		size_t l = strlen(p->v[i].scope);
		if (l > n || strncmp(bare, p->v[i].scope, l) || (l < n && bare[l] != '/'))
			continue;
		if (l > best_len) {
			best = &p->v[i];
			best_len = l;
		}
	}
	free(bare);
	if (scope)
		*scope = best->scope;
	if (trust && best->req != SIGN_REQUIRE_NONE)
		*trust = &best->trust;
	return best->req;
}
