#include "tar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "util.h"

enum { S_HDR, S_DATA, S_PAD, S_EXT, S_SKIP, S_END };

/* ustar field offsets and sizes */
#define F_NAME 0, 100
#define F_MODE 100, 8
#define F_UID 108, 8
#define F_GID 116, 8
#define F_SIZE 124, 12
#define F_MTIME 136, 12
#define F_CHKSUM 148, 8
#define F_TYPE 156
#define F_LINK 157, 100
#define F_MAGIC 257
#define F_DEVMAJOR 329, 8
#define F_DEVMINOR 337, 8
#define F_PREFIX 345, 155

static int bad(struct tar_reader *r, const char *why)
{
	snprintf(r->error, sizeof(r->error), "invalid tar stream: %s", why);
	return -1;
}

void tar_reader_init(struct tar_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->state = S_HDR;
}

static void clear_overrides(struct tar_reader *r)
{
	free(r->next_name);
	free(r->next_link);
	r->next_name = r->next_link = NULL;
	r->has_size = r->has_uid = r->has_gid = r->has_mtime = 0;
}

static void clear_cur(struct tar_reader *r)
{
	free(r->cur.name);
	free(r->cur.link);
	memset(&r->cur, 0, sizeof(r->cur));
}

void tar_reader_release(struct tar_reader *r)
{
	clear_overrides(r);
	clear_cur(r);
	free(r->ext);
	r->ext = NULL;
}

/* An octal (or base-256) numeric field. Returns 0 or -1. */
static int num(const uint8_t *h, size_t off, size_t len, uint64_t *out)
{
	const uint8_t *p = h + off, *end = p + len;
	uint64_t v = 0;

	if (*p & 0x80) {
		/* base-256: big-endian, positive values only */
		if (*p != 0x80)
			return -1;
		for (p++; p < end; p++) {
			if (v >> 56)
				return -1;
			v = (v << 8) | *p;
		}
		*out = v;
		return 0;
	}
	while (p < end && *p == ' ')
		p++;
	for (; p < end && *p >= '0' && *p <= '7'; p++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(*p - '0');
	}
	/* terminated by a space or NUL, or the field is full */
	for (; p < end; p++)
		if (*p != ' ' && *p != '\0')
			return -1;
	*out = v;
	return 0;
}

/* A NUL-padded string field, copied. */
static char *str(const uint8_t *h, size_t off, size_t len)
{
	const uint8_t *p = h + off;
	size_t n = 0;

	while (n < len && p[n])
		n++;
	char *s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int checksum_ok(const uint8_t *h)
{
	uint64_t want;
	unsigned long usum = 0;
	long ssum = 0;

	if (num(h, F_CHKSUM, &want) < 0)
		return 0;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		uint8_t c = i >= 148 && i < 156 ? ' ' : h[i];

		usum += c;
		ssum += (signed char)c;
	}
	return want == usum || (ssum >= 0 && want == (uint64_t)ssum);
}

static int all_zero(const uint8_t *h)
{
	for (size_t i = 0; i < TAR_BLOCK; i++)
		if (h[i])
			return 0;
	return 1;
}

