/* Registry parsers and helpers (lib/registry): challenges, tokens, platforms, base64, login domains,
 * signature requirements. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "image/manifest.h"
#include "registry/auth.h"
#include "registry/creds.h"
#include "registry/diffid.h"
#include "registry/login.h"
#include "registry/platform.h"
#include "registry/sig.h"
#include "unit.h"
#include "util/fs.h"

TEST(challenge_bearer)
{
	struct reg_challenge c;
	struct err e = ERR_INIT;
	CHECK(reg_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
				  "scope=\"repository:library/alpine:pull\"",
				  &c, &e) == 0);
	CHECK(c.scheme == REG_AUTH_BEARER);
	CHECK_STR(c.realm, "https://auth.docker.io/token");
	CHECK_STR(c.service, "registry.docker.io");
	CHECK_STR(c.scope, "repository:library/alpine:pull");
	reg_challenge_release(&c);
}

TEST(challenge_several_and_quoting)
{
	struct reg_challenge c;
	struct err e = ERR_INIT;
	/* Basic first, Bearer preferred; escaped quotes; token values; spaces */
	CHECK(reg_challenge_parse("Basic realm=\"a \\\"b\\\"\" ,  bearer realm=\"http://h:1/t\" , service=svc, error=x",
				  &c, &e) == 0);
	CHECK(c.scheme == REG_AUTH_BEARER);
	CHECK_STR(c.realm, "http://h:1/t");
	CHECK_STR(c.service, "svc");
	CHECK_STR(c.error, "x");
	CHECK(c.scope == NULL);
	reg_challenge_release(&c);
	CHECK(reg_challenge_parse("Basic realm=\"Registry Realm\"", &c, &e) == 0);
	CHECK(c.scheme == REG_AUTH_BASIC);
	CHECK_STR(c.realm, "Registry Realm");
	reg_challenge_release(&c);
	CHECK(reg_challenge_parse("Negotiate abc==, Basic realm=x", &c, &e) == 0);
	CHECK(c.scheme == REG_AUTH_BASIC);
	reg_challenge_release(&c);
}

TEST(challenge_bad)
{
	struct reg_challenge c;
	struct err e = ERR_INIT;
	CHECK(reg_challenge_parse("", &c, &e) < 0);
	CHECK(reg_challenge_parse("Bearer service=x", &c, &e) < 0); /* no realm */
	CHECK(reg_challenge_parse("Bearer realm=\"file:///etc/passwd\"", &c, &e) < 0);
	CHECK(reg_challenge_parse("Bearer realm=\"https://x", &c, &e) < 0); /* unterminated */
	CHECK(reg_challenge_parse("Digest realm=x", &c, &e) < 0);
	CHECK(reg_challenge_parse("Bearer realm=\"https://x\" junk junk", &c, &e) < 0);
	CHECK(c.realm == NULL);
}

TEST(token)
{
	char *t;
	long exp;
	struct err e = ERR_INIT;
	CHECK(reg_token_parse("{\"token\":\"abc.def\",\"expires_in\":300}", 36, &t, &exp, &e) == 0);
	CHECK_STR(t, "abc.def");
	CHECK(exp == 300);
	free(t);
	CHECK(reg_token_parse("{\"access_token\":\"x\"}", 20, &t, &exp, &e) == 0);
	CHECK_STR(t, "x");
	CHECK(exp == 60);
	free(t);
	CHECK(reg_token_parse("{\"token\":\"a b\"}", 15, &t, &exp, &e) < 0);
	CHECK(reg_token_parse("{\"token\":\"a\\r\\nX-Evil: 1\"}", 26, &t, &exp, &e) < 0);
	CHECK(reg_token_parse("[]", 2, &t, &exp, &e) < 0);
	CHECK(reg_token_parse("{\"token\":\"\"}", 12, &t, &exp, &e) < 0);
}

