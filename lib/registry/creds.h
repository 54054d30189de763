/*
 * Registry credentials kept as Docker keeps them: $DOCKER_CONFIG/config.json
 * (else ~/.docker/config.json), mode 0600, "auths": {"<server>": {"auth":
 * base64("user:password")}}, or a credential helper named by "credHelpers"
 * (per server) or "credsStore" (all servers), run as
 * docker-credential-<name> get|store|erase with Docker's JSON on stdin and
 * stdout. Other keys of config.json are kept untouched.
 */
#ifndef A3S_REGISTRY_CREDS_H
#define A3S_REGISTRY_CREDS_H

#include "util/err.h"

struct reg_cred {
	char *user;
	char *secret;
};

/* The config.json key for a registry domain: "https://index.docker.io/v1/"
 * for docker.io, else the domain ("localhost:5000"). Caller frees. */
char *reg_creds_key(const char *domain);
/* Path of config.json. Caller frees. */
char *reg_creds_path(void);

/* 1 and *out filled when credentials are stored for domain, 0 when none,
 * -1 on error (unreadable config, failing helper). */
int reg_creds_get(const char *domain, struct reg_cred *out, struct err *e);
int reg_creds_store(const char *domain, const char *user, const char *secret, struct err *e);
/* 1 when something was erased, 0 when there was nothing. */
int reg_creds_erase(const char *domain, struct err *e);
void reg_cred_release(struct reg_cred *c);

/* base64 helpers (standard alphabet, padded). Caller frees. */
char *reg_b64_encode(const char *s);
/* NULL when not valid base64. */
char *reg_b64_decode(const char *s);

#endif
