#include "image/manifest.h"

#include <stdlib.h>
#include <string.h>

#include "image/digest.h"

static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	NULL,
};

json_t *image_json_load(const char *buf, size_t len, const char *what, struct err *e)
{
	json_error_t je;
	json_t *j;
	if (len > IMAGE_JSON_MAX) {
		err_set(e, "invalid %s: larger than %d bytes", what, IMAGE_JSON_MAX);
		return NULL;
	}
	j = json_loadb(buf, len, 0, &je);
	if (!j) {
		err_set(e, "invalid %s: malformed JSON at line %d column %d: %s", what, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		err_set(e, "invalid %s: not a JSON object", what);
		return NULL;
	}
	return j;
}

/* Optional string member: NULL when absent, error when not a string. */
static int opt_str(json_t *obj, const char *key, char **out, const char *what, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return err_set(e, "invalid %s: '%s' is not a string", what, key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static void desc_release(struct image_desc *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->arch);
	free(d->variant);
	free(d->ref_name);
	free(d->image_name);
	memset(d, 0, sizeof(*d));
}

static int desc_parse(json_t *j, struct image_desc *d, const char *what, struct err *e)
{
	json_t *size = json_object_get(j, "size"), *plat, *ann;
	memset(d, 0, sizeof(*d));
	if (!json_is_object(j))
		return err_set(e, "invalid %s: descriptor is not an object", what);
	if (opt_str(j, "mediaType", &d->media_type, what, e) < 0 || opt_str(j, "digest", &d->digest, what, e) < 0)
		goto fail;
	if (!d->media_type) {
		err_set(e, "invalid %s: descriptor without 'mediaType'", what);
		goto fail;
	}
	if (!d->digest || !digest_valid(d->digest)) {
		err_set(e, "invalid %s: descriptor digest '%s' is not sha256:<64 hex>", what, d->digest ? d->digest : "");
		goto fail;
	}
	if (!json_is_integer(size) || json_integer_value(size) < 0) {
		err_set(e, "invalid %s: descriptor '%s' has no valid 'size'", what, d->digest);
		goto fail;
	}
	d->size = json_integer_value(size);
	plat = json_object_get(j, "platform");
	if (plat && !json_is_null(plat)) {
		if (!json_is_object(plat)) {
			err_set(e, "invalid %s: 'platform' is not an object", what);
			goto fail;
		}
		if (opt_str(plat, "os", &d->os, what, e) < 0 || opt_str(plat, "architecture", &d->arch, what, e) < 0 ||
		    opt_str(plat, "variant", &d->variant, what, e) < 0)
			goto fail;
	}
	ann = json_object_get(j, "annotations");
	if (ann && !json_is_null(ann)) {
		if (!json_is_object(ann)) {
			err_set(e, "invalid %s: 'annotations' is not an object", what);
			goto fail;
		}
		if (opt_str(ann, ANNOT_REF_NAME, &d->ref_name, what, e) < 0 ||
		    opt_str(ann, ANNOT_CONTAINERD_NAME, &d->image_name, what, e) < 0)
			goto fail;
	}
	return 0;
fail:
	desc_release(d);
	return -1;
}

static int check_schema(json_t *j, const char *what, struct err *e)
{
	json_t *v = json_object_get(j, "schemaVersion");
	if (!json_is_integer(v) || json_integer_value(v) != 2)
		return err_set(e, "invalid %s: 'schemaVersion' must be 2", what);
	return 0;
}

int image_layout_parse(const char *buf, size_t len, struct err *e)
{
	json_t *j = image_json_load(buf, len, "oci-layout", e);
	json_t *v;
	int rc = 0;
	if (!j)
		return -1;
	v = json_object_get(j, "imageLayoutVersion");
	if (!json_is_object(j) || !json_is_string(v))
		rc = err_set(e, "invalid oci-layout: no 'imageLayoutVersion'");
	else if (strcmp(json_string_value(v), MT_OCI_LAYOUT_VERSION))
		rc = err_set(e, "unsupported OCI image layout version '%s' (want %s)", json_string_value(v),
			     MT_OCI_LAYOUT_VERSION);
	json_decref(j);
	return rc;
}

bool image_desc_is_index(const struct image_desc *d)
{
	return !strcmp(d->media_type, MT_OCI_INDEX) || !strcmp(d->media_type, MT_DOCKER_LIST);
}

bool image_desc_is_manifest(const struct image_desc *d)
{
	return !strcmp(d->media_type, MT_OCI_MANIFEST) || !strcmp(d->media_type, MT_DOCKER_MANIFEST);
}

/* Parse an index or manifest document: a JSON object with schemaVersion 2
 * and, when present, one of the two media types allowed for it. */
static json_t *load_document(const char *buf, size_t len, const char *what, const char *mt_oci,
			     const char *mt_docker, struct err *e)
{
	json_t *j = image_json_load(buf, len, what, e), *mt;
	if (!j)
		return NULL;
	if (!json_is_object(j)) {
		err_set(e, "invalid %s: not a JSON object", what);
		goto fail;
	}
	if (check_schema(j, what, e) < 0)
		goto fail;
	mt = json_object_get(j, "mediaType");
	if (mt && (!json_is_string(mt) ||
		   (strcmp(json_string_value(mt), mt_oci) && strcmp(json_string_value(mt), mt_docker)))) {
		err_set(e, "invalid %s: unexpected mediaType '%s'", what, json_is_string(mt) ? json_string_value(mt) : "?");
		goto fail;
	}
	return j;
fail:
	json_decref(j);
	return NULL;
}

int image_index_parse(const char *buf, size_t len, struct image_index *out, struct err *e)
{
	const char *what = "image index";
	json_t *j = load_document(buf, len, what, MT_OCI_INDEX, MT_DOCKER_LIST, e), *ms;
	struct image_index x = {0};
	if (!j)
		return -1;
	ms = json_object_get(j, "manifests");
	if (!json_is_array(ms)) {
		err_set(e, "invalid %s: 'manifests' is not an array", what);
		goto fail;
	}
	if (json_array_size(ms) > IMAGE_MAX_MANIFESTS) {
		err_set(e, "invalid %s: more than %d manifests", what, IMAGE_MAX_MANIFESTS);
		goto fail;
	}
	x.v = xcalloc(json_array_size(ms) + 1, sizeof(*x.v));
	for (size_t i = 0; i < json_array_size(ms); i++) {
		if (desc_parse(json_array_get(ms, i), &x.v[i], what, e) < 0)
			goto fail;
		x.n++;
		if (!image_desc_is_index(&x.v[i]) && !image_desc_is_manifest(&x.v[i])) {
			err_set(e, "invalid %s: unsupported manifest media type '%s'", what, x.v[i].media_type);
			goto fail;
		}
	}
	json_decref(j);
	*out = x;
	return 0;
fail:
	image_index_release(&x);
	json_decref(j);
	return -1;
}

void image_index_release(struct image_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		desc_release(&x->v[i]);
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

int image_index_pick(const struct image_index *x, const char *os, const char *arch, struct err *e)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].os && x->v[i].arch && !strcmp(x->v[i].os, os) && !strcmp(x->v[i].arch, arch))
			return (int)i;
	if (x->n == 1 && !x->v[0].os && !x->v[0].arch)
		return 0;
	return err_set(e, "no image for platform %s/%s in the image index", os, arch);
}

