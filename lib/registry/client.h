/*
 * A client for one registry (OCI distribution spec v2) over libcurl: the
 * scheme chosen by a ping of /v2/ (HTTPS; plain HTTP only for insecure
 * registries), anonymous, Basic or Bearer token auth (tokens cached per
 * scope for the life of the client), TLS settings from registry/conf.h,
 * redirects followed (libcurl never sends our Authorization header to
 * another host or port), bounded time (connect timeout, stall timeout) and
 * bounded memory (every body read into memory is capped).
 *
 * Environment: A3S_BOX_REGISTRY_STALL_TIMEOUT (seconds without a byte before
 * a transfer is abandoned, default 30).
 */
#ifndef A3S_REGISTRY_CLIENT_H
#define A3S_REGISTRY_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/auth.h"
#include "registry/conf.h"
#include "registry/creds.h"
#include "util/err.h"

struct reg_opts {
	bool tls_verify; /* false: --tls-verify=false */
	const char *user, *secret; /* explicit credentials (login), else stored ones */
};

struct reg_token_ent {
	char *scope;
	char *token;
	long long expires_ms;
};

struct reg_client {
	char *domain; /* as in references: "docker.io", "localhost:5000" */
	char *host; /* where requests go: "registry-1.docker.io", "localhost:5000" */
	char *base; /* "https://host" once pinged */
	struct reg_tls tls;
	struct reg_cred cred;
	bool have_cred;
	struct reg_challenge chal; /* from the ping */
	struct reg_token_ent *tokens;
	size_t n_tokens;
	long stall_s;
};

/* The response of one request. Strings are NULL when the header was absent. */
struct reg_resp {
	long status;
	char *body; /* NUL-terminated, at most the request's max bytes */
	size_t len;
	char *content_type, *digest, *location, *www_auth, *range, *link;
	int64_t content_length; /* -1 when unknown */
};

/* A request body: a buffer, or n bytes of fd from off. */
struct reg_body {
	const void *buf;
	size_t len;
	int fd;
	int64_t off, n;
};

int reg_client_new(const char *domain, const struct reg_opts *o, struct reg_client **out, struct err *e);
void reg_client_free(struct reg_client *c);

/* Ping /v2/ (once per client) to pick the scheme and learn the challenge. */
int reg_client_ping(struct reg_client *c, struct err *e);

/* One request. url is a path ("/v2/...") or an absolute URL on the same
 * registry (an upload Location). scope ("repository:a/b:pull" and more
 * separated by spaces) is what a Bearer token must grant. headers is a
 * NULL-terminated list or NULL. A 401 is answered once with a new token
 * (with the scope the challenge asks for); a second 401 is returned as is.
 * The body read into r is capped at max bytes (an error beyond). */
int reg_request(struct reg_client *c, const char *method, const char *url, const char *scope,
		const char *const *headers, const struct reg_body *body, size_t max, struct reg_resp *r,
		struct err *e);
void reg_resp_release(struct reg_resp *r);

/* "Authorization: ..." for scope (NULL when anonymous), for transfers made
 * outside reg_request. refresh drops a cached token first. Caller frees. */
int reg_auth_header(struct reg_client *c, const char *scope, bool refresh, char **out, struct err *e);

/* Configure h for this registry: TLS, timeouts, redirects, user agent. */
void reg_client_setup(struct reg_client *c, CURL *h);
/* Absolute URL for a path or URL. Caller frees. */
char *reg_client_url(struct reg_client *c, const char *url);
/* The error of a registry response: the first "errors" entry's code and
 * message when the body has them, else the HTTP status. Sets e. */
int reg_resp_error(const struct reg_resp *r, const char *what, struct err *e);

#endif
