/* The registry client: ping, auth and single requests over libcurl. */
#include "registry/client.h"
#include "registry/client_int.h"

#include <jansson.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "registry/curl_dl.h"
#include "registry/fetch.h"
#include "util/io.h"
#include "util/xalloc.h"

#define USER_AGENT "a3s-box/0.1.0"
#define ERR_BODY_MAX 4096
#define MAX_REDIRS 5

int reg_client_new(const char *domain, const struct reg_opts *o, struct reg_client **out, struct err *e)
{
	struct reg_client *c;
	const char *stall = getenv("A3S_BOX_REGISTRY_STALL_TIMEOUT");
	if (reg_curl_load(e) < 0)
		return -1;
	c = xcalloc(1, sizeof(*c));
	c->domain = xstrdup(domain);
	c->host = xstrdup(!strcmp(domain, "docker.io") ? "registry-1.docker.io" : domain);
	c->stall_s = stall && atol(stall) > 0 ? atol(stall) : 30;
	if (reg_conf_load(c->host, o->tls_verify, &c->tls, e) < 0)
		goto fail;
	if (o->user) {
		c->cred.user = xstrdup(o->user);
		c->cred.secret = xstrdup(o->secret ? o->secret : "");
		c->have_cred = true;
	} else {
		int rc = reg_creds_get(domain, &c->cred, e);
		if (rc < 0) {
			err_wrap(e, "reading credentials for '%s'", domain);
			goto fail;
		}
		c->have_cred = rc == 1;
	}
	*out = c;
	return 0;
fail:
	reg_client_free(c);
	return -1;
}

void reg_client_free(struct reg_client *c)
{
	if (!c)
		return;
	free(c->domain);
	free(c->host);
	free(c->base);
	reg_tls_release(&c->tls);
	reg_cred_release(&c->cred);
	reg_challenge_release(&c->chal);
	for (size_t i = 0; i < c->n_tokens; i++) {
		free(c->tokens[i].scope);
		if (c->tokens[i].token)
			explicit_bzero(c->tokens[i].token, strlen(c->tokens[i].token));
		free(c->tokens[i].token);
	}
	free(c->tokens);
	free(c);
}

void reg_resp_release(struct reg_resp *r)
{
	free(r->body);
	free(r->content_type);
	free(r->digest);
	free(r->location);
	free(r->www_auth);
	free(r->range);
	free(r->link);
	memset(r, 0, sizeof(*r));
}

static CURLcode ssl_ctx_cb(CURL *h, void *sslctx, void *parm)
{
	struct reg_client *c = parm;
	X509_STORE *st = SSL_CTX_get_cert_store(sslctx);
	for (size_t i = 0; i < c->tls.ca_files.n; i++)
		if (!X509_STORE_load_file(st, c->tls.ca_files.v[i]))
			return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	return reg_interrupted ? 1 : 0; /* abort the transfer */
}

void reg_client_setup(struct reg_client *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->stall_s);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)MAX_REDIRS);
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, c->tls.insecure ? "http,https" : "https");
	if (c->tls.insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->tls.ca_files.n) {
		curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
		curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c);
	}
	if (c->tls.client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->tls.client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->tls.client_key);
	}
}

char *reg_client_url(struct reg_client *c, const char *url)
{
	if (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8))
		return xstrdup(url);
	return xasprintf("%s%s", c->base ? c->base : "", url);
}

/* Is url (absolute) on this registry's scheme://host? */
static bool same_origin(struct reg_client *c, const char *url)
{
	size_t n = strlen(c->base);
	return !strncmp(url, c->base, n) && (url[n] == '/' || url[n] == '?' || !url[n]);
}

/* --- one transfer into memory --- */

struct xfer {
	struct reg_resp *r;
	size_t max;
	bool too_big;
	const struct reg_body *body;
	int64_t sent;
};

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
	struct xfer *x = ud;
	size_t n = sz * nm;
	if (x->r->len + n > x->max) {
		x->too_big = true;
		return 0;
	}
	x->r->body = xrealloc(x->r->body, x->r->len + n + 1);
	memcpy(x->r->body + x->r->len, p, n);
	x->r->len += n;
	x->r->body[x->r->len] = 0;
	return n;
}

