/* Internal to lib/registry: one request over libcurl (client.c), used by the
 * token code (token.c). */
#ifndef A3S_REGISTRY_CLIENT_INT_H
#define A3S_REGISTRY_CLIENT_INT_H

#include "registry/client.h"

/* method url with an optional "Authorization: ..." header; the body read
 * into r is capped at max bytes. No auth handling, no retries. */
int reg_perform(struct reg_client *c, const char *method, const char *url, const char *auth,
		const char *const *headers, const struct reg_body *body, size_t max, struct reg_resp *r,
		struct err *e);

#endif
