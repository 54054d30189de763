/* sign_verify: check the layers of a .sig manifest against the trust
 * configuration until one verifies. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "sign/sign_int.h"

struct trust {
	const struct sign_trust *t;
	EVP_PKEY *key; /* key mode */
	STACK_OF(X509) *roots; /* keyless */
	EVP_PKEY *rekor;
	regex_t id_re, iss_re;
	bool has_id_re, has_iss_re;
};

static void trust_release(struct trust *c)
{
	EVP_PKEY_free(c->key);
	EVP_PKEY_free(c->rekor);
	sk_X509_pop_free(c->roots, X509_free);
	if (c->has_id_re)
		regfree(&c->id_re);
	if (c->has_iss_re)
		regfree(&c->iss_re);
}

static int compile(regex_t *re, bool *has, const char *pattern, const char *what, struct err *e)
{
	int r;
	if (!pattern)
		return 0;
	r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (r) {
		char buf[128];
		regerror(r, re, buf, sizeof(buf));
		return err_set(e, "invalid %s regexp '%s': %s", what, pattern, buf);
	}
	*has = true;
	return 0;
}

static int trust_load(const struct sign_trust *t, struct trust *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->t = t;
	if (t->pubkey_path && t->fulcio_roots_path)
		return err_set(e, "trust configuration names both a key and Fulcio roots; use one");
	if (!t->pubkey_path && !t->fulcio_roots_path)
		return err_set(e, "trust configuration names neither a key nor Fulcio roots");
	if (t->pubkey_path) {
		if (!(c->key = sign_key_load_public(t->pubkey_path, e)))
			return -1;
	} else {
		if (!t->identity && !t->identity_regexp)
			return err_set(e, "keyless verification needs an expected identity (or identity regexp)");
		if (!t->issuer && !t->issuer_regexp)
			return err_set(e, "keyless verification needs an expected OIDC issuer (or issuer regexp)");
		if (!t->rekor_pubkey_path)
			return err_set(e, "keyless verification needs the Rekor public key to check offline");
		if (!(c->roots = sign_certs_load(t->fulcio_roots_path, e)))
			return err_wrap(e, "loading Fulcio roots");
		if (compile(&c->id_re, &c->has_id_re, t->identity_regexp, "identity", e) < 0 ||
		    compile(&c->iss_re, &c->has_iss_re, t->issuer_regexp, "issuer", e) < 0)
			return -1;
	}
	if (t->rekor_pubkey_path && !(c->rekor = sign_key_load_public(t->rekor_pubkey_path, e)))
		return err_wrap(e, "loading the Rekor key");
	return 0;
}

static bool matches(const char *want, const regex_t *re, bool has_re, const char *got)
{
	if (want && strcmp(want, got))
		return false;
	return !has_re || regexec(re, got, 0, NULL, 0) == 0;
}

static int check_identity(const struct trust *c, X509 *cert, struct sign_verified *out, struct err *e)
{
	struct strv sans = STRV_INIT;
	char *issuer = NULL;
	const char *hit = NULL;
	int rc = -1;
	if (sign_cert_identity(cert, &sans, &issuer, e) < 0)
		goto out;
	for (size_t i = 0; i < sans.n && !hit; i++)
		if (matches(c->t->identity, &c->id_re, c->has_id_re, sans.v[i]))
			hit = sans.v[i];
	if (!hit) {
		err_set(e, "certificate identity '%.200s'%s does not match '%.200s'", sans.v[0],
			sans.n > 1 ? " (and others)" : "",
			c->t->identity ? c->t->identity : c->t->identity_regexp);
		goto out;
	}
	if (!matches(c->t->issuer, &c->iss_re, c->has_iss_re, issuer)) {
		err_set(e, "certificate issuer '%.200s' does not match '%.200s'", issuer,
			c->t->issuer ? c->t->issuer : c->t->issuer_regexp);
		goto out;
	}
	out->identity = xstrdup(hit);
	out->issuer = issuer;
	issuer = NULL;
	rc = 0;
out:
	free(issuer);
	strv_release(&sans);
	return rc;
}