static bool known_layer_type(const char *mt)
{
	for (size_t i = 0; layer_types[i]; i++)
		if (!strcmp(layer_types[i], mt))
			return true;
	return false;
}

int image_manifest_parse(const char *buf, size_t len, struct image_manifest *out, struct err *e)
{
	const char *what = "image manifest";
	json_t *j = load_document(buf, len, what, MT_OCI_MANIFEST, MT_DOCKER_MANIFEST, e), *ls;
	struct image_manifest m = {0};
	if (!j)
		return -1;
	if (desc_parse(json_object_get(j, "config"), &m.config, what, e) < 0)
		goto fail;
	if (strcmp(m.config.media_type, MT_OCI_CONFIG) && strcmp(m.config.media_type, MT_DOCKER_CONFIG)) {
		err_set(e, "invalid %s: unsupported config media type '%s' (not a container image)", what,
			m.config.media_type);
		goto fail;
	}
	ls = json_object_get(j, "layers");
	if (!json_is_array(ls)) {
		err_set(e, "invalid %s: 'layers' is not an array", what);
		goto fail;
	}
	if (json_array_size(ls) > IMAGE_MAX_LAYERS) {
		err_set(e, "invalid %s: more than %d layers", what, IMAGE_MAX_LAYERS);
		goto fail;
	}
	m.layers = xcalloc(json_array_size(ls) + 1, sizeof(*m.layers));
	for (size_t i = 0; i < json_array_size(ls); i++) {
		if (desc_parse(json_array_get(ls, i), &m.layers[i], what, e) < 0)
			goto fail;
		m.n_layers++;
		if (!known_layer_type(m.layers[i].media_type)) {
			err_set(e, "invalid %s: unsupported layer media type '%s'", what, m.layers[i].media_type);
			goto fail;
		}
	}
	json_decref(j);
	*out = m;
	return 0;
fail:
	image_manifest_release(&m);
	json_decref(j);
	return -1;
}

