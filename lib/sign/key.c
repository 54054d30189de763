/* ECDSA P-256 keys and SHA-256 signatures (the scheme cosign requires). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include "sign/sign_int.h"
#include "util/fs.h"

#define KEY_FILE_MAX (64 * 1024)

int sign_key_check_p256(EVP_PKEY *k, const char *what, struct err *e)
{
	char group[64] = "";
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC)
		return err_set(e, "%s is not an ECDSA key; only ECDSA P-256 is supported", what);
	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
	    strcmp(group, "prime256v1"))
		return err_set(e, "%s is an ECDSA key on curve '%s'; only P-256 is supported", what,
			       group[0] ? group : "unknown");
	return 0;
}

EVP_PKEY *sign_key_parse_public(const char *pem, size_t len, const char *what, struct err *e)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k;
	if (!b)
		abort();
	k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (!k) {
		err_set(e, "%s is not a PEM public key", what);
		return NULL;
	}
	if (sign_key_check_p256(k, what, e) < 0) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

EVP_PKEY *sign_key_load_public(const char *path, struct err *e)
{
	char *pem, *what;
	size_t len;
	EVP_PKEY *k;
	if (fs_read_file(path, KEY_FILE_MAX, &pem, &len, e) < 0)
		return NULL;
	what = xasprintf("key '%s'", path);
	k = sign_key_parse_public(pem, len, what, e);
	free(what);
	free(pem);
	return k;
}

EVP_PKEY *sign_key_load_private(const char *path, const char *passphrase, struct err *e)
{
	char *pem, *what;
	size_t len;
	EVP_PKEY *k;
	BIO *b;
	if (fs_read_file(path, KEY_FILE_MAX, &pem, &len, e) < 0)
		return NULL;
	if (strstr(pem, "SIGSTORE PRIVATE KEY") || strstr(pem, "COSIGN PRIVATE KEY")) {
		free(pem);
		err_set(e, "key '%s' is in cosign's encrypted format, which is not supported; use a PEM "
			   "PKCS#8 key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)", path);
		return NULL;
	}
	b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		abort();
	/* an empty passphrase makes OpenSSL fail rather than prompt */
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(passphrase ? passphrase : ""));
	BIO_free(b);
	OPENSSL_cleanse(pem, len);
	free(pem);
	ERR_clear_error();
	if (!k) {
		err_set(e, "key '%s' is not a PEM private key%s", path,
			passphrase ? " (or the passphrase is wrong)" : "");
		return NULL;
	}
	what = xasprintf("key '%s'", path);
	if (sign_key_check_p256(k, what, e) < 0) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	free(what);
	return k;
}

int sign_ecdsa_verify(EVP_PKEY *k, const void *msg, size_t n, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;
	if (!ctx)
		abort();
	/* OpenSSL re-encodes the DER signature and rejects any other encoding,
	 * so a signature has one accepted form */
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int sign_ecdsa_sign(EVP_PKEY *k, const void *msg, size_t n, unsigned char **sig, size_t *siglen, struct err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc = -1;
	if (!ctx)
		abort();
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, msg, n) != 1)
		goto out;
	buf = xmalloc(len);
	if (EVP_DigestSign(ctx, buf, &len, msg, n) != 1)
		goto out;
	*sig = buf;
	*siglen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (rc < 0)
		err_set(e, "signing failed");
	return rc;
}

unsigned char *sign_key_spki(EVP_PKEY *k, size_t *len)
{
	unsigned char *der = NULL, *out;
	int n = i2d_PUBKEY(k, &der);
	if (n <= 0)
		abort();
	out = xmalloc((size_t)n);
	memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

void sign_key_id(EVP_PKEY *k, char out[65])
{
	size_t len;
	unsigned char *der = sign_key_spki(k, &len), md[32];
	unsigned int mdlen = 0;
	EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	free(der);
}
