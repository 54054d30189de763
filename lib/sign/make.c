/* sign_make: a signature in cosign's layout, ready to push. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "image/ref.h"
#include "sign/sign_int.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

void sign_artifact_release(struct sign_artifact *a)
{
	free(a->tag);
	free(a->manifest.data);
	free(a->config.data);
	free(a->payload.data);
	free(a->signature_b64);
	memset(a, 0, sizeof(*a));
}

char *sign_tag(const char *manifest_digest)
{
	if (!digest_valid(manifest_digest))
		return NULL;
	return xasprintf("sha256-%s.sig", digest_hex(manifest_digest));
}

static void blob(struct sign_blob *b, char *data, size_t len, const char *media_type)
{
	b->data = data;
	b->len = len;
	b->media_type = media_type;
	digest_buf(data, len, b->digest);
}

static int check_annotations(const char *const *a, struct err *e)
{
	for (size_t i = 0; a && a[i]; i++) {
		const char *eq = strchr(a[i], '=');
		json_t *s = json_string(a[i]); /* NULL unless valid UTF-8 */
		json_decref(s);
		if (!eq || eq == a[i] || !s)
			return err_setk(e, ERR_USAGE, "invalid annotation '%s'; use KEY=VALUE", a[i]);
		for (size_t j = 0; j < i; j++)
			if (!strncmp(a[j], a[i], (size_t)(eq - a[i]) + 1))
				return err_setk(e, ERR_USAGE, "annotation '%.*s' is given twice", (int)(eq - a[i]), a[i]);
	}
	return 0;
}

/* The layers already in the .sig manifest (cosign appends to them). */
static json_t *existing_layers(const char *json, size_t len, struct err *e)
{
	json_t *root, *layers, *out = NULL;
	if (!json)
		return json_array();
	if (!(root = sign_json_parse(json, len, SIGN_MANIFEST_MAX, "existing signature manifest", e)))
		return NULL;
	layers = json_object_get(root, "layers");
	if (!json_is_object(root) || json_integer_value(json_object_get(root, "schemaVersion")) != 2 ||
	    !json_is_array(layers) || json_array_size(layers) >= SIGN_LAYERS_MAX) {
		err_set(e, "existing signature manifest is not an image manifest with layers");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(layers); i++) {
		json_t *d = json_array_get(layers, i);
		if (!json_is_object(d) || !digest_valid(json_string_value(json_object_get(d, "digest")))) {
			err_set(e, "existing signature manifest has a layer without a digest");
			goto out;
		}
	}
	out = json_deep_copy(layers);
out:
	json_decref(root);
	return out;
}

/* go-containerregistry's config for an image of these layers, as cosign
 * writes it: zero times, one history entry per layer. */
static char *config_json(const json_t *layers, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		abort();
	fputs("{\"architecture\":\"\",\"created\":\"" ZERO_TIME "\",\"history\":[", f);
	for (i = 0; i < json_array_size(layers); i++)
		fprintf(f, "%s{\"created\":\"" ZERO_TIME "\"}", i ? "," : "");
	fputs("],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[", f);
	for (i = 0; i < json_array_size(layers); i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", json_string_value(json_object_get(json_array_get(layers, i), "digest")));
	fputs("]},\"config\":{}}", f);
	fclose(f);
	*len = n;
	return buf;
}

int sign_make(const struct sign_make_opts *o, struct sign_artifact *out, struct err *e)
{
	struct sign_artifact a;
	EVP_PKEY *key = NULL;
	json_t *layers = NULL, *manifest;
	unsigned char *sig = NULL;
	size_t siglen, len;
	struct image_ref r = IMAGE_REF_INIT;
	char *ref, *data, *name = NULL;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	if (!digest_valid(o->manifest_digest))
		return err_set(e, "invalid manifest digest '%.80s'", o->manifest_digest);
	if (!o->key_path)
		return err_set(e, "no signing key");
	if (!o->repo || image_ref_parse(o->repo, &r, e) < 0 || r.digest || r.tag) {
		image_ref_release(&r);
		return err_set(e, "invalid repository name '%s' to sign for", o->repo ? o->repo : "");
	}
	name = image_ref_name(&r);
	image_ref_release(&r);
	if (check_annotations(o->annotations, e) < 0 ||
	    !(layers = existing_layers(o->existing_manifest, o->existing_len, e))) {
		free(name);
		return -1;
	}
	if (!(key = sign_key_load_private(o->key_path, o->passphrase, e)))
		goto out;

	ref = sign_docker_reference(name);
	data = sign_payload_make(ref, o->manifest_digest, o->annotations, &len);
	free(ref);
	blob(&a.payload, data, len, SIGN_PAYLOAD_MEDIA_TYPE);
	if (sign_ecdsa_sign(key, a.payload.data, a.payload.len, &sig, &siglen, e) < 0)
		goto out;
	a.signature_b64 = sign_b64_encode(sig, siglen);
	if (json_array_append_new(layers, json_pack("{s:s, s:I, s:s, s:{s:s}}", "mediaType", SIGN_PAYLOAD_MEDIA_TYPE,
						    "size", (json_int_t)a.payload.len, "digest", a.payload.digest,
						    "annotations", SIGN_ANN_SIGNATURE, a.signature_b64)) < 0)
		abort();

	data = config_json(layers, &len);
	blob(&a.config, data, len, SIGN_CONFIG_MEDIA_TYPE);
	manifest = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:O}", "schemaVersion", 2, "mediaType",
			     SIGN_MANIFEST_MEDIA_TYPE, "config", "mediaType", SIGN_CONFIG_MEDIA_TYPE, "size",
			     (json_int_t)a.config.len, "digest", a.config.digest, "layers", layers);
	if (!manifest || !(data = json_dumps(manifest, JSON_COMPACT)))
		abort();
	json_decref(manifest);
	blob(&a.manifest, data, strlen(data), SIGN_MANIFEST_MEDIA_TYPE);
	a.tag = sign_tag(o->manifest_digest);
	*out = a;
	memset(&a, 0, sizeof(a));
	rc = 0;
out:
	sign_artifact_release(&a);
	json_decref(layers);
	EVP_PKEY_free(key);
	free(sig);
	free(name);
	return rc;
}
