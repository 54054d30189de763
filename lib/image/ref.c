/* Docker reference grammar (distribution/reference), normalised as docker does. */
#include "image/ref.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "util/xalloc.h"

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )* */
static bool valid_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.' || s[i] == '_') {
			size_t j = i + 1;
			if (s[i] == '_' && j < n && s[j] == '_')
				j++;
			if (j >= n || !lower_alnum(s[j]))
				return false;
			i = j;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
			if (i >= n || !lower_alnum(s[i]))
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static bool valid_path(const char *s)
{
	const char *p = s;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (!valid_component(p, n))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* domain := host [":" port]; host := label ("." label)* | "[" ipv6 "]" */
static bool valid_domain(const char *s)
{
	const char *colon, *p = s;
	if (*p == '[') {
		const char *end = strchr(p, ']');
		if (!end || end == p + 1)
			return false;
		for (const char *q = p + 1; q < end; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':')
				return false;
		colon = end + 1;
		if (*colon == '\0')
			return true;
		if (*colon != ':')
			return false;
	} else {
		colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		size_t start = 0;
		if (n == 0)
			return false;
		for (size_t i = 0; i <= n; i++) {
			if (i == n || p[i] == '.') {
				size_t len = i - start;
				if (len == 0 || p[start] == '-' || p[i - 1] == '-')
					return false;
				start = i + 1;
			} else if (!isalnum((unsigned char)p[i]) && p[i] != '-') {
				return false;
			}
		}
		if (!colon)
			return true;
	}
	if (!colon[1])
		return false;
	for (const char *q = colon + 1; *q; q++)
		if (!isdigit((unsigned char)*q))
			return false;
	return true;
}

int image_ref_valid_tag(const char *tag)
{
	size_t n = strlen(tag);
	if (n == 0 || n > IMAGE_REF_TAG_MAX)
		return 0;
	if (!isalnum((unsigned char)tag[0]) && tag[0] != '_')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)tag[i]) && !strchr("_.-", tag[i]))
			return 0;
	return 1;
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int bad(struct err *e, const char *s, const char *why)
{
	if (why)
		return err_setk(e, ERR_USAGE, "invalid reference format: %s", why);
	return err_setk(e, ERR_USAGE, "invalid reference format: '%s'", s);
}

