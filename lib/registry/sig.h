/*
 * Image signatures over the registry (docs/registry.md, "Signatures";
 * docs/signatures.md): which trust a pull must satisfy (command-line flags,
 * else the signature policy file), verifying an image's cosign .sig
 * manifest before anything is stored, and signing a pushed image.
 *
 * The policy file: --signature-policy FILE, else $A3S_BOX_SIGNATURE_POLICY,
 * else <config>/signature-policy.json when it exists (<config> as in
 * registry/conf.h). Keyless trust material: --fulcio-root/--rekor-key, else
 * <config>/sigstore/fulcio.pem and <config>/sigstore/rekor.pub.
 */
#ifndef A3S_REGISTRY_SIG_H
#define A3S_REGISTRY_SIG_H

#include <stdbool.h>

#include "registry/client.h"
#include "sign/policy.h"
#include "sign/sign.h"
#include "util/err.h"

#define REG_SIG_POLICY_ENV "A3S_BOX_SIGNATURE_POLICY"
#define REG_SIG_POLICY_FILE "signature-policy.json"
#define REG_SIG_FULCIO_FILE "sigstore/fulcio.pem"
#define REG_SIG_REKOR_FILE "sigstore/rekor.pub"
#define REG_SIG_PASSWORD_ENV "COSIGN_PASSWORD"

/* Signature options of pull/run/create; all NULL: the policy alone. */
struct reg_verify {
	const char *key; /* --verify-key: key mode, overrides the policy */
	const char *identity, *identity_regexp; /* keyless (overrides the policy) */
	const char *issuer, *issuer_regexp;
	const char *fulcio_root, *rekor_key; /* keyless trust material; rekor_key also in key mode */
	const char *policy; /* --signature-policy */
};

/* Check the flags' combinations (a usage error names the flag). */
int reg_verify_check(const struct reg_verify *v, struct err *e);

/* What a pull of one repository must satisfy. */
struct reg_sig_req {
	struct sign_policy *policy;
	struct sign_trust own; /* from the flags */
	char *fulcio, *rekor; /* default file paths held for own */
	const struct sign_trust *trust; /* NULL: no signature required */
	char *source; /* "--verify-key cosign.pub", "policy '/p.json' scope 'x'" */
};

/* The requirement for the normalised repository name ("127.0.0.1:5000/a/b"):
 * the flags when they ask for a verification, else the policy. */
int reg_sig_req_get(const struct reg_verify *v, const char *name, struct reg_sig_req *out, struct err *e);
void reg_sig_req_release(struct reg_sig_req *r);

/* Verify the signature of repository path repo (name: normalised) at
 * manifest digest against t: GET the .sig manifest (404: unsigned), then
 * sign_verify with blobs from the same repository. */
int reg_sig_verify(struct reg_client *c, const char *repo, const char *name, const char *digest,
		   const struct sign_trust *t, struct err *e);

/* Sign manifest digest of repo with the private key key_path and push the
 * signature (appended to an existing .sig manifest). *tag_out (may be NULL)
 * receives the .sig tag. */
int reg_sig_push(struct reg_client *c, const char *repo, const char *name, const char *digest, const char *key_path,
		 char **tag_out, struct err *e);

#endif