static void set_hdr(char **slot, const char *v, size_t n)
{
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	free(*slot);
	*slot = xstrndup(v, n > 8192 ? 8192 : n);
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
	struct reg_resp *r = ud;
	size_t n = sz * nm;
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{"content-type:", offsetof(struct reg_resp, content_type)},
		{"docker-content-digest:", offsetof(struct reg_resp, digest)},
		{"location:", offsetof(struct reg_resp, location)},
		{"www-authenticate:", offsetof(struct reg_resp, www_auth)},
		{"range:", offsetof(struct reg_resp, range)},
		{"link:", offsetof(struct reg_resp, link)},
	};
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (after a redirect or 100-continue) */
		free(r->content_type);
		free(r->digest);
		free(r->location);
		free(r->www_auth);
		free(r->range);
		free(r->link);
		r->content_type = r->digest = r->location = r->www_auth = r->range = r->link = NULL;
		return n;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t k = strlen(known[i].name);
		if (n > k && !strncasecmp(p, known[i].name, k)) {
			set_hdr((char **)((char *)r + known[i].off), p + k, n - k);
			break;
		}
	}
	return n;
}

static size_t on_read(char *p, size_t sz, size_t nm, void *ud)
{
	struct xfer *x = ud;
	const struct reg_body *b = x->body;
	size_t want = sz * nm;
	if (b->buf) {
		size_t left = b->len - (size_t)x->sent;
		if (want > left)
			want = left;
		memcpy(p, (const char *)b->buf + x->sent, want);
		x->sent += (int64_t)want;
		return want;
	}
	if ((int64_t)want > b->n - x->sent)
		want = (size_t)(b->n - x->sent);
	if (!want)
		return 0;
	ssize_t got = pread(b->fd, p, want, b->off + x->sent);
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	x->sent += got;
	return (size_t)got;
}

/* Perform one request with an optional Authorization header (client_int.h). */
int reg_perform(struct reg_client *c, const char *method, const char *url, const char *auth,
		   const char *const *headers, const struct reg_body *body, size_t max, struct reg_resp *r,
		   struct err *e)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct xfer x = {.r = r, .max = max, .body = body};
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	curl_off_t cl = -1;
	if (!h)
		abort();
	memset(r, 0, sizeof(*r));
	reg_client_setup(c, h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(method, "GET")) {
		/* default */
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (body) {
			curl_off_t n = body->buf ? (curl_off_t)body->len : (curl_off_t)body->n;
			curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &x);
			curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, n);
			hl = curl_slist_append(hl, "Expect:");
		} else if (!strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		}
	}
	if (auth)
		hl = curl_slist_append(hl, auth);
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	r->content_length = cl;
	curl_easy_cleanup(h);
	curl_slist_free_all(hl);
	if (x.too_big) {
		reg_resp_release(r);
		return err_set(e, "%s %s: the response is larger than %zu bytes", method, url, max);
	}
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		reg_resp_release(r);
		return err_set(e, "interrupted");
	}
	if (cc != CURLE_OK) {
		reg_resp_release(r);
		return err_set(e, "%s %s: %s", method, url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	}
	return 0;
}

int reg_client_ping(struct reg_client *c, struct err *e)
{
	struct reg_resp r;
	char *url;
	int rc;
	if (c->base)
		return 0;
	c->base = xasprintf("https://%s", c->host);
	url = reg_client_url(c, "/v2/");
	rc = reg_perform(c, "GET", url, NULL, NULL, NULL, ERR_BODY_MAX, &r, e);
	free(url);
	if (rc < 0 && c->tls.insecure) {
		/* an insecure registry may speak plain HTTP */
		struct err e2 = ERR_INIT;
		free(c->base);
		c->base = xasprintf("http://%s", c->host);
		url = reg_client_url(c, "/v2/");
		rc = reg_perform(c, "GET", url, NULL, NULL, NULL, ERR_BODY_MAX, &r, &e2);
		free(url);
		if (rc == 0)
			err_clear(e);
	}
	if (rc < 0) {
		free(c->base);
		c->base = NULL;
		return err_wrap(e, "registry '%s' is not reachable", c->domain);
	}
	if (r.status == 401 && r.www_auth) {
		if (reg_challenge_parse(r.www_auth, &c->chal, e) < 0) {
			reg_resp_release(&r);
			free(c->base);
			c->base = NULL;
			return err_wrap(e, "registry '%s'", c->domain);
		}
	} else if (r.status != 200 && r.status != 401) {
		rc = reg_resp_error(&r, "", e);
		err_wrap(e, "registry '%s' does not speak the distribution API v2 at /v2/", c->domain);
		reg_resp_release(&r);
		free(c->base);
		c->base = NULL;
		return -1;
	}
	reg_resp_release(&r);
	return 0;
}