/* Apply one pax record "key=value" (value may hold NULs: len is exact). */
static int pax_record(struct tar_reader *r, const char *key, const char *val, size_t vlen)
{
	uint64_t v = 0;
	int numeric = !strcmp(key, "size") || !strcmp(key, "uid") || !strcmp(key, "gid");

	if (!strcmp(key, "path") || !strcmp(key, "linkpath")) {
		char **dst = key[0] == 'p' ? &r->next_name : &r->next_link;

		if (vlen > TAR_NAME_MAX || memchr(val, '\0', vlen))
			return bad(r, "pax path is too long or holds a NUL");
		free(*dst);
		*dst = xmalloc(vlen + 1);
		memcpy(*dst, val, vlen);
		(*dst)[vlen] = '\0';
		return 0;
	}
	if (!strcmp(key, "mtime")) {
		/* seconds, optionally with a fraction (dropped) */
		size_t i = 0;

		if (!vlen)
			return bad(r, "empty pax mtime");
		for (; i < vlen && val[i] >= '0' && val[i] <= '9'; i++) {
			if (v > (UINT64_MAX >> 4))
				return bad(r, "pax mtime out of range");
			v = v * 10 + (uint64_t)(val[i] - '0');
		}
		if (i == 0 || (i < vlen && val[i] != '.'))
			return bad(r, "malformed pax mtime");
		for (i++; i < vlen; i++)
			if (val[i] < '0' || val[i] > '9')
				return bad(r, "malformed pax mtime");
		r->mtime = (int64_t)v;
		r->has_mtime = 1;
		return 0;
	}
	if (!numeric)
		return 0; /* atime, ctime, uname, gname, comment, vendor keys: ignored */
	if (!vlen || vlen > 20)
		return bad(r, "malformed pax number");
	for (size_t i = 0; i < vlen; i++) {
		if (val[i] < '0' || val[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return bad(r, "malformed pax number");
		v = v * 10 + (uint64_t)(val[i] - '0');
	}
	if (key[0] == 's') {
		r->size = v;
		r->has_size = 1;
	} else {
		if (v > UINT32_MAX)
			return bad(r, "pax uid or gid out of range");
		if (key[0] == 'u') {
			r->uid = (uint32_t)v;
			r->has_uid = 1;
		} else {
			r->gid = (uint32_t)v;
			r->has_gid = 1;
		}
	}
	return 0;
}

/* A pax extended header: records "<len> <key>=<value>\n". */
static int pax_parse(struct tar_reader *r, const char *p, size_t n)
{
	while (n) {
		size_t len = 0, i = 0;
		const char *rec = p, *eq;

		for (; i < n && i < 8 && p[i] >= '0' && p[i] <= '9'; i++)
			len = len * 10 + (size_t)(p[i] - '0');
		if (i == 0 || i >= n || p[i] != ' ' || len <= i + 1 || len > n || rec[len - 1] != '\n')
			return bad(r, "malformed pax record");
		eq = memchr(rec + i + 1, '=', len - i - 2);
		if (!eq || eq == rec + i + 1)
			return bad(r, "malformed pax record");
		{
			size_t klen = (size_t)(eq - (rec + i + 1));
			char key[32];

			if (klen < sizeof(key)) {
				memcpy(key, rec + i + 1, klen);
				key[klen] = '\0';
				if (memchr(key, '\0', klen))
					return bad(r, "malformed pax record");
				if (pax_record(r, key, eq + 1, (size_t)(rec + len - 1 - (eq + 1))) < 0)
					return -1;
			}
			/* longer keys are vendor extensions: ignored */
		}
		p += len;
		n -= len;
	}
	return 0;
}

/* The extended data (pax or GNU long name) is complete. */
static int ext_done(struct tar_reader *r)
{
	char *s;

	switch (r->ext_type) {
	case 'x':
		return pax_parse(r, r->ext, r->ext_len);
	case 'L':
	case 'K':
		/* a NUL-terminated name (trailing NULs allowed) */
		s = str((const uint8_t *)r->ext, 0, r->ext_len);
		if (!*s) {
			free(s);
			return bad(r, "empty GNU long name");
		}
		if (r->ext_type == 'L') {
			free(r->next_name);
			r->next_name = s;
		} else {
			free(r->next_link);
			r->next_link = s;
		}
		return 0;
	}
	return 0; /* 'g': global pax records are ignored */
}

static uint64_t padding(uint64_t size)
{
	return (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
}

/* A complete header block. Returns 0, 1 (end), a sink's value or -1. */
static int header(struct tar_reader *r, const struct tar_sink *s, void *arg)
{
	const uint8_t *h = r->hdr;
	uint64_t mode, uid, gid, size, mtime, maj, min;
	char type = (char)h[F_TYPE];
	int ustar = !memcmp(h + F_MAGIC, "ustar\0", 6);
	int gnu = !memcmp(h + F_MAGIC, "ustar  \0", 8);

	if (all_zero(h)) {
		r->state = S_END;
		r->ended = 1;
		return 1;
	}
	if (!checksum_ok(h))
		return bad(r, "header checksum mismatch");
	if (num(h, F_MODE, &mode) < 0 || num(h, F_UID, &uid) < 0 || num(h, F_GID, &gid) < 0 ||
	    num(h, F_SIZE, &size) < 0 || num(h, F_MTIME, &mtime) < 0)
		return bad(r, "malformed numeric field");
	if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
		size_t max = type == 'L' || type == 'K' ? TAR_NAME_MAX : TAR_PAX_MAX;

		if (size > max)
			return bad(r, "extended header is too large");
		r->ext_type = type;
		r->ext = xrealloc(r->ext, size ? size : 1);
		r->ext_len = (size_t)size;
		r->have = 0;
		r->left = size;
		r->has_size = 0;
		r->state = S_EXT;
		if (!size)
			return ext_done(r) < 0 ? -1 : (r->state = S_HDR, 0);
		return 0;
	}
	if (type != '\0' && !strchr("01234567", type))
		return bad(r, "unsupported entry type (only files, directories, links, devices and fifos)");
	if (r->has_size)
		size = r->size;
	if (type == '\0' || type == '7')
		type = '0';
	if ((ustar || gnu) && (num(h, F_DEVMAJOR, &maj) < 0 || num(h, F_DEVMINOR, &min) < 0))
		return bad(r, "malformed device number");
	if (!ustar && !gnu)
		maj = min = 0;
	if (uid > UINT32_MAX || gid > UINT32_MAX || maj > UINT32_MAX || min > UINT32_MAX)
		return bad(r, "numeric field out of range");

	clear_cur(r);
	if (r->next_name) {
		r->cur.name = r->next_name;
		r->next_name = NULL;
	} else if (ustar && h[345]) {
		char *prefix = str(h, F_PREFIX), *name = str(h, F_NAME);

		r->cur.name = xasprintf("%s/%s", prefix, name);
		free(prefix);
		free(name);
	} else {
		r->cur.name = str(h, F_NAME);
	}
	if (r->next_link) {
		r->cur.link = r->next_link;
		r->next_link = NULL;
	} else {
		r->cur.link = str(h, F_LINK);
	}
	r->cur.type = type;
	r->cur.mode = (uint32_t)(mode & 07777);
	r->cur.uid = r->has_uid ? r->uid : (uint32_t)uid;
	r->cur.gid = r->has_gid ? r->gid : (uint32_t)gid;
	r->cur.mtime = r->has_mtime ? r->mtime : (int64_t)(mtime > INT64_MAX ? INT64_MAX : mtime);
	r->cur.devmajor = (uint32_t)maj;
	r->cur.devminor = (uint32_t)min;
	r->cur.size = type == '0' ? size : 0;
	clear_overrides(r);
	if (!*r->cur.name)
		return bad(r, "entry without a name");
	if ((type == '1' || type == '2') && !*r->cur.link)
		return bad(r, "link without a target");

	/* files' data goes to the sink; other types may carry data nobody
	 * asked for: it is skipped, with its padding */
	r->left = type == '0' ? size : size + padding(size);
	r->state = !r->left ? S_HDR : type == '0' ? S_DATA : S_SKIP;
	return s->entry(arg, &r->cur);
}

int tar_reader_feed(struct tar_reader *r, const uint8_t *p, size_t n, const struct tar_sink *s, void *arg)
{
	while (n) {
		size_t take;
		int rc;

		switch (r->state) {
		case S_END:
			return 1;
		case S_HDR:
			take = TAR_BLOCK - r->have;
			if (take > n)
				take = n;
			memcpy(r->hdr + r->have, p, take);
			r->have += take;
			p += take;
			n -= take;
			if (r->have < TAR_BLOCK)
				return 0;
			r->have = 0;
			rc = header(r, s, arg);
			if (rc)
				return rc;
			break;
		case S_DATA:
			take = r->left < n ? (size_t)r->left : n;
			rc = s->data(arg, p, take);
			if (rc)
				return rc;
			r->left -= take;
			p += take;
			n -= take;
			if (!r->left) {
				r->left = padding(r->cur.size);
				r->state = r->left ? S_PAD : S_HDR;
			}
			break;
		case S_PAD:
		case S_SKIP:
			take = r->left < n ? (size_t)r->left : n;
			r->left -= take;
			p += take;
			n -= take;
			if (!r->left)
				r->state = S_HDR;
			break;
		case S_EXT:
			if (r->have < r->ext_len) {
				take = r->ext_len - r->have;
				if (take > n)
					take = n;
				memcpy(r->ext + r->have, p, take);
				r->have += take;
				p += take;
				n -= take;
				if (r->have < r->ext_len)
					return 0;
				if (ext_done(r) < 0)
					return -1;
			}
			r->have = 0;
			r->left = padding(r->ext_len);
			r->state = r->left ? S_PAD : S_HDR;
			break;
		}
	}
	return r->state == S_END ? 1 : 0;
}

int tar_reader_at_boundary(const struct tar_reader *r)
{
	return r->state == S_END || (r->state == S_HDR && !r->have);
}

int tar_clean_name(const char *name, char *out)
{
	const char *p = name;
	size_t o = 0;

	if (*p == '/')
		return -1;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (len && !(len == 1 && p[0] == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	return 0;
}

/* ---- writer ---- */

static void put_octal(uint8_t *h, size_t off, size_t len, uint64_t v)
{
	/* len - 1 digits and a NUL */
	char buf[24];

	snprintf(buf, sizeof(buf), "%0*llo", (int)(len - 1), (unsigned long long)v);
	memcpy(h + off, buf, len - 1);
	h[off + len - 1] = '\0';
}

static int fits_octal(uint64_t v, size_t len)
{
	return (len - 1) * 3 >= 64 || v < (1ull << ((len - 1) * 3));
}

static void finish(uint8_t *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	put_octal(h, F_CHKSUM - 1, sum); /* 7 digits + NUL */
}

/* One pax record into buf at *n (the length prefix counts itself). */
static void pax_add(char *buf, size_t *n, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3; /* ' ', '=', '\n' */
	size_t len = body + 1;

	/* the length counts its own digits */
	while ((size_t)snprintf(NULL, 0, "%zu", len) + body != len)
		len = body + (size_t)snprintf(NULL, 0, "%zu", len);
	*n += (size_t)sprintf(buf + *n, "%zu %s=%s\n", len, key, val);
}

static void ustar(uint8_t *h, const char *name, char type, const struct stat *st, uint64_t size,
		  const char *link)
{
	memset(h, 0, TAR_BLOCK);
	memcpy(h, name, strnlen(name, 100));
	put_octal(h, F_MODE, (uint64_t)(st->st_mode & 07777));
	put_octal(h, F_UID, fits_octal(st->st_uid, 8) ? st->st_uid : 0);
	put_octal(h, F_GID, fits_octal(st->st_gid, 8) ? st->st_gid : 0);
	put_octal(h, F_SIZE, fits_octal(size, 12) ? size : 0);
	put_octal(h, F_MTIME, st->st_mtime > 0 && fits_octal((uint64_t)st->st_mtime, 12) ? (uint64_t)st->st_mtime : 0);
	h[F_TYPE] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strnlen(link, 100));
	memcpy(h + F_MAGIC, "ustar\0" "00", 8);
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		put_octal(h, F_DEVMAJOR, major(st->st_rdev));
		put_octal(h, F_DEVMINOR, minor(st->st_rdev));
	}
	finish(h);
}

size_t tar_header(const char *name, const struct stat *st, const char *link, uint8_t *out)
{
	char type = S_ISDIR(st->st_mode) ? '5' : S_ISLNK(st->st_mode) ? '2' : S_ISCHR(st->st_mode) ? '3'
		  : S_ISBLK(st->st_mode) ? '4' : S_ISFIFO(st->st_mode) ? '6' : '0';
	uint64_t size = type == '0' ? (uint64_t)st->st_size : 0;
	char *pax = xmalloc(2 * TAR_NAME_MAX + 256), num[24];
	size_t plen = 0, n = 0;

	if (strlen(name) > 100)
		pax_add(pax, &plen, "path", name);
	if (link && strlen(link) > 100)
		pax_add(pax, &plen, "linkpath", link);
	if (!fits_octal(size, 12)) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		pax_add(pax, &plen, "size", num);
	}
	if (!fits_octal(st->st_uid, 8)) {
		snprintf(num, sizeof(num), "%u", (unsigned)st->st_uid);
		pax_add(pax, &plen, "uid", num);
	}
	if (!fits_octal(st->st_gid, 8)) {
		snprintf(num, sizeof(num), "%u", (unsigned)st->st_gid);
		pax_add(pax, &plen, "gid", num);
	}
	if (plen) {
		struct stat ps = { .st_mode = S_IFREG | 0644, .st_mtime = st->st_mtime };

		ustar(out, "././@PaxHeader", 'x', &ps, plen, NULL);
		memset(out + TAR_BLOCK, 0, plen + padding(plen));
		memcpy(out + TAR_BLOCK, pax, plen);
		n = TAR_BLOCK + plen + padding(plen);
	}
	free(pax);
	ustar(out + n, name, type, st, size, link);
	return n + TAR_BLOCK;
}