static char *fmt_time(time_t t)
{
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* Keyless: the certificate signs, chains to Fulcio and names the signer. */
static int check_cert(const struct trust *c, const struct sign_layer *l, const unsigned char *payload, size_t plen,
		      const unsigned char *sig, size_t siglen, X509 **cert_out, struct sign_verified *out,
		      struct err *e)
{
	STACK_OF(X509) *chain = NULL;
	X509 *cert;
	int rc = -1;
	if (!l->cert)
		return err_set(e, "signature has no certificate, which keyless verification needs");
	if (!(cert = sign_cert_parse(l->cert, strlen(l->cert), "certificate annotation", e)))
		return -1;
	if (sign_key_check_p256(X509_get0_pubkey(cert), "certificate key", e) < 0)
		goto out;
	if (!sign_ecdsa_verify(X509_get0_pubkey(cert), payload, plen, sig, siglen)) {
		err_set(e, "signature does not verify with its certificate");
		goto out;
	}
	if (l->chain && !(chain = sign_certs_parse(l->chain, strlen(l->chain), "chain annotation", e)))
		goto out;
	if (sign_cert_verify_chain(cert, chain, c->roots, e) < 0 || check_identity(c, cert, out, e) < 0)
		goto out;
	*cert_out = cert;
	cert = NULL;
	rc = 0;
out:
	sk_X509_pop_free(chain, X509_free);
	X509_free(cert);
	return rc;
}

static int check_bundle(const struct trust *c, const struct sign_layer *l, const unsigned char *payload,
			size_t plen, const unsigned char *sig, size_t siglen, X509 *cert, struct sign_verified *out,
			struct err *e)
{
	struct sign_bundle b;
	unsigned char *der = NULL;
	size_t der_len;
	int rc = -1;
	if (!l->bundle)
		return err_set(e, "signature has no Rekor bundle, which offline verification with a Rekor key needs");
	if (sign_bundle_parse(l->bundle, strlen(l->bundle), &b, e) < 0)
		return -1;
	if (cert) {
		int n = i2d_X509(cert, &der);
		if (n <= 0)
			abort();
		der_len = (size_t)n;
	} else {
		der = sign_key_spki(c->key, &der_len);
	}
	if (sign_bundle_verify(&b, c->rekor, payload, plen, sig, siglen, der, der_len, cert != NULL, e) < 0)
		goto out;
	if (cert) {
		time_t nb, na, it = (time_t)b.integrated_time;
		if (sign_cert_times(cert, &nb, &na) < 0 || it < nb || it > na) {
			char *a = fmt_time(nb), *z = fmt_time(na), *t = fmt_time(it);
			err_set(e, "certificate was not valid at the Rekor integration time %s (valid %s to %s)", t, a, z);
			free(a);
			free(z);
			free(t);
			goto out;
		}
	}
	out->integrated_time = b.integrated_time;
	out->log_index = b.log_index;
	rc = 0;
out:
	if (cert)
		OPENSSL_free(der);
	else
		free(der);
	sign_bundle_release(&b);
	return rc;
}

static int verify_layer(const struct trust *c, const struct sign_layer *l, sign_fetch_fn fetch, void *arg,
			const char *repo, const char *digest, struct sign_verified *out, struct err *e)
{
	unsigned char *payload = NULL, *sig = NULL;
	size_t plen = 0, siglen = 0;
	char got[DIGEST_LEN + 1];
	X509 *cert = NULL;
	int rc = -1;
	if (l->error)
		return err_set(e, "%s", l->error);
	if (fetch(arg, l->digest, SIGN_PAYLOAD_MAX, &payload, &plen, e) < 0)
		return err_wrap(e, "fetching payload '%s'", l->digest);
	digest_buf(payload, plen, got);
	if (strcmp(got, l->digest) || (long long)plen != l->size) {
		err_set(e, "payload blob does not match its digest '%s'", l->digest);
		goto out;
	}
	if (sign_b64_decode(l->signature, strlen(l->signature), &sig, &siglen) < 0 || !siglen) {
		err_set(e, "signature annotation is not base64");
		goto out;
	}
	if (c->key) {
		if (!sign_ecdsa_verify(c->key, payload, plen, sig, siglen)) {
			err_set(e, "signature does not verify with key '%s'", c->t->pubkey_path);
			goto out;
		}
	} else if (check_cert(c, l, payload, plen, sig, siglen, &cert, out, e) < 0) {
		goto out;
	}
	if (c->rekor && check_bundle(c, l, payload, plen, sig, siglen, cert, out, e) < 0)
		goto out;
	if (sign_payload_check(payload, plen, digest, &out->docker_reference, e) < 0)
		goto out;
	if (c->t->match_reference && !sign_reference_matches(out->docker_reference, repo)) {
		err_set(e, "signed payload names '%.200s', not '%s'", out->docker_reference, repo);
		goto out;
	}
	rc = 0;
out:
	X509_free(cert);
	free(payload);
	free(sig);
	ERR_clear_error();
	return rc;
}

void sign_verified_release(struct sign_verified *v)
{
	free(v->docker_reference);
	free(v->identity);
	free(v->issuer);
	*v = (struct sign_verified)SIGN_VERIFIED_INIT;
}

int sign_err_unsigned(struct err *e, const char *repo, const char *manifest_digest)
{
	return err_set(e, "image '%s@%s' is not signed: no signature found for it", repo, manifest_digest);
}

int sign_verify(const char *sig_manifest, size_t len, sign_fetch_fn fetch, void *arg, const char *repo,
		const char *manifest_digest, const struct sign_trust *t, struct sign_verified *out,
		struct err *e)
{
	struct sign_layers layers = {NULL, 0};
	struct trust c;
	char *reasons = NULL;
	size_t rlen = 0;
	FILE *f = NULL;
	int rc = -1;

	if (!digest_valid(manifest_digest))
		return err_set(e, "invalid manifest digest '%.80s'", manifest_digest);
	if (trust_load(t, &c, e) < 0) {
		trust_release(&c);
		return err_wrap(e, "verifying the signature of '%s@%s'", repo, manifest_digest);
	}
	if (sign_manifest_parse(sig_manifest, len, &layers, e) < 0) {
		err_wrap(e, "verifying the signature of '%s@%s'", repo, manifest_digest);
		goto out;
	}
	if (!layers.n) {
		sign_err_unsigned(e, repo, manifest_digest);
		goto out;
	}
	f = open_memstream(&reasons, &rlen);
	if (!f)
		abort();
	for (size_t i = 0; i < layers.n; i++) {
		struct sign_verified v = SIGN_VERIFIED_INIT;
		struct err le = ERR_INIT;
		if (verify_layer(&c, &layers.v[i], fetch, arg, repo, manifest_digest, &v, &le) == 0) {
			v.layer = (int)i;
			if (out)
				*out = v;
			else
				sign_verified_release(&v);
			rc = 0;
			goto out;
		}
		sign_verified_release(&v);
		fprintf(f, "%s%s", i ? "; " : "", le.msg);
		if (layers.n > 1)
			fprintf(f, " (signature %zu)", i + 1);
	}
	fclose(f);
	f = NULL;
	if (layers.n == 1)
		err_set(e, "verifying the signature of '%s@%s': %s", repo, manifest_digest, reasons);
	else
		err_set(e, "none of the %zu signatures of '%s@%s' verifies: %s", layers.n, repo, manifest_digest,
			reasons);
out:
	if (f)
		fclose(f);
	free(reasons);
	sign_layers_release(&layers);
	trust_release(&c);
	return rc;
}