/* Add the challenge's scope to ours (a push that mounts asks for more). */
static char *merge_scope(const char *ours, const char *theirs)
{
	if (!theirs || !*theirs)
		return xstrdup(ours ? ours : "");
	if (!ours || !*ours)
		return xstrdup(theirs);
	if (strstr(ours, theirs))
		return xstrdup(ours);
	return xasprintf("%s %s", ours, theirs);
}

int reg_request(struct reg_client *c, const char *method, const char *url, const char *scope,
		const char *const *headers, const struct reg_body *body, size_t max, struct reg_resp *r,
		struct err *e)
{
	char *full, *auth = NULL, *sc = xstrdup(scope ? scope : "");
	bool send_auth;
	int rc;
	if (reg_client_ping(c, e) < 0) {
		free(sc);
		return -1;
	}
	full = reg_client_url(c, url);
	send_auth = same_origin(c, full);
	for (int attempt = 0;; attempt++) {
		if (send_auth && reg_auth_header(c, sc, attempt > 0, &auth, e) < 0) {
			rc = -1;
			break;
		}
		rc = reg_perform(c, method, full, auth, headers, body, max, r, e);
		if (auth)
			explicit_bzero(auth, strlen(auth));
		free(auth);
		auth = NULL;
		if (rc < 0 || r->status != 401 || attempt > 0 || !send_auth)
			break;
		if (c->chal.scheme == REG_AUTH_NONE && r->www_auth) {
			/* /v2/ was open but this repository is not: learn its challenge */
			struct err ignore = ERR_INIT;
			if (reg_challenge_parse(r->www_auth, &c->chal, &ignore) < 0)
				break;
		} else if (c->chal.scheme != REG_AUTH_BEARER) {
			break;
		}
		/* 401: a token with the scope the registry names, once */
		if (r->www_auth) {
			struct reg_challenge ch;
			struct err ignore = ERR_INIT;
			if (reg_challenge_parse(r->www_auth, &ch, &ignore) == 0) {
				char *m = merge_scope(sc, ch.scope);
				free(sc);
				sc = m;
				reg_challenge_release(&ch);
			}
		}
		reg_resp_release(r);
	}
	free(full);
	free(sc);
	if (rc < 0)
		return err_wrap(e, "registry '%s'", c->domain);
	return 0;
}

/* An error code as the spec writes them: MANIFEST_UNKNOWN. */
static bool plain_code(const char *c)
{
	size_t n = 0;
	for (; c[n]; n++)
		if (!((c[n] >= 'A' && c[n] <= 'Z') || c[n] == '_') || n > 64)
			return false;
	return n > 0;
}

int reg_resp_error(const struct reg_resp *r, const char *what, struct err *e)
{
	json_t *j = r->body && r->len ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	json_t *first = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));
	const char *msg = json_string_value(json_object_get(first, "message"));
	char clean[256];
	size_t n = 0;
	for (const char *p = msg; p && *p && n + 1 < sizeof(clean); p++)
		clean[n++] = (unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f ? '?' : *p;
	clean[n] = 0;
	if (r->status == 401)
		err_set(e, "%sunauthorized: authentication required%s", what,
			msg ? "" : "; log in with 'a3s-box login'");
	else if (code && msg)
		err_set(e, "%s%s: %s (HTTP %ld)", what, plain_code(code) ? code : "ERROR", clean, r->status);
	else
		err_set(e, "%sthe registry answered HTTP %ld", what, r->status);
	json_decref(j);
	return -1;
}