TEST(platforms)
{
	struct reg_platform p;
	struct err e = ERR_INIT;
	struct image_index x;
	const char *idx = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
			  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":1,\"digest\":\"sha256:"
			  "1111111111111111111111111111111111111111111111111111111111111111\",\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"arm\",\"variant\":\"v6\"}},"
			  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":1,\"digest\":\"sha256:"
			  "2222222222222222222222222222222222222222222222222222222222222222\",\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"arm\",\"variant\":\"v7\"}},"
			  "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":1,\"digest\":\"sha256:"
			  "3333333333333333333333333333333333333333333333333333333333333333\",\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"amd64\"}}]}";
	CHECK(reg_platform_parse("linux/arm/v7", &p, &e) == 0);
	CHECK_STR(p.variant, "v7");
	CHECK(reg_platform_parse("linux", &p, &e) < 0);
	CHECK(reg_platform_parse("linux/", &p, &e) < 0);
	CHECK(reg_platform_parse("Linux/amd64", &p, &e) < 0);
	CHECK(image_index_parse(idx, strlen(idx), &x, &e) == 0);
	CHECK(reg_doc_kind(idx, strlen(idx), NULL) == REG_DOC_INDEX);
	CHECK(reg_platform_parse("linux/arm/v7", &p, &e) == 0 && reg_platform_pick(&x, &p, &e) == 1);
	CHECK(reg_platform_parse("linux/arm", &p, &e) == 0 && reg_platform_pick(&x, &p, &e) == 0);
	CHECK(reg_platform_parse("linux/amd64", &p, &e) == 0 && reg_platform_pick(&x, &p, &e) == 2);
	CHECK(reg_platform_parse("linux/s390x", &p, &e) == 0 && reg_platform_pick(&x, &p, &e) < 0);
	CHECK_STR(e.msg, "no matching manifest for linux/s390x in the manifest list entries");
	image_index_release(&x);
	CHECK(reg_doc_kind("{\"layers\":[]}", 13, NULL) == REG_DOC_MANIFEST);
	CHECK(reg_doc_kind("{}", 2, "application/vnd.docker.distribution.manifest.list.v2+json") == REG_DOC_INDEX);
	CHECK(reg_doc_kind("nope", 4, NULL) == REG_DOC_UNKNOWN);
}

TEST(b64_and_domains)
{
	char *s = reg_b64_encode("alice:s3cret"), *d;
	CHECK_STR(s, "YWxpY2U6czNjcmV0");
	d = reg_b64_decode(s);
	CHECK_STR(d, "alice:s3cret");
	free(s);
	free(d);
	CHECK(reg_b64_decode("abc") == NULL);
	CHECK(reg_b64_decode("AA==") == NULL); /* a NUL byte */
	s = reg_login_domain(NULL);
	CHECK_STR(s, "docker.io");
	free(s);
	s = reg_login_domain("https://index.docker.io/v1/");
	CHECK_STR(s, "docker.io");
	free(s);
	s = reg_login_domain("https://localhost:5000/v2/");
	CHECK_STR(s, "localhost:5000");
	free(s);
	s = reg_creds_key("docker.io");
	CHECK_STR(s, "https://index.docker.io/v1/");
	free(s);
}

/* Feed buf in chunks of `step` bytes; the diff_id must be the digest of raw. */
static int streamed_ok(const unsigned char *buf, size_t n, size_t step, const unsigned char *raw, size_t rawn)
{
	struct reg_diffid d;
	char got[DIGEST_LEN + 1], want[DIGEST_LEN + 1];
	int64_t usize;
	reg_diffid_init(&d);
	for (size_t off = 0; off < n; off += step)
		reg_diffid_update(&d, buf + off, n - off < step ? n - off : step);
	if (!reg_diffid_final(&d, got, &usize))
		return 0;
	digest_buf(raw, rawn, want);
	return !strcmp(got, want) && usize == (int64_t)rawn;
}

static size_t gz(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z = {0};
	size_t m;
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	m = cap - z.avail_out;
	deflateEnd(&z);
	return m;
}

