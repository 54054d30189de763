/*
 * a3s-sign-tool: lib/sign for tests/integration/test_sign.py (not
 * installed). Blobs live in DIR/blobs/sha256/<hex>, as in an OCI layout.
 *
 *   a3s-sign-tool verify SIGMANIFEST DIR REPO DIGEST [--key F] [--roots F]
 *       [--identity S] [--identity-regexp R] [--issuer S] [--issuer-regexp R]
 *       [--rekor F] [--match-reference]
 *     prints {"layer":N,"docker-reference":...,"identity":...,...}
 *   a3s-sign-tool make KEY REPO DIGEST DIR [--existing F] [--passphrase P]
 *       [--annotation K=V]...
 *     writes the blobs into DIR, the manifest to DIR/manifest.json and
 *     the signature (base64) to DIR/signature; prints the tag
 *   a3s-sign-tool policy FILE NAME     prints "REQUIRE SCOPE"
 *   a3s-sign-tool canon FILE           prints FILE's JSON in RFC 8785 form
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sign/policy.h"
#include "sign/sign.h"
#include "sign/sign_int.h"
#include "util/fs.h"
#include "util/xalloc.h"

static int fail(const struct err *e)
{
	fprintf(stderr, "a3s-sign-tool: %s\n", e->msg);
	return 1;
}

static int fetch_dir(void *arg, const char *digest, size_t max, unsigned char **data, size_t *len, struct err *e)
{
	char *path = xasprintf("%s/blobs/sha256/%s", (const char *)arg, digest_hex(digest));
	char *buf;
	int rc = fs_read_file(path, max, &buf, len, e);
	free(path);
	if (rc == 0)
		*data = (unsigned char *)buf;
	return rc;
}

static int put_blob(const char *dir, const struct sign_blob *b, struct err *e)
{
	char *d = xasprintf("%s/blobs/sha256", dir), *p = xasprintf("%s/%s", d, digest_hex(b->digest));
	int rc = fs_mkdir_p(d, 0755, e) < 0 ? -1 : fs_write_atomic(p, b->data, b->len, 0644, e);
	free(d);
	free(p);
	return rc;
}

static int cmd_verify(int argc, char **argv)
{
	struct sign_trust t = {0};
	struct sign_verified v = SIGN_VERIFIED_INIT;
	struct err e = ERR_INIT;
	char *man;
	size_t len;
	if (argc < 6)
		return 2;
	for (int i = 6; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--match-reference")) {
			t.match_reference = true;
			continue;
		}
		if (!val)
			return 2;
		i++;
		if (!strcmp(a, "--key"))
			t.pubkey_path = val;
		else if (!strcmp(a, "--roots"))
			t.fulcio_roots_path = val;
		else if (!strcmp(a, "--identity"))
			t.identity = val;
		else if (!strcmp(a, "--identity-regexp"))
			t.identity_regexp = val;
		else if (!strcmp(a, "--issuer"))
			t.issuer = val;
		else if (!strcmp(a, "--issuer-regexp"))
			t.issuer_regexp = val;
		else if (!strcmp(a, "--rekor"))
			t.rekor_pubkey_path = val;
		else
			return 2;
	}
	if (!strcmp(argv[2], "-")) {
		sign_err_unsigned(&e, argv[4], argv[5]);
		return fail(&e);
	}
	if (fs_read_file(argv[2], SIGN_MANIFEST_MAX, &man, &len, &e) < 0)
		return fail(&e);
	if (sign_verify(man, len, fetch_dir, argv[3], argv[4], argv[5], &t, &v, &e) < 0) {
		free(man);
		return fail(&e);
	}
	free(man);
	json_t *o = json_pack("{s:i, s:s?, s:s?, s:s?, s:I, s:I}", "layer", v.layer, "docker-reference",
			      v.docker_reference, "identity", v.identity, "issuer", v.issuer, "integratedTime",
			      (json_int_t)v.integrated_time, "logIndex", (json_int_t)v.log_index);
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	printf("%s\n", s);
	free(s);
	json_decref(o);
	sign_verified_release(&v);
	return 0;
}

static int cmd_make(int argc, char **argv)
{
	struct sign_make_opts o = {0};
	struct sign_artifact a;
	struct err e = ERR_INIT;
	struct strv ann = STRV_INIT;
	char *existing = NULL, *p;
	size_t elen = 0;
	int rc = 1;
	if (argc < 6)
		return 2;
	o.key_path = argv[2];
	o.repo = argv[3];
	o.manifest_digest = argv[4];
	for (int i = 6; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--existing")) {
			if (fs_read_file(argv[i + 1], SIGN_MANIFEST_MAX, &existing, &elen, &e) < 0)
				return fail(&e);
		} else if (!strcmp(argv[i], "--passphrase")) {
			o.passphrase = argv[i + 1];
		} else if (!strcmp(argv[i], "--annotation")) {
			strv_push(&ann, argv[i + 1]);
		} else {
			return 2;
		}
	}
	o.annotations = ann.n ? (const char *const *)ann.v : NULL;
	o.existing_manifest = existing;
	o.existing_len = elen;
	if (sign_make(&o, &a, &e) < 0) {
		rc = fail(&e);
		goto out;
	}
	if (put_blob(argv[5], &a.payload, &e) < 0 || put_blob(argv[5], &a.config, &e) < 0) {
		rc = fail(&e);
		goto release;
	}
	p = xasprintf("%s/manifest.json", argv[5]);
	if (fs_write_atomic(p, a.manifest.data, a.manifest.len, 0644, &e) < 0) {
		free(p);
		rc = fail(&e);
		goto release;
	}
	free(p);
	p = xasprintf("%s/signature", argv[5]);
	if (fs_write_atomic(p, a.signature_b64, strlen(a.signature_b64), 0644, &e) < 0) {
		free(p);
		rc = fail(&e);
		goto release;
	}
	free(p);
	printf("%s\n", a.tag);
	rc = 0;
release:
	sign_artifact_release(&a);
out:
	strv_release(&ann);
	free(existing);
	return rc;
}

static int cmd_policy(int argc, char **argv)
{
	struct sign_policy *p;
	struct err e = ERR_INIT;
	const struct sign_trust *t;
	const char *scope;
	enum sign_require r;
	if (argc != 4)
		return 2;
	if (sign_policy_load(argv[2], &p, &e) < 0)
		return fail(&e);
	r = sign_policy_lookup(p, argv[3], &t, &scope);
	printf("%s %s %s\n", sign_require_name(r), scope ? scope : "-",
	       t ? (t->pubkey_path ? t->pubkey_path : t->fulcio_roots_path) : "-");
	sign_policy_free(p);
	return 0;
}

static int cmd_canon(int argc, char **argv)
{
	struct err e = ERR_INIT;
	char *s, *c;
	size_t len;
	json_t *v;
	if (argc != 3)
		return 2;
	if (fs_read_file(argv[2], SIGN_MANIFEST_MAX, &s, &len, &e) < 0)
		return fail(&e);
	v = sign_json_parse(s, len, SIGN_MANIFEST_MAX, "input", &e);
	free(s);
	if (!v)
		return fail(&e);
	c = sign_canon_json(v, &len);
	json_decref(v);
	if (!c)
		return 1;
	fwrite(c, 1, len, stdout);
	free(c);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		rc = cmd_verify(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "make"))
		rc = cmd_make(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "policy"))
		rc = cmd_policy(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "canon"))
		rc = cmd_canon(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: see tests/unit/sign-tool.c\n");
	return rc;
}
