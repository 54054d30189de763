/* Platform strings and manifest selection. */
#include "registry/platform.h"

#include <jansson.h>
#include <string.h>

static int part(const char *s, size_t n, char *out, size_t cap)
{
	if (!n || n >= cap)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' ||
		      s[i] == '.'))
			return -1;
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int reg_platform_parse(const char *s, struct reg_platform *out, struct err *e)
{
	const char *a, *b;
	memset(out, 0, sizeof(*out));
	if (!s || !*s) {
		strcpy(out->os, "linux");
		snprintf(out->arch, sizeof(out->arch), "%s", image_host_arch());
		return 0;
	}
	a = strchr(s, '/');
	b = a ? strchr(a + 1, '/') : NULL;
	if (!a || part(s, (size_t)(a - s), out->os, sizeof(out->os)) < 0 ||
	    part(a + 1, b ? (size_t)(b - a - 1) : strlen(a + 1), out->arch, sizeof(out->arch)) < 0 ||
	    (b && part(b + 1, strlen(b + 1), out->variant, sizeof(out->variant)) < 0)) {
		char shown[68];
		size_t n = 0;
		for (; s[n] && n < 64; n++)
			shown[n] = (unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f ? '?' : s[n];
		shown[n] = 0;
		return err_setk(e, ERR_USAGE, "invalid platform '%s': expected os/arch[/variant], e.g. linux/amd64", shown);
	}
	return 0;
}

int reg_platform_pick(const struct image_index *x, const struct reg_platform *p, struct err *e)
{
	int best = -1;
	for (size_t i = 0; i < x->n; i++) {
		const struct image_desc *d = &x->v[i];
		if (!d->os || !d->arch || strcmp(d->os, p->os) || strcmp(d->arch, p->arch))
			continue;
		if (p->variant[0]) {
			if (d->variant && !strcmp(d->variant, p->variant))
				return (int)i;
			continue;
		}
		if (!d->variant)
			return (int)i;
		if (best < 0)
			best = (int)i;
	}
	if (best >= 0)
		return best;
	return err_setk(e, ERR_NOT_FOUND, "no matching manifest for %s/%s%s%s in the manifest list entries", p->os,
			p->arch, p->variant[0] ? "/" : "", p->variant);
}

enum reg_doc_kind reg_doc_kind(const char *buf, size_t len, const char *content_type)
{
	json_t *j = json_loadb(buf, len, 0, NULL), *mt;
	enum reg_doc_kind k = REG_DOC_UNKNOWN;
	const char *s = NULL;
	if (!json_is_object(j)) {
		json_decref(j);
		return REG_DOC_UNKNOWN;
	}
	mt = json_object_get(j, "mediaType");
	if (json_is_string(mt))
		s = json_string_value(mt);
	else if (content_type)
		s = content_type;
	if (s && (!strncmp(s, MT_OCI_INDEX, strlen(MT_OCI_INDEX)) || !strncmp(s, MT_DOCKER_LIST, strlen(MT_DOCKER_LIST))))
		k = REG_DOC_INDEX;
	else if (s && (!strncmp(s, MT_OCI_MANIFEST, strlen(MT_OCI_MANIFEST)) ||
		       !strncmp(s, MT_DOCKER_MANIFEST, strlen(MT_DOCKER_MANIFEST))))
		k = REG_DOC_MANIFEST;
	else if (json_is_array(json_object_get(j, "manifests")))
		k = REG_DOC_INDEX;
	else if (json_is_array(json_object_get(j, "layers")))
		k = REG_DOC_MANIFEST;
	json_decref(j);
	return k;
}
