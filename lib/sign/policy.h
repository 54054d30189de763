/*
 * Signature policy: which images must be signed, and by whom
 * (docs/signatures.md, "Policy file").
 *
 *   {
 *     "default": {"require": "none"},
 *     "scopes": {
 *       "ghcr.io/acme": {"require": "key", "key": "keys/acme.pub"},
 *       "docker.io/library": {"require": "keyless",
 *         "identity": "release@example.com", "issuer": "https://accounts.google.com",
 *         "fulcioRoots": "fulcio.pem", "rekorKey": "rekor.pub"},
 *       "localhost:5000": {"require": "none"}
 *     }
 *   }
 *
 * A scope is a registry ("ghcr.io") or a repository prefix ("ghcr.io/acme"),
 * matched on whole path components; the longest matching scope wins, else
 * "default", else no requirement. Relative paths are relative to the policy
 * file's directory. Unknown fields are errors: a typo in a security policy
 * must not silently relax it.
 */
#ifndef A3S_SIGN_POLICY_H
#define A3S_SIGN_POLICY_H

#include <stddef.h>

#include "sign/sign.h"
#include "util/err.h"

enum sign_require {
	SIGN_REQUIRE_NONE = 0,
	SIGN_REQUIRE_KEY,
	SIGN_REQUIRE_KEYLESS,
};

struct sign_policy;

#define SIGN_POLICY_MAX (1024 * 1024)

/* Load and check a policy file (errors name the file and the scope). */
__attribute__((warn_unused_result)) int sign_policy_load(const char *path, struct sign_policy **out,
							 struct err *e);
/* The same from memory; relative paths are resolved against base_dir. */
__attribute__((warn_unused_result)) int sign_policy_parse(const char *json, size_t len, const char *base_dir,
							  struct sign_policy **out, struct err *e);
void sign_policy_free(struct sign_policy *p);

/*
 * The requirement for a normalised repository name
 * ("docker.io/library/busybox"; a trailing ":tag" or "@digest" is ignored).
 * *trust (may be NULL) receives the trust to pass to sign_verify, owned by
 * p, or NULL for SIGN_REQUIRE_NONE; *scope (may be NULL) the scope that
 * matched, or NULL when the default applied. A NULL policy requires nothing.
 */
enum sign_require sign_policy_lookup(const struct sign_policy *p, const char *name, const struct sign_trust **trust,
				     const char **scope);

/* "none", "key", "keyless" */
const char *sign_require_name(enum sign_require r);

#endif
