/*
 * Image signatures in cosign's standard layout (docs/signatures.md).
 *
 * A signed image <repo>@sha256:<hex> has a second manifest tagged
 * <repo>:sha256-<hex>.sig whose layers are simple-signing payloads
 * (application/vnd.dev.cosign.simplesigning.v1+json), each with its ECDSA
 * P-256 signature in the layer annotation dev.cosignproject.cosign/signature
 * and, for keyless signatures, the Fulcio certificate, its chain and a Rekor
 * bundle in further annotations.
 *
 * This module does no network I/O: the registry client fetches the .sig
 * manifest and hands blobs over through a callback (sign_verify), and pushes
 * the blobs and manifest sign_make produces. Everything is checked offline
 * against the trust material named in struct sign_trust.
 */
#ifndef A3S_SIGN_SIGN_H
#define A3S_SIGN_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "image/digest.h"
#include "util/err.h"

#define SIGN_PAYLOAD_MEDIA_TYPE "application/vnd.dev.cosign.simplesigning.v1+json"
#define SIGN_MANIFEST_MEDIA_TYPE "application/vnd.oci.image.manifest.v1+json"
#define SIGN_CONFIG_MEDIA_TYPE "application/vnd.oci.image.config.v1+json"
#define SIGN_ANN_SIGNATURE "dev.cosignproject.cosign/signature"
#define SIGN_ANN_CERTIFICATE "dev.sigstore.cosign/certificate"
#define SIGN_ANN_CHAIN "dev.sigstore.cosign/chain"
#define SIGN_ANN_BUNDLE "dev.sigstore.cosign/bundle"
#define SIGN_PAYLOAD_TYPE "cosign container image signature"

/* Limits on untrusted input. A cosign payload is about 250 bytes. */
#define SIGN_PAYLOAD_MAX (64 * 1024)
#define SIGN_MANIFEST_MAX (4 * 1024 * 1024) /* the registries' manifest limit */
#define SIGN_LAYERS_MAX 1024

/*
 * What a signature must be checked against. Exactly one mode:
 *  - key: pubkey_path names a PEM public key (ECDSA P-256,
 *    "-----BEGIN PUBLIC KEY-----", as `cosign generate-key-pair` writes
 *    cosign.pub). When rekor_pubkey_path is also set, every signature must
 *    carry a Rekor bundle whose SET verifies with that key.
 *  - keyless: fulcio_roots_path names a PEM file of trusted Fulcio CA
 *    certificates (each one is a trust anchor), rekor_pubkey_path the Rekor
 *    log's public key, and at least one of identity/identity_regexp and one
 *    of issuer/issuer_regexp constrain the certificate's subject alternative
 *    name and OIDC issuer. Regexps are POSIX extended and unanchored, as
 *    cosign's --certificate-identity-regexp is: use ^...$ to anchor.
 * match_reference additionally requires the payload's docker-reference to
 * name the repository being pulled (cosign ignores that field).
 */
struct sign_trust {
	const char *pubkey_path;
	const char *fulcio_roots_path;
	const char *identity;
	const char *identity_regexp;
	const char *issuer;
	const char *issuer_regexp;
	const char *rekor_pubkey_path;
	bool match_reference;
};

/*
 * Fetch the blob `digest` from the signature's repository, at most `max`
 * bytes (fail beyond that). On success *data is malloc'd (freed by the
 * caller of the callback) and *len set; return 0. On failure fill e and
 * return -1. The callback may skip checking the digest: sign_verify checks
 * digest and size again.
 */
typedef int (*sign_fetch_fn)(void *arg, const char *digest, size_t max, unsigned char **data, size_t *len,
			     struct err *e);

/* What verified (sign_verify's optional result). Strings are owned. */
struct sign_verified {
	int layer; /* index of the layer that verified */
	char *docker_reference; /* from the payload */
	char *identity; /* keyless: the SAN that matched */
	char *issuer; /* keyless: the OIDC issuer */
	long long integrated_time; /* from the Rekor bundle, else -1 */
	long long log_index; /* from the Rekor bundle, else -1 */
};
#define SIGN_VERIFIED_INIT {-1, NULL, NULL, NULL, -1, -1}
void sign_verified_release(struct sign_verified *v);

/*
 * Verify the signature manifest `sig_manifest` (the JSON of
 * <repo>:sha256-<hex>.sig, at most SIGN_MANIFEST_MAX bytes) for the image
 * manifest digest `manifest_digest` in repository `repo` (a normalised name
 * such as "docker.io/library/busybox"). Succeeds (0) when at least one
 * signature layer verifies; fills *out (may be NULL) from it. Otherwise
 * returns -1 with one line saying why (docs/signatures.md lists them), e.g.
 *   "image 'docker.io/x@sha256:..' is not signed: no signature found for it"
 *   "verifying the signature of 'r@d': signature does not verify with key 'k.pub'"
 *   "verifying the signature of 'r@d': signed payload is for 'sha256:a..', not 'sha256:b..'"
 *   "none of the 2 signatures of 'r@d' verifies: ... (signature 1); ... (signature 2)"
 * Blocking only as far as `fetch` blocks.
 */
__attribute__((warn_unused_result)) int sign_verify(const char *sig_manifest, size_t len, sign_fetch_fn fetch,
						    void *arg, const char *repo, const char *manifest_digest,
						    const struct sign_trust *t, struct sign_verified *out,
						    struct err *e);

/* The error for an image without a .sig manifest, worded as sign_verify's
 * for a manifest without signatures. Returns -1. */
int sign_err_unsigned(struct err *e, const char *repo, const char *manifest_digest);

/* The tag of the signature manifest for manifest_digest:
 * "sha256:<hex>" -> "sha256-<hex>.sig". NULL when the digest is invalid.
 * Caller frees. */
char *sign_tag(const char *manifest_digest);

/* A blob to push, with its digest. */
struct sign_blob {
	char digest[DIGEST_LEN + 1];
	char *data;
	size_t len;
	const char *media_type;
};

/*
 * What sign_make produces: push payload and config as blobs, then manifest
 * as <repo>:<tag>. The manifest lists the existing signatures (when an
 * existing .sig manifest was given) followed by the new one, as cosign
 * appends to it.
 */
struct sign_artifact {
	char *tag; /* "sha256-<hex>.sig" */
	struct sign_blob manifest;
	struct sign_blob config;
	struct sign_blob payload;
	char *signature_b64; /* the new signature, base64 DER */
};
void sign_artifact_release(struct sign_artifact *a);

struct sign_make_opts {
	const char *key_path; /* PEM private key, ECDSA P-256: PKCS#8 or SEC1 */
	const char *passphrase; /* for an encrypted PKCS#8 key, else NULL */
	const char *repo; /* normalised repository name, "docker.io/library/x" */
	const char *manifest_digest; /* "sha256:<hex>" of the signed manifest */
	const char *const *annotations; /* "key=value" strings for the payload's
					 * "optional" object, NULL-terminated; or NULL */
	const char *existing_manifest; /* current .sig manifest to append to, or NULL */
	size_t existing_len;
};

/* Sign: payload, ECDSA signature, config blob and signature manifest in
 * cosign's layout. The payload and config bytes are deterministic (as
 * cosign's are); the ECDSA signature is not. On failure *out is untouched. */
__attribute__((warn_unused_result)) int sign_make(const struct sign_make_opts *o, struct sign_artifact *out,
						  struct err *e);

#endif
