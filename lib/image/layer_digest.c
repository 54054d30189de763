/* Digest and diff_id of a layer blob in one read: libarchive decompresses
 * (the "raw" format passes the tar through) while the read callback hashes
 * the compressed bytes. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "image/layer.h"

struct reader {
	int fd;
	struct sha256 h;
	int64_t n;
	int err;
	unsigned char buf[1 << 16];
};

static la_ssize_t read_cb(struct archive *a, void *data, const void **out)
{
	struct reader *rd = data;
	ssize_t r;
	do
		r = read(rd->fd, rd->buf, sizeof(rd->buf));
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		rd->err = errno;
		if (a)
			archive_set_error(a, errno, "read error");
		return -1;
	}
	sha256_update(&rd->h, rd->buf, (size_t)r);
	rd->n += r;
	*out = rd->buf;
	return r;
}

static int drain(struct reader *rd)
{
	const void *p;
	la_ssize_t r;
	while ((r = read_cb(NULL, rd, &p)) > 0)
		;
	return r < 0 ? -1 : 0;
}

int layer_digests(const char *blob, char digest[DIGEST_LEN + 1], char diff_id[DIGEST_LEN + 1], int64_t *size,
		  int64_t *usize, struct err *e)
{
	static __thread struct reader rd;
	struct archive *a = NULL;
	struct archive_entry *ent;
	struct sha256 uh;
	char d1[DIGEST_LEN + 1], d2[DIGEST_LEN + 1];
	int64_t un = 0;
	int rc;

	rd.fd = open(blob, O_RDONLY | O_CLOEXEC);
	if (rd.fd < 0)
		return err_sys(e, errno, "reading layer '%s'", blob);
	rd.n = 0;
	rd.err = 0;
	sha256_init(&rd.h);
	sha256_init(&uh);
	a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	if (archive_read_open(a, &rd, NULL, read_cb, NULL) != ARCHIVE_OK)
		goto bad;
	rc = archive_read_next_header(a, &ent);
	if (rc == ARCHIVE_OK) {
		const void *buf;
		size_t len;
		la_int64_t off;
		while ((rc = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
			sha256_update(&uh, buf, len);
			un += (int64_t)len;
		}
		if (rc != ARCHIVE_EOF)
			goto bad;
	} else if (rc != ARCHIVE_EOF) {
		goto bad;
	}
	/* trailing bytes after the compressed stream still count for the digest */
	if (drain(&rd) < 0)
		goto bad;
	archive_read_free(a);
	close(rd.fd);
	sha256_final(&rd.h, d1);
	sha256_final(&uh, d2);
	if (digest)
		memcpy(digest, d1, sizeof(d1));
	if (diff_id)
		memcpy(diff_id, d2, sizeof(d2));
	if (size)
		*size = rd.n;
	if (usize)
		*usize = un;
	return 0;
bad:
	if (rd.err)
		err_sys(e, rd.err, "reading layer '%s'", blob);
	else
		err_set(e, "layer is corrupt: %s", archive_error_string(a) ? archive_error_string(a) : "unreadable");
	archive_read_free(a);
	close(rd.fd);
	sha256_abort(&rd.h);
	sha256_abort(&uh);
	return -1;
}
