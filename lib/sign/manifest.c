/* The signature manifest (<repo>:sha256-<hex>.sig): an OCI image manifest
 * whose simple-signing layers carry the signatures in annotations. */
#include <stdlib.h>
#include <string.h>

#include "sign/sign_int.h"

void sign_layers_release(struct sign_layers *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct sign_layer *s = &l->v[i];
		free(s->digest);
		free(s->signature);
		free(s->cert);
		free(s->chain);
		free(s->bundle);
		free(s->error);
		json_decref(s->raw);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static char *ann(const json_t *anns, const char *key, char **error)
{
	const json_t *v = json_object_get(anns, key);
	if (!v)
		return NULL;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
		if (!*error)
			*error = xasprintf("annotation '%s' is not a string", key);
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

static void parse_layer(json_t *d, struct sign_layer *s)
{
	const json_t *digest = json_object_get(d, "digest"), *size = json_object_get(d, "size");
	const json_t *anns = json_object_get(d, "annotations");
	s->raw = json_incref(d);
	if (!json_is_string(digest) || !digest_valid(json_string_value(digest))) {
		s->error = xstrdup("layer has no valid digest");
		return;
	}
	s->digest = xstrdup(json_string_value(digest));
	if (!json_is_integer(size) || json_integer_value(size) < 0) {
		s->error = xstrdup("layer has no valid size");
		return;
	}
	s->size = json_integer_value(size);
	if (s->size > SIGN_PAYLOAD_MAX) {
		s->error = xasprintf("payload of %lld bytes is larger than %d", s->size, SIGN_PAYLOAD_MAX);
		return;
	}
	if (anns && !json_is_object(anns)) {
		s->error = xstrdup("layer annotations are not an object");
		return;
	}
	s->signature = ann(anns, SIGN_ANN_SIGNATURE, &s->error);
	s->cert = ann(anns, SIGN_ANN_CERTIFICATE, &s->error);
	s->chain = ann(anns, SIGN_ANN_CHAIN, &s->error);
	s->bundle = ann(anns, SIGN_ANN_BUNDLE, &s->error);
	if (!s->error && !s->signature)
		s->error = xstrdup("layer has no '" SIGN_ANN_SIGNATURE "' annotation");
}

int sign_manifest_parse(const char *json, size_t len, struct sign_layers *out, struct err *e)
{
	json_t *root = sign_json_parse(json, len, SIGN_MANIFEST_MAX, "signature manifest", e);
	const json_t *sv, *mt, *layers;
	struct sign_layers l = {NULL, 0};
	int rc = -1;
	if (!root)
		return -1;
	if (!json_is_object(root)) {
		err_set(e, "signature manifest is not a JSON object");
		goto out;
	}
	sv = json_object_get(root, "schemaVersion");
	mt = json_object_get(root, "mediaType");
	layers = json_object_get(root, "layers");
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		err_set(e, "signature manifest does not have schemaVersion 2");
		goto out;
	}
	if (mt && (!json_is_string(mt) || (strcmp(json_string_value(mt), SIGN_MANIFEST_MEDIA_TYPE) &&
					   strcmp(json_string_value(mt),
						  "application/vnd.docker.distribution.manifest.v2+json")))) {
		err_set(e, "signature manifest has media type '%.100s', not an image manifest's",
			json_is_string(mt) ? json_string_value(mt) : "?");
		goto out;
	}
	if (!json_is_array(layers)) {
		err_set(e, "signature manifest has no layers array");
		goto out;
	}
	if (json_array_size(layers) > SIGN_LAYERS_MAX) {
		err_set(e, "signature manifest has more than %d layers", SIGN_LAYERS_MAX);
		goto out;
	}
	l.v = xcalloc(json_array_size(layers) + 1, sizeof(*l.v));
	for (size_t i = 0; i < json_array_size(layers); i++) {
		json_t *d = json_array_get(layers, i), *m = json_object_get(d, "mediaType");
		/* other artifacts may share the manifest; only payloads count */
		if (!json_is_object(d) || !json_is_string(m) || strcmp(json_string_value(m), SIGN_PAYLOAD_MEDIA_TYPE))
			continue;
		parse_layer(d, &l.v[l.n++]);
	}
	*out = l;
	l.v = NULL;
	rc = 0;
out:
	free(l.v);
	json_decref(root);
	return rc;
}
