#include "image/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort();
	h->ctx = c;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		abort();
}

void sha256_final(struct sha256 *h, char out[DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		abort();
	memcpy(out, DIGEST_PREFIX, 7);
	for (unsigned i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGEST_LEN] = '\0';
	sha256_abort(h);
}

void sha256_abort(struct sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void digest_buf(const void *data, size_t len, char out[DIGEST_LEN + 1])
{
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, data, len);
	sha256_final(&h, out);
}

int digest_file(const char *path, char out[DIGEST_LEN + 1], int64_t *size, struct err *e)
{
	struct sha256 h;
	static __thread unsigned char buf[1 << 16];
	int64_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "reading '%s'", path);
	sha256_init(&h);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0) {
			int en = errno;
			if (en == EINTR)
				continue;
			sha256_abort(&h);
			close(fd);
			return err_sys(e, en, "reading '%s'", path);
		}
		if (r == 0)
			break;
		sha256_update(&h, buf, (size_t)r);
		total += r;
	}
	close(fd);
	sha256_final(&h, out);
	if (size)
		*size = total;
	return 0;
}

int digest_verify_file(const char *path, const char *what, const char *expected, int64_t expected_size,
		       struct err *e)
{
	char got[DIGEST_LEN + 1];
	int64_t size;
	if (digest_file(path, got, &size, e) < 0)
		return -1;
	if (expected_size >= 0 && size != expected_size)
		return err_set(e, "size mismatch for '%s': expected %lld bytes, got %lld", what,
			       (long long)expected_size, (long long)size);
	if (strcmp(got, expected))
		return err_set(e, "digest mismatch for '%s': expected %s, got %s", what, expected, got);
	return 0;
}

bool digest_hex_valid(const char *hex)
{
	size_t i;
	for (i = 0; hex[i]; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return i == DIGEST_HEX_LEN;
}

bool digest_valid(const char *d)
{
	return d && !strncmp(d, DIGEST_PREFIX, 7) && digest_hex_valid(d + 7);
}

const char *digest_hex(const char *d)
{
	return d + 7;
}
