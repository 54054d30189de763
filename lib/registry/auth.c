/* WWW-Authenticate and token-response parsing (RFC 7235, distribution token spec). */
#include "registry/auth.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

static bool tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

void reg_challenge_release(struct reg_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

/* A token ("abc") or a quoted string ("a \"b\""), unescaped into *out. */
static const char *value(const char *p, char **out)
{
	if (*p == '"') {
		size_t n = 0, cap = strlen(p);
		char *v = xmalloc(cap + 1);
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if ((unsigned char)*p < 0x20 && *p != '\t') {
				free(v);
				return NULL;
			}
			v[n++] = *p;
		}
		if (*p != '"') {
			free(v);
			return NULL;
		}
		v[n] = 0;
		*out = v;
		return p + 1;
	}
	const char *s = p;
	while (tchar(*p) || *p == '=' || *p == '/')
		p++;
	if (p == s)
		return NULL;
	*out = xstrndup(s, (size_t)(p - s));
	return p;
}

static void set_param(struct reg_challenge *c, const char *k, size_t klen, char *v)
{
	char **slot = NULL;
	if (klen == 5 && !strncasecmp(k, "realm", 5))
		slot = &c->realm;
	else if (klen == 7 && !strncasecmp(k, "service", 7))
		slot = &c->service;
	else if (klen == 5 && !strncasecmp(k, "scope", 5))
		slot = &c->scope;
	else if (klen == 5 && !strncasecmp(k, "error", 5))
		slot = &c->error;
	if (slot) {
		free(*slot);
		*slot = v;
	} else {
		free(v);
	}
}

int reg_challenge_parse(const char *header, struct reg_challenge *out, struct err *e)
{
	struct reg_challenge best = {0}, cur = {0};
	const char *p = header;
	memset(out, 0, sizeof(*out));
	if (strlen(header) > REG_HEADER_MAX)
		return err_set(e, "invalid WWW-Authenticate header: longer than %d bytes", REG_HEADER_MAX);
	for (;;) {
		const char *s;
		p = skip_ws(p);
		while (*p == ',')
			p = skip_ws(p + 1);
		if (!*p)
			break;
		/* a scheme starts a challenge */
		s = p;
		while (tchar(*p))
			p++;
		if (p == s)
			goto bad;
		if (cur.scheme || cur.realm) {
			if (cur.scheme > best.scheme) {
				reg_challenge_release(&best);
				best = cur;
			} else {
				reg_challenge_release(&cur);
			}
			memset(&cur, 0, sizeof(cur));
		}
		if (p - s == 6 && !strncasecmp(s, "bearer", 6))
			cur.scheme = REG_AUTH_BEARER;
		else if (p - s == 5 && !strncasecmp(s, "basic", 5))
			cur.scheme = REG_AUTH_BASIC;
		else
			cur.scheme = REG_AUTH_NONE;
		cur.realm = NULL;
		/* auth-params: k=v, separated by commas, until the next scheme */
		for (;;) {
			const char *k, *save;
			size_t klen;
			char *v = NULL;
			save = p = skip_ws(p);
			while (*p == ',')
				p = skip_ws(p + 1);
			if (!*p)
				break;
			k = p;
			while (tchar(*p))
				p++;
			klen = (size_t)(p - k);
			p = skip_ws(p);
			if (!klen || *p != '=') {
				p = save; /* the next challenge's scheme */
				break;
			}
			p = skip_ws(p + 1);
			if (!(p = value(p, &v)))
				goto bad;
			set_param(&cur, k, klen, v);
			p = skip_ws(p);
			if (*p && *p != ',')
				goto bad;
		}
		if (p == s)
			goto bad;
	}
	if (cur.scheme > best.scheme) {
		reg_challenge_release(&best);
		best = cur;
	} else {
		reg_challenge_release(&cur);
	}
	if (best.scheme == REG_AUTH_NONE) {
		reg_challenge_release(&best);
		return err_set(e, "unsupported WWW-Authenticate challenge: neither Basic nor Bearer");
	}
	if (best.scheme == REG_AUTH_BEARER &&
	    (!best.realm || (strncmp(best.realm, "https://", 8) && strncmp(best.realm, "http://", 7)))) {
		reg_challenge_release(&best);
		return err_set(e, "invalid WWW-Authenticate header: Bearer challenge without an http(s) realm");
	}
	*out = best;
	return 0;
bad:
	reg_challenge_release(&cur);
	reg_challenge_release(&best);
	return err_set(e, "invalid WWW-Authenticate header");
}

static bool token_ok(const char *t)
{
	if (!*t)
		return false;
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return false;
	return true;
}

int reg_token_parse(const char *buf, size_t len, char **token, long *expires_in, struct err *e)
{
	json_error_t je;
	json_t *j, *t, *x;
	if (len > REG_TOKEN_MAX)
		return err_set(e, "invalid token response: larger than %d bytes", REG_TOKEN_MAX);
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return err_set(e, "invalid token response: not a JSON object");
	}
	t = json_object_get(j, "token");
	if (!json_is_string(t) || !json_string_length(t))
		t = json_object_get(j, "access_token");
	if (!json_is_string(t) || strlen(json_string_value(t)) != json_string_length(t) ||
	    !token_ok(json_string_value(t))) {
		json_decref(j);
		return err_set(e, "invalid token response: no usable \"token\"");
	}
	x = json_object_get(j, "expires_in");
	*expires_in = 60;
	if (json_is_integer(x) && json_integer_value(x) > 60 && json_integer_value(x) < 1000000000)
		*expires_in = (long)json_integer_value(x);
	*token = xstrdup(json_string_value(t));
	json_decref(j);
	return 0;
}
