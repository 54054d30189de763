/* docker login / logout. */
#ifndef A3S_REGISTRY_LOGIN_H
#define A3S_REGISTRY_LOGIN_H

#include <stdbool.h>

#include "util/err.h"

/* The registry domain of a login SERVER argument: "docker.io" for NULL,
 * "index.docker.io" or "https://index.docker.io/v1/"; a scheme and a path
 * are dropped ("https://host:5000/v2/" -> "host:5000"). Caller frees. */
char *reg_login_domain(const char *server);

/* Check user/secret against the registry (Basic: GET /v2/; Bearer: a token
 * from the token server), then store them (config.json or helper). */
int registry_login(const char *domain, const char *user, const char *secret, bool tls_verify, struct err *e);
/* 1 when credentials were removed, 0 when there were none. */
int registry_logout(const char *domain, struct err *e);

#endif