void image_manifest_release(struct image_manifest *m)
{
	desc_release(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		desc_release(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

/* Array of strings (NULL allowed when nullable). */
static int str_array(json_t *a, bool nullable, struct strv *out, const char *key, const char *what, struct err *e)
{
	if ((!a || json_is_null(a)) && nullable)
		return 0;
	if (!json_is_array(a))
		return err_set(e, "invalid %s: '%s' is not an array", what, key);
	if (json_array_size(a) > IMAGE_MAX_LAYERS)
		return err_set(e, "invalid %s: '%s' has more than %d entries", what, key, IMAGE_MAX_LAYERS);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *s = json_array_get(a, i);
		if (!json_is_string(s) || !json_string_length(s) || strlen(json_string_value(s)) != json_string_length(s))
			return err_set(e, "invalid %s: '%s' holds a value that is not a non-empty string", what, key);
		strv_push(out, json_string_value(s));
	}
	return 0;
}

int docker_manifest_parse(const char *buf, size_t len, struct docker_manifest_list *out, struct err *e)
{
	const char *what = "manifest.json";
	json_t *j = image_json_load(buf, len, what, e);
	struct docker_manifest_list l = {0};
	if (!j)
		return -1;
	if (!json_is_array(j) || json_array_size(j) == 0) {
		err_set(e, "invalid %s: expected a non-empty JSON array", what);
		goto fail;
	}
	if (json_array_size(j) > IMAGE_MAX_MANIFESTS) {
		err_set(e, "invalid %s: more than %d images", what, IMAGE_MAX_MANIFESTS);
		goto fail;
	}
	l.v = xcalloc(json_array_size(j), sizeof(*l.v));
	for (size_t i = 0; i < json_array_size(j); i++) {
		json_t *m = json_array_get(j, i);
		struct docker_manifest *d = &l.v[l.n++];
		if (!json_is_object(m)) {
			err_set(e, "invalid %s: entry %zu is not an object", what, i);
			goto fail;
		}
		if (opt_str(m, "Config", &d->config, what, e) < 0)
			goto fail;
		if (!d->config || !*d->config) {
			err_set(e, "invalid %s: entry %zu has no 'Config'", what, i);
			goto fail;
		}
		if (str_array(json_object_get(m, "RepoTags"), true, &d->repo_tags, "RepoTags", what, e) < 0 ||
		    str_array(json_object_get(m, "Layers"), false, &d->layers, "Layers", what, e) < 0)
			goto fail;
	}
	json_decref(j);
	*out = l;
	return 0;
fail:
	docker_manifest_release(&l);
	json_decref(j);
	return -1;
}

void docker_manifest_release(struct docker_manifest_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].config);
		strv_release(&l->v[i].repo_tags);
		strv_release(&l->v[i].layers);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void image_err_printable(struct err *e)
{
	for (unsigned char *p = (unsigned char *)e->msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

const char *image_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#else
	return "unknown";
#endif
}
