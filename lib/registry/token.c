/* Bearer tokens: asked from the challenge's realm per scope, cached per
 * client until they expire; Basic credentials otherwise. */
#include <stdlib.h>
#include <string.h>

#include "registry/client.h"
#include "registry/client_int.h"
#include "util/io.h"
#include "util/xalloc.h"

static struct reg_token_ent *token_find(struct reg_client *c, const char *scope)
{
	for (size_t i = 0; i < c->n_tokens; i++)
		if (!strcmp(c->tokens[i].scope, scope))
			return &c->tokens[i];
	return NULL;
}

static char *url_escape(const char *s)
{
	char *t = curl_easy_escape(NULL, s, 0), *r;
	if (!t)
		abort();
	r = xstrdup(t);
	curl_free(t);
	return r;
}

/* GET realm?service=S&scope=A&scope=B, with Basic credentials when we have them. */
static int fetch_token(struct reg_client *c, const struct reg_challenge *ch, const char *scope, char **token,
		       long *expires, struct err *e)
{
	char *url = xstrdup(ch->realm), *basic = NULL;
	char sep = strchr(url, '?') ? '&' : '?';
	struct reg_resp r;
	int rc;
	if (ch->service) {
		char *s = url_escape(ch->service), *n = xasprintf("%s%cservice=%s", url, sep, s);
		free(s);
		free(url);
		url = n;
		sep = '&';
	}
	if (scope && *scope) {
		char *copy = xstrdup(scope), *save = NULL;
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			char *s = url_escape(t), *n = xasprintf("%s%cscope=%s", url, sep, s);
			free(s);
			free(url);
			url = n;
			sep = '&';
		}
		free(copy);
	}
	if (c->have_cred) {
		char *pair = xasprintf("%s:%s", c->cred.user, c->cred.secret), *b64 = reg_b64_encode(pair);
		basic = xasprintf("Authorization: Basic %s", b64);
		explicit_bzero(pair, strlen(pair));
		free(pair);
		free(b64);
	}
	/* the token server is reached with the registry's TLS settings */
	rc = reg_perform(c, "GET", url, basic, NULL, NULL, REG_TOKEN_MAX, &r, e);
	if (basic) {
		explicit_bzero(basic, strlen(basic));
		free(basic);
	}
	if (rc < 0) {
		free(url);
		return err_wrap(e, "getting a token from '%s'", ch->realm);
	}
	free(url);
	if (r.status == 401 || r.status == 403) {
		long st = r.status;
		reg_resp_release(&r);
		return err_set(e, "unauthorized: the token server '%s' refused %s (HTTP %ld)%s", ch->realm,
			       c->have_cred ? "the credentials" : "anonymous access", st,
			       c->have_cred ? "" : "; log in with 'a3s-box login'");
	}
	if (r.status != 200) {
		long st = r.status;
		reg_resp_release(&r);
		return err_set(e, "token server '%s' answered HTTP %ld", ch->realm, st);
	}
	rc = reg_token_parse(r.body ? r.body : "", r.len, token, expires, e);
	reg_resp_release(&r);
	return rc < 0 ? err_wrap(e, "token server '%s'", ch->realm) : 0;
}

int reg_auth_header(struct reg_client *c, const char *scope, bool refresh, char **out, struct err *e)
{
	struct reg_token_ent *t;
	char *tok;
	long exp;
	*out = NULL;
	if (reg_client_ping(c, e) < 0)
		return -1;
	if (c->chal.scheme == REG_AUTH_BASIC) {
		if (c->have_cred) {
			char *pair = xasprintf("%s:%s", c->cred.user, c->cred.secret), *b64 = reg_b64_encode(pair);
			*out = xasprintf("Authorization: Basic %s", b64);
			explicit_bzero(pair, strlen(pair));
			free(pair);
			free(b64);
		}
		return 0;
	}
	if (c->chal.scheme != REG_AUTH_BEARER)
		return 0;
	if (!scope)
		scope = "";
	t = token_find(c, scope);
	if (t && !refresh && t->expires_ms > io_now_ms()) {
		*out = xasprintf("Authorization: Bearer %s", t->token);
		return 0;
	}
	if (fetch_token(c, &c->chal, scope, &tok, &exp, e) < 0)
		return -1;
	if (!t) {
		c->tokens = xrealloc(c->tokens, (c->n_tokens + 1) * sizeof(*c->tokens));
		t = &c->tokens[c->n_tokens++];
		t->scope = xstrdup(scope);
		t->token = NULL;
	}
	free(t->token);
	t->token = tok;
	t->expires_ms = io_now_ms() + (exp - 10) * 1000LL;
	*out = xasprintf("Authorization: Bearer %s", t->token);
	return 0;
}

