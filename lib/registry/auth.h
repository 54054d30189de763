/*
 * What a registry sends back about authentication, parsed without trusting
 * it (fuzzed in fuzz/fuzz_registry.c): the WWW-Authenticate challenge of a
 * 401 and the JSON answer of a token server. Pure functions over buffers.
 */
#ifndef A3S_REGISTRY_AUTH_H
#define A3S_REGISTRY_AUTH_H

#include <stddef.h>

#include "util/err.h"

#define REG_HEADER_MAX 8192
#define REG_TOKEN_MAX (1 << 20)

enum reg_scheme { REG_AUTH_NONE = 0, REG_AUTH_BASIC, REG_AUTH_BEARER };

/* One challenge, e.g. Bearer realm="https://auth/token",service="reg",
 * scope="repository:a/b:pull". Strings are NULL when absent. */
struct reg_challenge {
	enum reg_scheme scheme;
	char *realm, *service, *scope, *error;
};

/* Parse a WWW-Authenticate header value (RFC 7235: one or more challenges,
 * auth-params as token=token or token="quoted"). A Bearer challenge is
 * preferred over Basic; other schemes are skipped. A Bearer challenge needs
 * an http(s) realm. Fails (and leaves *out cleared) on anything else. */
int reg_challenge_parse(const char *header, struct reg_challenge *out, struct err *e);
void reg_challenge_release(struct reg_challenge *c);

/* A token server's answer: {"token": "...", "access_token": "...",
 * "expires_in": N}. *token is owned by the caller; *expires_in is seconds
 * (60 when absent or smaller, as the distribution spec says). The token
 * must be printable ASCII without spaces (it goes into a header). */
int reg_token_parse(const char *buf, size_t len, char **token, long *expires_in, struct err *e);

#endif
