/* Fulcio certificates: offline chain verification and the identity they
 * carry (subject alternative names and the OIDC issuer extensions). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sign/sign_int.h"
#include "util/fs.h"

#define OID_ISSUER_V1 "1.3.6.1.4.1.57264.1.1" /* raw string */
#define OID_ISSUER_V2 "1.3.6.1.4.1.57264.1.8" /* DER UTF8String */
#define OID_OTHERNAME "1.3.6.1.4.1.57264.1.7" /* Fulcio's otherName SAN */
#define CERTS_FILE_MAX (1024 * 1024)
#define CERTS_MAX 64

STACK_OF(X509) *sign_certs_parse(const char *pem, size_t len, const char *what, struct err *e)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *c;
	if (!sk || !b)
		abort();
	while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		if (sk_X509_num(sk) >= CERTS_MAX) {
			X509_free(c);
			break;
		}
		sk_X509_push(sk, c);
	}
	BIO_free(b);
	ERR_clear_error();
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		err_set(e, "%s holds no PEM certificate", what);
		return NULL;
	}
	return sk;
}

X509 *sign_cert_parse(const char *pem, size_t len, const char *what, struct err *e)
{
	STACK_OF(X509) *sk = sign_certs_parse(pem, len, what, e);
	X509 *c;
	if (!sk)
		return NULL;
	if (sk_X509_num(sk) != 1) {
		sk_X509_pop_free(sk, X509_free);
		err_set(e, "%s holds more than one certificate", what);
		return NULL;
	}
	c = sk_X509_pop(sk);
	sk_X509_free(sk);
	return c;
}

STACK_OF(X509) *sign_certs_load(const char *path, struct err *e)
{
	char *pem, *what;
	size_t len;
	STACK_OF(X509) *sk;
	if (fs_read_file(path, CERTS_FILE_MAX, &pem, &len, e) < 0)
		return NULL;
	what = xasprintf("'%s'", path);
	sk = sign_certs_parse(pem, len, what, e);
	free(what);
	free(pem);
	return sk;
}

static int asn1_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

int sign_cert_times(X509 *c, time_t *not_before, time_t *not_after)
{
	if (asn1_time(X509_get0_notBefore(c), not_before) < 0 || asn1_time(X509_get0_notAfter(c), not_after) < 0)
		return -1;
	return 0;
}

int sign_cert_verify_chain(X509 *leaf, STACK_OF(X509) *intermediates, STACK_OF(X509) *roots, struct err *e)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	STACK_OF(X509) *chain;
	time_t nb, na;
	int rc = -1;
	if (!st || !ctx)
		abort();
	for (int i = 0; i < sk_X509_num(roots); i++)
		X509_STORE_add_cert(st, sk_X509_value(roots, i));
	if (sign_cert_times(leaf, &nb, &na) < 0) {
		err_set(e, "certificate has invalid validity times");
		goto out;
	}
	if (X509_STORE_CTX_init(ctx, st, leaf, intermediates) != 1)
		abort();
	param = X509_STORE_CTX_get0_param(ctx);
	/* every configured certificate is an anchor (Go's Roots pool), and
	 * times are checked at the leaf's issuance: the certificate is
	 * short-lived and the Rekor timestamp proves when it signed */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(param, nb);
	if (X509_verify_cert(ctx) != 1) {
		err_set(e, "certificate is not issued by the configured Fulcio roots: %s",
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	/* Go's KeyUsages check: each certificate in the chain either has no
	 * extended key usage or allows code signing */
	chain = X509_STORE_CTX_get0_chain(ctx);
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *c = sk_X509_value(chain, i);
		if ((X509_get_extension_flags(c) & EXFLAG_XKUSAGE) &&
		    !(X509_get_extended_key_usage(c) & (XKU_CODE_SIGN | XKU_ANYEKU))) {
			err_set(e, "certificate chain does not allow code signing");
			goto out;
		}
	}
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return rc;
}

static void push_str(struct strv *sans, const unsigned char *p, int len)
{
	/* a NUL inside a name would let "a@b.com\0.evil" pass as "a@b.com" */
	if (len > 0 && memchr(p, '\0', (size_t)len) == NULL)
		strv_push_owned(sans, xstrndup((const char *)p, (size_t)len));
}

static int ext_value(X509 *c, const char *oid, const unsigned char **p, int *len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	int idx;
	if (!obj)
		abort();
	idx = X509_get_ext_by_OBJ(c, obj, -1);
	ASN1_OBJECT_free(obj);
	if (idx < 0)
		return 0;
	ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(X509_get_ext(c, idx));
	*p = ASN1_STRING_get0_data(v);
	*len = ASN1_STRING_length(v);
	return 1;
}

int sign_cert_identity(X509 *leaf, struct strv *sans, char **issuer, struct err *e)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	ASN1_OBJECT *other = OBJ_txt2obj(OID_OTHERNAME, 1);
	const unsigned char *p;
	int len;
	char *v1 = NULL, *v2 = NULL;
	if (!other)
		abort();
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		switch (g->type) {
		case GEN_EMAIL:
		case GEN_URI:
		case GEN_DNS:
			push_str(sans, ASN1_STRING_get0_data(g->d.ia5), ASN1_STRING_length(g->d.ia5));
			break;
		case GEN_OTHERNAME:
			if (!OBJ_cmp(g->d.otherName->type_id, other) && g->d.otherName->value->type == V_ASN1_UTF8STRING) {
				ASN1_UTF8STRING *s = g->d.otherName->value->value.utf8string;
				push_str(sans, ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
			}
			break;
		default:
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	ASN1_OBJECT_free(other);
	ERR_clear_error();
	if (!sans->n)
		return err_set(e, "certificate has no subject alternative name");
	if (ext_value(leaf, OID_ISSUER_V2, &p, &len)) {
		const unsigned char *q = p;
		ASN1_UTF8STRING *s = d2i_ASN1_UTF8STRING(NULL, &q, len);
		if (s && q == p + len && !memchr(ASN1_STRING_get0_data(s), 0, (size_t)ASN1_STRING_length(s)))
			v2 = xstrndup((const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
		ASN1_UTF8STRING_free(s);
		ERR_clear_error();
		if (!v2)
			return err_set(e, "certificate's OIDC issuer extension (" OID_ISSUER_V2 ") is malformed");
	}
	if (ext_value(leaf, OID_ISSUER_V1, &p, &len)) {
		if (len <= 0 || memchr(p, 0, (size_t)len)) {
			free(v2);
			return err_set(e, "certificate's OIDC issuer extension (" OID_ISSUER_V1 ") is malformed");
		}
		v1 = xstrndup((const char *)p, (size_t)len);
	}
	if (v1 && v2 && strcmp(v1, v2)) {
		free(v1);
		free(v2);
		return err_set(e, "certificate's two OIDC issuer extensions disagree");
	}
	if (!v1 && !v2)
		return err_set(e, "certificate has no OIDC issuer extension");
	*issuer = v2 ? v2 : v1;
	if (v2)
		free(v1);
	return 0;
}
