/* Streaming diff_id: zlib or zstd into sha256. */
#include "registry/diffid.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "util/xalloc.h"

#define OUT_CHUNK (1 << 16)

void reg_diffid_init(struct reg_diffid *d)
{
	memset(d, 0, sizeof(*d));
	sha256_init(&d->h);
	d->hashing = true;
}

void reg_diffid_release(struct reg_diffid *d)
{
	if (d->kind == 2 && d->z) {
		inflateEnd(d->z);
		free(d->z);
	} else if (d->kind == 3 && d->z) {
		ZSTD_freeDStream(d->z);
	}
	d->z = NULL;
	if (d->hashing)
		sha256_abort(&d->h);
	d->hashing = false;
}

static void start(struct reg_diffid *d)
{
	const unsigned char *b = d->head;
	if (d->nhead >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		z_stream *z = xcalloc(1, sizeof(*z));
		d->kind = 2;
		if (inflateInit2(z, 15 + 16) != Z_OK) {
			free(z);
			d->broken = true;
			return;
		}
		d->z = z;
	} else if (d->nhead >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
		d->kind = 3;
		d->z = ZSTD_createDStream();
		if (!d->z || ZSTD_isError(ZSTD_initDStream(d->z)))
			d->broken = true;
	} else {
		d->kind = 1;
	}
}

static void out(struct reg_diffid *d, const void *p, size_t n)
{
	sha256_update(&d->h, p, n);
	d->usize += (int64_t)n;
}

/* One inflate into ob, hashed; returns the room left in ob (non-zero:
 * inflate has nothing more buffered for now). */
static unsigned inflate_step(struct reg_diffid *d, z_stream *z, unsigned char *ob, size_t cap)
{
	int rc;
	z->next_out = ob;
	z->avail_out = (uInt)cap;
	rc = inflate(z, Z_NO_FLUSH);
	out(d, ob, cap - z->avail_out);
	if (rc == Z_STREAM_END)
		d->ended = true;
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		d->broken = true;
	return z->avail_out;
}

static void feed(struct reg_diffid *d, const unsigned char *buf, size_t n)
{
	static __thread unsigned char ob[OUT_CHUNK];
	if (d->kind == 1) {
		out(d, buf, n);
	} else if (d->kind == 2) {
		z_stream *z = d->z;
		z->next_in = (unsigned char *)buf;
		z->avail_in = (uInt)n;
		while (z->avail_in && !d->broken) {
			if (d->ended) {
				/* another gzip member follows */
				if (inflateReset(z) != Z_OK) {
					d->broken = true;
					break;
				}
				d->ended = false;
			}
			inflate_step(d, z, ob, sizeof(ob));
		}
		/* flush what inflate still holds */
		while (!d->broken && !d->ended && !inflate_step(d, z, ob, sizeof(ob)))
			;
	} else if (d->kind == 3) {
		ZSTD_inBuffer in = {buf, n, 0};
		for (;;) {
			ZSTD_outBuffer o = {ob, sizeof(ob), 0};
			size_t rc = ZSTD_decompressStream(d->z, &o, &in);
			if (ZSTD_isError(rc)) {
				d->broken = true;
				break;
			}
			out(d, ob, o.pos);
			d->ended = rc == 0;
			if (in.pos == in.size && o.pos < o.size)
				break;
		}
	}
}

void reg_diffid_update(struct reg_diffid *d, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	if (d->broken || !n)
		return;
	if (!d->kind) {
		size_t k = n < 4 - d->nhead ? n : 4 - d->nhead;
		memcpy(d->head + d->nhead, p, k);
		d->nhead += k;
		p += k;
		n -= k;
		if (d->nhead < 4)
			return;
		start(d);
		if (d->broken)
			return;
		feed(d, d->head, d->nhead);
	}
	if (n && !d->broken)
		feed(d, p, n);
}

bool reg_diffid_final(struct reg_diffid *d, char out_digest[DIGEST_LEN + 1], int64_t *usize)
{
	bool ok;
	if (!d->kind && !d->broken && d->nhead) {
		start(d);
		if (!d->broken)
			feed(d, d->head, d->nhead);
	}
	ok = !d->broken && d->kind && (d->kind == 1 || d->ended);
	if (d->kind == 2 && ok && ((z_stream *)d->z)->avail_in)
		ok = false;
	if (ok) {
		sha256_final(&d->h, out_digest);
		d->hashing = false;
		*usize = d->usize;
	}
	reg_diffid_release(d);
	return ok;
}
