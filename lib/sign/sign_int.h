/* Internals of lib/sign shared by its files, the unit tests and the fuzz
 * target. Not for other modules: use sign.h and policy.h. */
#ifndef A3S_SIGN_INT_H
#define A3S_SIGN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "sign/sign.h"
#include "util/xalloc.h"

/* b64.c: standard alphabet with padding, strict (no whitespace, canonical
 * trailing bits). decode returns -1 on malformed input; *out is malloc'd and
 * NUL-terminated. */
char *sign_b64_encode(const void *p, size_t n);
int sign_b64_decode(const char *s, size_t slen, unsigned char **out, size_t *n);

/* json.c */
/* RFC 8785 canonical form (sorted keys by UTF-16 code units, no spaces,
 * minimal string escapes). Numbers must be integers; NULL otherwise. */
char *sign_canon_json(const json_t *v, size_t *len);
/* Parse strictly: one value, no duplicate keys, at most max bytes. */
json_t *sign_json_parse(const char *s, size_t len, size_t max, const char *what, struct err *e);
/* Append the JSON string for s (len bytes) to f. go_style also escapes
 * <, >, & and U+2028/9 as Go's encoding/json does (payload bytes equal to
 * cosign's); otherwise the RFC 8785 escapes. */
void sign_json_write_str(FILE *f, const char *s, size_t len, bool go_style);
/* Fail unless every key of object o is in the NULL-terminated list. */
int sign_json_only_keys(const json_t *o, const char *const *keys, const char *what, struct err *e);

/* payload.c */
/* cosign's payload bytes (Go's json.Marshal of SimpleContainerImage). */
char *sign_payload_make(const char *docker_reference, const char *digest, const char *const *annotations,
			size_t *len);
/* Check a payload: the simple-signing structure, type, and
 * docker-manifest-digest == expected_digest. *docker_ref (may be NULL)
 * receives critical.identity.docker-reference. */
int sign_payload_check(const unsigned char *p, size_t len, const char *expected_digest, char **docker_ref,
		       struct err *e);
/* cosign writes go-containerregistry's Repository.Name(): Docker Hub as
 * "index.docker.io". Caller frees. */
char *sign_docker_reference(const char *repo);
/* Both names refer to the same repository (index.docker.io == docker.io). */
bool sign_reference_matches(const char *docker_ref, const char *repo);

/* key.c: ECDSA P-256 with SHA-256. */
EVP_PKEY *sign_key_load_public(const char *path, struct err *e);
EVP_PKEY *sign_key_parse_public(const char *pem, size_t len, const char *what, struct err *e);
EVP_PKEY *sign_key_load_private(const char *path, const char *passphrase, struct err *e);
/* Fail unless k is an EC key on P-256. */
int sign_key_check_p256(EVP_PKEY *k, const char *what, struct err *e);
/* 1 when sig (DER) is k's signature over msg, else 0. */
int sign_ecdsa_verify(EVP_PKEY *k, const void *msg, size_t n, const unsigned char *sig, size_t siglen);
int sign_ecdsa_sign(EVP_PKEY *k, const void *msg, size_t n, unsigned char **sig, size_t *siglen,
		    struct err *e);
/* DER SubjectPublicKeyInfo; caller frees. */
unsigned char *sign_key_spki(EVP_PKEY *k, size_t *len);
/* Rekor's log ID: hex SHA-256 of the DER SubjectPublicKeyInfo. */
void sign_key_id(EVP_PKEY *k, char out[65]);

/* cert.c */
X509 *sign_cert_parse(const char *pem, size_t len, const char *what, struct err *e);
/* Every certificate in a PEM string/file (at least one). */
STACK_OF(X509) *sign_certs_parse(const char *pem, size_t len, const char *what, struct err *e);
STACK_OF(X509) *sign_certs_load(const char *path, struct err *e);
/* Verify leaf up to one of roots (each an anchor) through the untrusted
 * intermediates, at the leaf's notBefore as cosign does, requiring the
 * code-signing extended key usage. */
int sign_cert_verify_chain(X509 *leaf, STACK_OF(X509) *intermediates, STACK_OF(X509) *roots, struct err *e);
/* Subject alternative names (email, URI, DNS, Fulcio otherName) and the
 * OIDC issuer (1.3.6.1.4.1.57264.1.8, else .1.1). */
int sign_cert_identity(X509 *leaf, struct strv *sans, char **issuer, struct err *e);
int sign_cert_times(X509 *c, time_t *not_before, time_t *not_after);

/* bundle.c: cosign's "dev.sigstore.cosign/bundle" annotation. */
struct sign_bundle {
	unsigned char *set;
	size_t set_len;
	char *body; /* base64 as in the bundle */
	long long integrated_time, log_index;
	char *log_id;
};
void sign_bundle_release(struct sign_bundle *b);
int sign_bundle_parse(const char *json, size_t len, struct sign_bundle *b, struct err *e);
/* The bytes the SET signs: canonical JSON of the Payload object. */
char *sign_bundle_set_message(const struct sign_bundle *b, size_t *len);
/*
 * Check the SET with the Rekor key (and the log ID against it), then that
 * the entry body (hashedrekord or rekord 0.0.1) records this payload's
 * SHA-256, this signature and this signer: signer_der is the certificate's
 * DER when signer_is_cert, else the public key's DER SubjectPublicKeyInfo.
 */
int sign_bundle_verify(const struct sign_bundle *b, EVP_PKEY *rekor, const unsigned char *payload, size_t plen,
		       const unsigned char *sig, size_t siglen, const unsigned char *signer_der, size_t der_len,
		       bool signer_is_cert, struct err *e);

/* The entry-body half of sign_bundle_verify (after the SET checked out). */
int sign_bundle_check_entry(const char *body_b64, const unsigned char *payload, size_t plen,
			    const unsigned char *sig, size_t siglen, const unsigned char *signer_der, size_t der_len,
			    bool signer_is_cert, struct err *e);

/* manifest.c: the .sig manifest. */
struct sign_layer {
	char *digest;
	long long size;
	char *signature; /* base64 */
	char *cert; /* PEM or NULL */
	char *chain; /* PEM or NULL */
	char *bundle; /* JSON or NULL */
	char *error; /* why this layer cannot be a signature, or NULL */
	json_t *raw; /* the descriptor, for sign_make appending */
};
struct sign_layers {
	struct sign_layer *v;
	size_t n;
};
void sign_layers_release(struct sign_layers *l);
/* Parse the manifest; layers of other media types are left out. Errors only
 * for a manifest that is not one; a bad layer gets ->error set. */
int sign_manifest_parse(const char *json, size_t len, struct sign_layers *out, struct err *e);

#endif
