/* libFuzzer target: the signature parsers of lib/sign. The first byte picks
 * one; the rest is the input.
 *   0 .sig manifest            1 simple-signing payload
 *   2 Rekor bundle (+ SET message, + SET check with a fixed key)
 *   3 Rekor entry body (base64 of the rest) against a fixed payload/signature
 *   4 policy file (+ lookups)  5 canonical JSON: must be idempotent
 *   6 base64: decode then encode must give the input back
 *   7 X.509 certificate (DER): identity extraction */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "sign/policy.h"
#include "sign/sign_int.h"

#define DIG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* the public-good Rekor key: any public P-256 key would do */
static const char rekor_pub[] = "-----BEGIN PUBLIC KEY-----\n"
				"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwr\n"
				"kBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n"
				"-----END PUBLIC KEY-----\n";

static void canon_idempotent(const char *s, size_t n)
{
	struct err e;
	json_t *v = sign_json_parse(s, n, 1 << 20, "input", &e), *again;
	char *c1, *c2;
	size_t l1, l2;
	if (!v)
		return;
	c1 = sign_canon_json(v, &l1);
	json_decref(v);
	if (!c1)
		return;
	again = sign_json_parse(c1, l1, 1 << 21, "canonical", &e);
	if (!again)
		__builtin_trap();
	c2 = sign_canon_json(again, &l2);
	if (!c2 || l1 != l2 || memcmp(c1, c2, l1))
		__builtin_trap();
	json_decref(again);
	free(c1);
	free(c2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	const char *s;
	size_t n;
	char *z;
	if (size < 1)
		return 0;
	s = (const char *)data + 1;
	n = size - 1;
	z = xstrndup(s, n); /* NUL-terminated copy for the string APIs */
	switch (data[0] % 8) {
	case 0: {
		struct sign_layers l;
		if (sign_manifest_parse(s, n, &l, &e) == 0)
			sign_layers_release(&l);
		break;
	}
	case 1: {
		char *ref = NULL;
		if (sign_payload_check(data + 1, n, DIG, &ref, &e) == 0)
			free(ref);
		break;
	}
	case 2: {
		struct sign_bundle b;
		if (sign_bundle_parse(s, n, &b, &e) == 0) {
			static EVP_PKEY *k; /* parsed once: keys are not under test */
			size_t len;
			if (!k)
				k = sign_key_parse_public(rekor_pub, sizeof(rekor_pub) - 1, "key", &e);
			char *msg = sign_bundle_set_message(&b, &len);
			free(msg);
			(void)sign_bundle_verify(&b, k, (const unsigned char *)"p", 1, (const unsigned char *)"s", 1,
						 (const unsigned char *)"d", 1, true, &e);
			sign_bundle_release(&b);
		}
		break;
	}
	case 3: {
		char *b64 = sign_b64_encode(s, n);
		(void)sign_bundle_check_entry(b64, (const unsigned char *)"p", 1, (const unsigned char *)"s", 1,
					      (const unsigned char *)"d", 1, data[0] & 8, &e);
		free(b64);
		break;
	}
	case 4: {
		struct sign_policy *p;
		if (sign_policy_parse(s, n, "/base", &p, &e) == 0) {
			(void)sign_policy_lookup(p, "ghcr.io/a/b:t", NULL, NULL);
			(void)sign_policy_lookup(p, z, NULL, NULL);
			sign_policy_free(p);
		}
		break;
	}
	case 5:
		canon_idempotent(s, n);
		break;
	case 6: {
		unsigned char *out;
		size_t len;
		if (sign_b64_decode(s, n, &out, &len) == 0) {
			char *again = sign_b64_encode(out, len);
			if (strlen(again) != n || memcmp(again, s, n))
				__builtin_trap();
			free(again);
			free(out);
		}
		break;
	}
	case 7: {
		const unsigned char *p = data + 1;
		X509 *c = d2i_X509(NULL, &p, (long)n);
		if (c) {
			struct strv sans = STRV_INIT;
			char *issuer = NULL;
			time_t a, b;
			if (sign_cert_identity(c, &sans, &issuer, &e) == 0)
				free(issuer);
			strv_release(&sans);
			(void)sign_cert_times(c, &a, &b);
			X509_free(c);
		}
		break;
	}
	}
	free(z);
	return 0;
}
