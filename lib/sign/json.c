/* JSON helpers for signatures: strict parsing, RFC 8785 canonical output
 * (what Rekor signs) and Go-compatible string escaping (what cosign's
 * payloads contain). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/sign_int.h"

json_t *sign_json_parse(const char *s, size_t len, size_t max, const char *what, struct err *e)
{
	json_error_t je;
	json_t *v;
	if (len > max) {
		err_set(e, "%s is larger than %zu bytes", what, max);
		return NULL;
	}
	v = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		err_set(e, "%s is not valid JSON: %s", what, je.text);
	return v;
}

int sign_json_only_keys(const json_t *o, const char *const *keys, const char *what, struct err *e)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		const char *const *p;
		for (p = keys; *p && strcmp(*p, k); p++)
			;
		if (!*p)
			return err_set(e, "%s has an unknown field '%s'", what, k);
	}
	return 0;
}

/* Decode one UTF-8 sequence (jansson has validated it). */
static uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n = 0;
	if (c >= 0xf0) {
		c &= 0x07;
		n = 3;
	} else if (c >= 0xe0) {
		c &= 0x0f;
		n = 2;
	} else if (c >= 0xc0) {
		c &= 0x1f;
		n = 1;
	}
	for (int i = 1; i <= n; i++)
		c = c << 6 | (s[i] & 0x3f);
	*p = s + 1 + n;
	return c;
}

void sign_json_write_str(FILE *f, const char *s, size_t len, bool go_style)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	fputc('"', f);
	while (p < end) {
		unsigned char c = *p;
		if (c >= 0x80) {
			const unsigned char *start = p;
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			uint32_t cp;
			if ((size_t)(end - p) < need) /* truncated: callers pass valid UTF-8 */
				break;
			cp = utf8_next(&p);
			if (go_style && (cp == 0x2028 || cp == 0x2029))
				fprintf(f, "\\u%04x", (unsigned)cp);
			else
				fwrite(start, 1, (size_t)(p - start), f);
			continue;
		}
		p++;
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '<':
		case '>':
		case '&':
			if (go_style)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
			break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

/* Keys as UTF-16 code units, for RFC 8785's ordering. */
struct ukey {
	const char *key;
	uint16_t *u;
	size_t n;
};

static void to_utf16(struct ukey *k)
{
	const unsigned char *p = (const unsigned char *)k->key, *end = p + strlen(k->key);
	k->u = xmalloc((strlen(k->key) * 2 + 1) * sizeof(uint16_t));
	k->n = 0;
	while (p < end) {
		uint32_t c = utf8_next(&p);
		if (c >= 0x10000) {
			c -= 0x10000;
			k->u[k->n++] = (uint16_t)(0xd800 + (c >> 10));
			k->u[k->n++] = (uint16_t)(0xdc00 + (c & 0x3ff));
		} else {
			k->u[k->n++] = (uint16_t)c;
		}
	}
}

static int ukey_cmp(const void *a, const void *b)
{
	const struct ukey *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	for (size_t i = 0; i < n; i++)
		if (x->u[i] != y->u[i])
			return x->u[i] < y->u[i] ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static int canon(FILE *f, const json_t *v, int depth)
{
	size_t i;
	if (depth > 64)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0;
		struct ukey *keys = xcalloc(n ? n : 1, sizeof(*keys));
		const char *key;
		json_t *val;
		int rc = 0;
		json_object_foreach((json_t *)v, key, val) {
			keys[k].key = key;
			to_utf16(&keys[k++]);
		}
		qsort(keys, n, sizeof(*keys), ukey_cmp);
		fputc('{', f);
		for (i = 0; i < n && rc == 0; i++) {
			if (i)
				fputc(',', f);
			sign_json_write_str(f, keys[i].key, strlen(keys[i].key), false);
			fputc(':', f);
			rc = canon(f, json_object_get(v, keys[i].key), depth + 1);
		}
		fputc('}', f);
		for (i = 0; i < n; i++)
			free(keys[i].u);
		free(keys);
		return rc;
	}
	case JSON_ARRAY:
		fputc('[', f);
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				fputc(',', f);
			if (canon(f, json_array_get(v, i), depth + 1) < 0)
				return -1;
		}
		fputc(']', f);
		return 0;
	case JSON_STRING:
		sign_json_write_str(f, json_string_value(v), json_string_length(v), false);
		return 0;
	case JSON_INTEGER:
		/* ES6 number formatting is plain decimal for integers that a
		 * double holds exactly; larger ones would differ */
		if (json_integer_value(v) > (1LL << 53) || json_integer_value(v) < -(1LL << 53))
			return -1;
		fprintf(f, "%lld", (long long)json_integer_value(v));
		return 0;
	case JSON_TRUE: fputs("true", f); return 0;
	case JSON_FALSE: fputs("false", f); return 0;
	case JSON_NULL: fputs("null", f); return 0;
	default: return -1; /* reals: not needed, not supported */
	}
}

char *sign_canon_json(const json_t *v, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	int rc;
	if (!f)
		abort();
	rc = canon(f, v, 0);
	fclose(f);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}
