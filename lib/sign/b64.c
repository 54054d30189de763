/* Base64 (RFC 4648 standard alphabet, padded) as Go's StdEncoding writes it.
 * Decoding is strict so that one signature has exactly one encoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sign/sign_int.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *sign_b64_encode(const void *p, size_t n)
{
	const unsigned char *s = p;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
		*o++ = alphabet[v >> 18];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int sign_b64_decode(const char *s, size_t slen, unsigned char **out, size_t *n)
{
	unsigned char *buf, *o;
	size_t i, pad = 0;
	if (slen % 4)
		return -1;
	if (slen && s[slen - 1] == '=')
		pad = slen >= 2 && s[slen - 2] == '=' ? 2 : 1;
	buf = xmalloc(slen / 4 * 3 + 1);
	o = buf;
	for (i = 0; i < slen; i += 4) {
		int v[4], k, last = i + 4 == slen;
		for (k = 0; k < 4; k++) {
			if (last && k >= 4 - (int)pad) {
				v[k] = 0;
				continue;
			}
			v[k] = val((unsigned char)s[i + k]);
			if (v[k] < 0)
				goto bad;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		/* the bits a padded group leaves unused must be zero */
		if (last && ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))))
			goto bad;
		*o++ = (unsigned char)(w >> 16);
		if (!last || pad < 2)
			*o++ = (unsigned char)(w >> 8);
		if (!last || pad < 1)
			*o++ = (unsigned char)w;
	}
	*o = '\0';
	*n = (size_t)(o - buf);
	*out = buf;
	return 0;
bad:
	free(buf);
	return -1;
}
