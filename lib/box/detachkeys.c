#include "box/detachkeys.h"

#include <string.h>

static int key_code(const char *s, size_t n, unsigned char *out)
{
	static const char ctrl_punct[] = "@[\\]^_";
	if (n == 1) {
		*out = (unsigned char)s[0];
		return 0;
	}
	if (n == 6 && !strncmp(s, "ctrl-", 5)) {
		char c = s[5];
		const char *p;
		if (c >= 'a' && c <= 'z') {
			*out = (unsigned char)(c - 'a' + 1);
			return 0;
		}
		if (c && (p = strchr(ctrl_punct, c))) {
			*out = (unsigned char)(p == ctrl_punct ? 0 : 27 + (p - ctrl_punct - 1));
			return 0;
		}
	}
	return -1;
}

int detach_keys_parse(const char *spec, struct detach_keys *k, struct err *e)
{
	const char *p;
	memset(k, 0, sizeof(*k));
	if (!spec || !*spec)
		spec = DETACH_KEYS_DEFAULT;
	for (p = spec;;) {
		size_t n = strcspn(p, ",");
		if (k->len == DETACH_KEYS_MAX || key_code(p, n, &k->seq[k->len]) < 0)
			return err_setk(e, ERR_USAGE, "invalid detach keys '%s': use a comma list of single characters or ctrl-<a-z@[\\]^_>",
					spec);
		k->len++;
		if (!p[n])
			break;
		p += n + 1;
	}
	return 0;
}

bool detach_keys_feed(struct detach_keys *k, unsigned char *buf, size_t n, size_t *out)
{
	unsigned char in[DETACH_KEYS_BUF];
	size_t o = 0;
	if (!k->len || n > sizeof(in)) {
		*out = n;
		return false;
	}
	/* work from a copy: held bytes may have to be put back in front */
	memcpy(in, buf, n);
	for (size_t j = 0; j < n; j++) {
		unsigned char c = in[j];
		if (c == k->seq[k->matched]) {
			if (++k->matched == k->len) {
				k->matched = 0;
				*out = o;
				return true;
			}
			continue;
		}
		/* not the sequence after all: the held bytes go through */
		memcpy(buf + o, k->seq, k->matched);
		o += k->matched;
		k->matched = 0;
		if (c == k->seq[0]) {
			k->matched = 1;
			continue;
		}
		buf[o++] = c;
	}
	*out = o;
	return false;
}
