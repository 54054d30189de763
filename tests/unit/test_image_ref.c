/* Docker reference parsing and normalisation (lib/image/ref.c). */
#include <stdlib.h>

#include "image/ref.h"
#include "unit.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *norm(const char *s)
{
	struct image_ref r;
	struct err e;
	char *out;
	if (image_ref_parse_tagged(s, &r, &e) < 0)
		return NULL;
	out = image_ref_string(&r);
	image_ref_release(&r);
	return out;
}

static char *familiar(const char *s)
{
	struct image_ref r;
	struct err e;
	char *out;
	if (image_ref_parse(s, &r, &e) < 0)
		return NULL;
	out = image_ref_familiar_name(&r);
	image_ref_release(&r);
	return out;
}

#define CHECK_NORM(in, want)                 \
	do {                                 \
		char *got_ = norm(in);       \
		int ok_ = got_ && !strcmp(got_, want); \
		if (!ok_)                    \
			fprintf(stderr, "  norm(%s) = %s, want %s\n", in, got_ ? got_ : "(error)", want); \
		free(got_);                  \
		CHECK(ok_);                  \
	} while (0)

#define CHECK_FAMILIAR(in, want)             \
	do {                                 \
		char *got_ = familiar(in);   \
		int ok_ = got_ && !strcmp(got_, want); \
		if (!ok_)                    \
			fprintf(stderr, "  familiar(%s) = %s, want %s\n", in, got_ ? got_ : "(error)", want); \
		free(got_);                  \
		CHECK(ok_);                  \
	} while (0)

#define CHECK_BAD(in, msgpart)                                                 \
	do {                                                                   \
		struct image_ref r_;                                           \
		struct err e_ = ERR_INIT;                                      \
		int rc_ = image_ref_parse(in, &r_, &e_);                      \
		if (rc_ == 0)                                                  \
			image_ref_release(&r_);                                \
		if (rc_ == 0 || !strstr(e_.msg, msgpart))                      \
			fprintf(stderr, "  parse(%s): rc %d msg '%s'\n", in, rc_, e_.msg); \
		CHECK(rc_ < 0 && strstr(e_.msg, msgpart) && e_.kind == ERR_USAGE); \
	} while (0)

TEST(normalises_docker_hub_names)
{
	CHECK_NORM("busybox", "docker.io/library/busybox:latest");
	CHECK_NORM("busybox:1.36", "docker.io/library/busybox:1.36");
	CHECK_NORM("library/busybox", "docker.io/library/busybox:latest");
	CHECK_NORM("docker.io/busybox", "docker.io/library/busybox:latest");
	CHECK_NORM("index.docker.io/busybox", "docker.io/library/busybox:latest");
	CHECK_NORM("a3s-box/busybox", "docker.io/a3s-box/busybox:latest");
	CHECK_NORM("a/b/c:t", "docker.io/a/b/c:t");
}

TEST(keeps_other_registries)
{
	CHECK_NORM("localhost:5000/a/b:t", "localhost:5000/a/b:t");
	CHECK_NORM("localhost/x", "localhost/x:latest");
	CHECK_NORM("quay.io/coreos/etcd", "quay.io/coreos/etcd:latest");
	CHECK_NORM("my-reg.example.com:443/x_y__z.w-v--u:v1.2_3", "my-reg.example.com:443/x_y__z.w-v--u:v1.2_3");
	CHECK_NORM("[::1]:5000/x", "[::1]:5000/x:latest");
	/* no slash: "localhost:5000" is the repository "localhost" with tag 5000 */
	CHECK_NORM("localhost:5000", "docker.io/library/localhost:5000");
}

TEST(digests)
{
	CHECK_NORM("busybox@sha256:" HEX64, "docker.io/library/busybox@sha256:" HEX64);
	CHECK_NORM("busybox:1@sha256:" HEX64, "docker.io/library/busybox:1@sha256:" HEX64);
	CHECK_BAD("busybox@sha256:abc", "bad digest");
	CHECK_BAD("busybox@sha256:" HEX64 "0", "bad digest");
	CHECK_BAD("busybox@md5:" HEX64, "bad digest");
	CHECK_BAD("busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "bad digest");
}

TEST(familiar_names)
{
	CHECK_FAMILIAR("busybox", "busybox");
	CHECK_FAMILIAR("docker.io/library/busybox:1", "busybox");
	CHECK_FAMILIAR("a3s-box/busybox", "a3s-box/busybox");
	CHECK_FAMILIAR("docker.io/library/a/b", "library/a/b");
	CHECK_FAMILIAR("localhost:5000/x", "localhost:5000/x");
	{
		char *f = image_ref_familiarize("docker.io/library/busybox:latest");
		CHECK_STR(f, "busybox:latest");
		free(f);
		f = image_ref_familiarize("localhost:5000/a/b:t");
		CHECK_STR(f, "localhost:5000/a/b:t");
		free(f);
	}
}

TEST(rejects_invalid)
{
	char tag[200];
	CHECK_BAD("", "empty");
	CHECK_BAD("Busybox", "must be lowercase");
	CHECK_BAD("library/BusyBox:1", "must be lowercase");
	CHECK_BAD("busybox:bad/tag", "invalid reference format");
	CHECK_BAD("busybox:-x", "invalid tag");
	CHECK_BAD("busybox:.x", "invalid tag");
	CHECK_BAD("busybox:", "invalid tag");
	CHECK_BAD("bu sy", "invalid reference format");
	CHECK_BAD("busybox_", "invalid reference format");
	CHECK_BAD("-busybox", "invalid reference format");
	CHECK_BAD("a//b", "invalid reference format");
	CHECK_BAD("a/", "invalid reference format");
	CHECK_BAD("a:5000:x/y", "invalid reference format");
	CHECK_BAD("a___b", "invalid reference format");
	CHECK_BAD(HEX64, "64-byte hexadecimal");
	memset(tag, 'a', sizeof(tag));
	memcpy(tag, "x:", 2);
	tag[2 + 129] = '\0';
	CHECK_BAD(tag, "invalid tag");
	tag[2 + 128] = '\0';
	{
		char *n = norm(tag);
		CHECK(n != NULL);
		free(n);
	}
}

TEST(name_length_limit)
{
	char name[300];
	/* counted on the normalised "docker.io/library/..." (18 more characters) */
	memset(name, 'a', sizeof(name));
	name[255 - 18 + 1] = '\0';
	CHECK_BAD(name, "255");
	name[255 - 18] = '\0';
	{
		char *n = norm(name);
		CHECK(n != NULL);
		free(n);
	}
}

int main(void)
{
	RUN(normalises_docker_hub_names);
	RUN(keeps_other_registries);
	RUN(digests);
	RUN(familiar_names);
	RUN(rejects_invalid);
	RUN(name_length_limit);
	return unit_done();
}