int image_ref_parse(const char *s, struct image_ref *out, struct err *e)
{
	_cleanup_free_ char *name = NULL;
	char *at, *slash, *colon, *first_slash;
	struct image_ref r = IMAGE_REF_INIT;
	bool has_upper = false;

	if (!*s)
		return bad(e, s, "empty reference");
	if (is_hex64(s))
		return err_setk(e, ERR_USAGE,
				"invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);
	name = xstrdup(s);
	at = strchr(name, '@');
	if (at) {
		*at = '\0';
		if (!digest_valid(at + 1))
			return err_setk(e, ERR_USAGE, "invalid reference format: bad digest '%s'", at + 1);
	}
	slash = strrchr(name, '/');
	colon = strrchr(slash ? slash : name, ':');
	if (colon) {
		*colon = '\0';
		if (!image_ref_valid_tag(colon + 1))
			return err_setk(e, ERR_USAGE,
					"invalid reference format: invalid tag '%s' (up to %d of [A-Za-z0-9_.-], not starting with '.' or '-')",
					colon + 1, IMAGE_REF_TAG_MAX);
	}
	if (!*name)
		return bad(e, s, NULL);

	/* the first component is a domain when it looks like one */
	first_slash = strchr(name, '/');
	if (first_slash) {
		size_t n = (size_t)(first_slash - name);
		bool dom = memchr(name, '.', n) || memchr(name, ':', n) || (n == 9 && !strncmp(name, "localhost", 9));
		for (size_t i = 0; i < n && !dom; i++)
			if (isupper((unsigned char)name[i]))
				dom = true;
		if (dom) {
			r.domain = xstrndup(name, n);
			r.path = xstrdup(first_slash + 1);
		}
	}
	if (!r.path)
		r.path = xstrdup(name);
	if (!r.domain)
		r.domain = xstrdup(DEFAULT_DOMAIN);
	for (const char *p = r.path; *p; p++)
		has_upper |= isupper((unsigned char)*p) != 0;
	if (has_upper) {
		err_setk(e, ERR_USAGE, "invalid reference format: repository name (%s) must be lowercase", r.path);
		goto fail;
	}
	if (!valid_domain(r.domain) || !valid_path(r.path)) {
		bad(e, s, NULL);
		goto fail;
	}
	if (!strcmp(r.domain, LEGACY_DOMAIN)) {
		free(r.domain);
		r.domain = xstrdup(DEFAULT_DOMAIN);
	}
	if (!strcmp(r.domain, DEFAULT_DOMAIN) && !strchr(r.path, '/')) {
		char *p = xasprintf(OFFICIAL_PREFIX "%s", r.path);
		free(r.path);
		r.path = p;
	}
	/* the limit applies to the normalised name, as docker parses that again */
	if (strlen(r.domain) + 1 + strlen(r.path) > IMAGE_REF_NAME_MAX) {
		err_setk(e, ERR_USAGE, "invalid reference format: repository name must not be more than %d characters",
			 IMAGE_REF_NAME_MAX);
		goto fail;
	}
	if (colon)
		r.tag = xstrdup(colon + 1);
	if (at)
		r.digest = xstrdup(at + 1);
	*out = r;
	return 0;
fail:
	image_ref_release(&r);
	return -1;
}

int image_ref_parse_tagged(const char *s, struct image_ref *out, struct err *e)
{
	if (image_ref_parse(s, out, e) < 0)
		return -1;
	if (!out->tag && !out->digest)
		out->tag = xstrdup("latest");
	return 0;
}

void image_ref_release(struct image_ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	*r = (struct image_ref)IMAGE_REF_INIT;
}

char *image_ref_name(const struct image_ref *r)
{
	return xasprintf("%s/%s", r->domain, r->path);
}

static char *with_suffix(char *name, const struct image_ref *r)
{
	char *s = xasprintf("%s%s%s%s%s", name, r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
			    r->digest ? r->digest : "");
	free(name);
	return s;
}

char *image_ref_string(const struct image_ref *r)
{
	return with_suffix(image_ref_name(r), r);
}

/* Whether s has a '/'; *n gets the length before the first one. */
static bool first_slash_len(const char *s, size_t *n)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '/') {
			if (n)
				*n = i;
			return true;
		}
	}
	return false;
}

char *image_ref_familiar_name(const struct image_ref *r)
{
	const char *p = r->path;
	if (strcmp(r->domain, DEFAULT_DOMAIN))
		return image_ref_name(r);
	/* "library/x" -> "x", unless x alone would read as an image id */
	if (strlen(p) > strlen(OFFICIAL_PREFIX) && !strncmp(p, OFFICIAL_PREFIX, strlen(OFFICIAL_PREFIX))) {
		const char *rest = p + strlen(OFFICIAL_PREFIX);
		if (!first_slash_len(rest, NULL) && !is_hex64(rest))
			p = rest;
	}
	/* "docker.io/foo.bar/x" must keep its domain: "foo.bar/x" would name
	 * the registry foo.bar (docker drops it here and misreads its output) */
	{
		size_t n;
		if (first_slash_len(p, &n) && (memchr(p, '.', n) || (n == 9 && !strncmp(p, "localhost", 9))))
			return image_ref_name(r);
	}
	return xstrdup(p);
}

char *image_ref_familiar_string(const struct image_ref *r)
{
	return with_suffix(image_ref_familiar_name(r), r);
}

char *image_ref_familiarize(const char *s)
{
	struct image_ref r;
	struct err e;
	char *out;
	if (image_ref_parse(s, &r, &e) < 0)
		return xstrdup(s);
	out = image_ref_familiar_string(&r);
	image_ref_release(&r);
	return out;
}