TEST(diffid_streams)
{
	size_t n = 300000, m1, m2, zn;
	unsigned char *raw = malloc(n), *c = malloc(2 * n + 1024);
	for (size_t i = 0; i < n; i++)
		raw[i] = (unsigned char)((i * 2654435761u) >> 13);
	/* plain, any chunking */
	CHECK(streamed_ok(raw, n, 1, raw, n));
	CHECK(streamed_ok(raw, n, 4096, raw, n));
	/* gzip, two members (as some tools write) */
	m1 = gz(raw, n / 3, c, 2 * n);
	m2 = gz(raw + n / 3, n - n / 3, c + m1, 2 * n + 1024 - m1);
	CHECK(streamed_ok(c, m1 + m2, 3, raw, n));
	CHECK(streamed_ok(c, m1 + m2, 65536, raw, n));
	/* a truncated gzip stream is no diff_id */
	{
		struct reg_diffid d;
		char got[DIGEST_LEN + 1];
		int64_t u;
		reg_diffid_init(&d);
		reg_diffid_update(&d, c, m1 / 2);
		CHECK(!reg_diffid_final(&d, got, &u));
	}
	/* zstd */
	zn = ZSTD_compress(c, 2 * n + 1024, raw, n, 3);
	CHECK(!ZSTD_isError(zn));
	CHECK(streamed_ok(c, zn, 7, raw, n));
	CHECK(streamed_ok(c, zn, 100000, raw, n));
	free(raw);
	free(c);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Which trust a pull needs: flags over the policy, default locations. */
TEST(sig_requirements)
{
	char dir[] = "/tmp/a3s-unit-sig-XXXXXX";
	struct reg_sig_req q;
	struct err e = ERR_INIT, ig = ERR_INIT;
	char *path, *sub;
	CHECK(mkdtemp(dir));
	setenv("A3S_BOX_CONFIG", dir, 1);
	unsetenv(REG_SIG_POLICY_ENV);
	/* no policy file: nothing required */
	CHECK(reg_sig_req_get(NULL, "docker.io/library/x", &q, &e) == 0 && !q.trust);
	reg_sig_req_release(&q);
	/* the default policy file */
	path = xasprintf("%s/signature-policy.json", dir);
	write_text(path, "{\"scopes\": {\"r.example/acme\": {\"require\": \"key\", \"key\": \"k.pub\"}}}");
	CHECK(reg_sig_req_get(NULL, "r.example/acme/app", &q, &e) == 0 && q.trust);
	sub = xasprintf("%s/k.pub", dir);
	CHECK_STR(q.trust->pubkey_path, sub);
	free(sub);
	CHECK(strstr(q.source, "scope 'r.example/acme'"));
	reg_sig_req_release(&q);
	CHECK(reg_sig_req_get(NULL, "r.example/acmex/app", &q, &e) == 0 && !q.trust);
	reg_sig_req_release(&q);
	/* --verify-key overrides it */
	{
		struct reg_verify v = {.key = "/x/cosign.pub"};
		CHECK(reg_sig_req_get(&v, "r.example/acme/app", &q, &e) == 0 && q.trust);
		CHECK_STR(q.trust->pubkey_path, "/x/cosign.pub");
		CHECK_STR(q.source, "--verify-key /x/cosign.pub");
		reg_sig_req_release(&q);
	}
	/* a broken policy is an error, a named missing one too */
	write_text(path, "{\"scopes\": {\"r.example\": {\"require\": \"key\"}}}");
	CHECK(reg_sig_req_get(NULL, "r.example/a", &q, &e) < 0);
	CHECK(strstr(e.msg, "signature policy"));
	{
		struct reg_verify v = {.policy = "/nonexistent/p.json"};
		CHECK(reg_sig_req_get(&v, "r.example/a", &q, &e) < 0);
		CHECK(strstr(e.msg, "/nonexistent/p.json"));
	}
	unlink(path);
	/* keyless: flags needed in pairs; trust files from flags or the config dir */
	{
		struct reg_verify v = {.identity = "a@b"};
		CHECK(reg_verify_check(&v, &e) < 0 && e.kind == ERR_USAGE);
		CHECK(strstr(e.msg, "--certificate-oidc-issuer"));
		v.issuer = "https://i";
		CHECK(reg_sig_req_get(&v, "r.example/a", &q, &e) < 0);
		CHECK(strstr(e.msg, "--fulcio-root FILE"));
		sub = xasprintf("%s/sigstore", dir);
		CHECK(mkdir(sub, 0700) == 0);
		free(sub);
		sub = xasprintf("%s/sigstore/fulcio.pem", dir);
		write_text(sub, "x");
		free(sub);
		CHECK(reg_sig_req_get(&v, "r.example/a", &q, &e) < 0);
		CHECK(strstr(e.msg, "--rekor-key FILE"));
		v.rekor_key = "/r.pub";
		CHECK(reg_sig_req_get(&v, "r.example/a", &q, &e) == 0 && q.trust);
		CHECK_STR(q.trust->rekor_pubkey_path, "/r.pub");
		CHECK(strstr(q.trust->fulcio_roots_path, "/sigstore/fulcio.pem"));
		CHECK_STR(q.trust->identity, "a@b");
		reg_sig_req_release(&q);
		v.key = "k.pub";
		CHECK(reg_verify_check(&v, &e) < 0 && strstr(e.msg, "cannot be combined"));
	}
	{
		struct reg_verify v = {.rekor_key = "/r.pub"};
		CHECK(reg_verify_check(&v, &e) < 0);
	}
	free(path);
	CHECK(fs_rmtree(dir, &ig) == 0);
	unsetenv("A3S_BOX_CONFIG");
}

int main(void)
{
	RUN(sig_requirements);
	RUN(diffid_streams);
	RUN(challenge_bearer);
	RUN(challenge_several_and_quoting);
	RUN(challenge_bad);
	RUN(token);
	RUN(platforms);
	RUN(b64_and_domains);
	return unit_done();
}
