/* cosign's Rekor bundle: the log's signed entry timestamp (SET) over the
 * entry, checked offline with the log's public key. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "sign/sign_int.h"

#define BUNDLE_MAX (1024 * 1024)
#define BODY_MAX (256 * 1024)

void sign_bundle_release(struct sign_bundle *b)
{
	free(b->set);
	free(b->body);
	free(b->log_id);
	memset(b, 0, sizeof(*b));
}

int sign_bundle_parse(const char *json, size_t len, struct sign_bundle *b, struct err *e)
{
	json_t *root = sign_json_parse(json, len, BUNDLE_MAX, "Rekor bundle", e);
	json_t *set, *pl, *body, *it, *li, *id;
	int rc = -1;
	memset(b, 0, sizeof(*b));
	if (!root)
		return -1;
	set = json_object_get(root, "SignedEntryTimestamp");
	pl = json_object_get(root, "Payload");
	if (!json_is_string(set) || !json_is_object(pl)) {
		err_set(e, "Rekor bundle has no SignedEntryTimestamp or Payload");
		goto out;
	}
	body = json_object_get(pl, "body");
	it = json_object_get(pl, "integratedTime");
	li = json_object_get(pl, "logIndex");
	id = json_object_get(pl, "logID");
	if (!json_is_string(body) || !json_is_integer(it) || !json_is_integer(li) || !json_is_string(id)) {
		err_set(e, "Rekor bundle's Payload needs body, integratedTime, logIndex and logID");
		goto out;
	}
	if (sign_b64_decode(json_string_value(set), json_string_length(set), &b->set, &b->set_len) < 0 ||
	    !b->set_len) {
		err_set(e, "Rekor bundle's SignedEntryTimestamp is not base64");
		goto out;
	}
	b->body = xstrdup(json_string_value(body));
	b->log_id = xstrdup(json_string_value(id));
	b->integrated_time = json_integer_value(it);
	b->log_index = json_integer_value(li);
	if (strlen(b->body) != json_string_length(body) || strlen(b->log_id) != json_string_length(id)) {
		err_set(e, "Rekor bundle has a NUL in a string");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		sign_bundle_release(b);
	json_decref(root);
	return rc;
}

char *sign_bundle_set_message(const struct sign_bundle *b, size_t *len)
{
	/* cosign re-marshals {body, integratedTime, logIndex, logID} and
	 * canonicalises it (RFC 8785): the SET signs exactly these four */
	json_t *o = json_pack("{s:s, s:I, s:I, s:s}", "body", b->body, "integratedTime",
			      (json_int_t)b->integrated_time, "logIndex", (json_int_t)b->log_index, "logID", b->log_id);
	char *s;
	if (!o)
		abort();
	s = sign_canon_json(o, len);
	json_decref(o);
	return s;
}

static const char *str_at(const json_t *v, const char *const *path)
{
	for (; *path && v; path++)
		v = json_object_get(v, *path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Decode base64 PEM from the entry; compare its DER with the signer's. */
static int same_signer(const char *b64, const unsigned char *der, size_t der_len, bool is_cert)
{
	unsigned char *pem = NULL, *data = NULL;
	char *name = NULL, *header = NULL;
	size_t pem_len;
	long dlen = 0;
	int same = 0;
	BIO *bio;
	if (sign_b64_decode(b64, strlen(b64), &pem, &pem_len) < 0)
		return 0;
	bio = BIO_new_mem_buf(pem, (int)pem_len);
	if (!bio)
		abort();
	if (PEM_read_bio(bio, &name, &header, &data, &dlen) == 1)
		same = !strcmp(name, is_cert ? "CERTIFICATE" : "PUBLIC KEY") && (size_t)dlen == der_len &&
		       !memcmp(data, der, der_len);
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	ERR_clear_error();
	free(pem);
	return same;
}

int sign_bundle_check_entry(const char *body_b64, const unsigned char *payload, size_t plen,
			    const unsigned char *sig, size_t siglen, const unsigned char *signer_der, size_t der_len,
			    bool signer_is_cert, struct err *e)
{
	static const char *const p_kind[] = {"kind", NULL};
	static const char *const p_ver[] = {"apiVersion", NULL};
	static const char *const p_alg[] = {"spec", "data", "hash", "algorithm", NULL};
	static const char *const p_hash[] = {"spec", "data", "hash", "value", NULL};
	static const char *const p_sig[] = {"spec", "signature", "content", NULL};
	static const char *const p_key[] = {"spec", "signature", "publicKey", "content", NULL};
	char hex[DIGEST_LEN + 1];
	unsigned char *body = NULL, *esig = NULL;
	size_t body_len, esig_len;
	const char *kind, *ver, *alg, *hash, *sig_b64, *key_b64;
	json_t *entry = NULL;
	int rc = -1;

	if (sign_b64_decode(body_b64, strlen(body_b64), &body, &body_len) < 0) {
		err_set(e, "Rekor entry body is not base64");
		goto out;
	}
	if (!(entry = sign_json_parse((const char *)body, body_len, BODY_MAX, "Rekor entry body", e)))
		goto out;
	kind = str_at(entry, p_kind);
	ver = str_at(entry, p_ver);
	if (!kind || !ver || (strcmp(kind, "hashedrekord") && strcmp(kind, "rekord")) || strcmp(ver, "0.0.1")) {
		err_set(e, "Rekor entry is of kind '%.40s' version '%.20s'; only hashedrekord and rekord 0.0.1 "
			   "are supported", kind ? kind : "?", ver ? ver : "?");
		goto out;
	}
	alg = str_at(entry, p_alg);
	hash = str_at(entry, p_hash);
	digest_buf(payload, plen, hex);
	if (!alg || !hash || strcmp(alg, "sha256") || strcmp(hash, digest_hex(hex))) {
		err_set(e, "Rekor entry records another payload than the signed one");
		goto out;
	}
	sig_b64 = str_at(entry, p_sig);
	if (!sig_b64 || sign_b64_decode(sig_b64, strlen(sig_b64), &esig, &esig_len) < 0 || esig_len != siglen ||
	    memcmp(esig, sig, siglen)) {
		err_set(e, "Rekor entry records another signature than the layer's");
		goto out;
	}
	key_b64 = str_at(entry, p_key);
	if (!key_b64 || !same_signer(key_b64, signer_der, der_len, signer_is_cert)) {
		err_set(e, "Rekor entry records another %s than the signature's", signer_is_cert ? "certificate" : "key");
		goto out;
	}
	rc = 0;
out:
	json_decref(entry);
	free(body);
	free(esig);
	return rc;
}

int sign_bundle_verify(const struct sign_bundle *b, EVP_PKEY *rekor, const unsigned char *payload, size_t plen,
		       const unsigned char *sig, size_t siglen, const unsigned char *signer_der, size_t der_len,
		       bool signer_is_cert, struct err *e)
{
	char id[65], *msg;
	size_t msg_len;
	int ok;

	sign_key_id(rekor, id);
	if (strcmp(b->log_id, id))
		return err_set(e, "Rekor bundle is from log '%.64s', not from the configured Rekor key's log '%s'",
			       b->log_id, id);
	msg = sign_bundle_set_message(b, &msg_len);
	if (!msg)
		return err_set(e, "Rekor bundle cannot be canonicalised");
	ok = sign_ecdsa_verify(rekor, msg, msg_len, b->set, b->set_len);
	free(msg);
	if (!ok)
		return err_set(e, "Rekor bundle's signed entry timestamp does not verify with the configured Rekor key");
	/* the entry must be about this payload, this signature, this signer */
	return sign_bundle_check_entry(b->body, payload, plen, sig, siglen, signer_der, der_len, signer_is_cert, e);
}
