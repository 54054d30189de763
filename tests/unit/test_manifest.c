/* Parsing of index.json, manifests, manifest.json and image configs
 * (lib/image/manifest.c, config.c). */
#include <stdlib.h>

#include "image/manifest.h"
#include "unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static int index_of(const char *s, struct image_index *x, struct err *e)
{
	return image_index_parse(s, strlen(s), x, e);
}

#define EXPECT_ERR(call, part)                                                  \
	do {                                                                    \
		struct err e_ = ERR_INIT;                                       \
		int rc_ = (call);                                               \
		if (rc_ == 0 || !strstr(e_.msg, part))                          \
			fprintf(stderr, "  %s: rc %d msg '%s'\n", #call, rc_, e_.msg); \
		CHECK(rc_ < 0 && strstr(e_.msg, part));                         \
	} while (0)

TEST(index_ok)
{
	struct image_index x;
	struct err e = ERR_INIT;
	const char *s = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
			"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":10,"
			"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
			"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":20,"
			"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"},"
			"\"annotations\":{\"" ANNOT_REF_NAME "\":\"latest\",\"" ANNOT_CONTAINERD_NAME "\":\"docker.io/x/y:1\"}}]}";
	CHECK(index_of(s, &x, &e) == 0);
	CHECK(x.n == 2 && x.v[1].size == 20);
	CHECK_STR(x.v[1].ref_name, "latest");
	CHECK_STR(x.v[1].image_name, "docker.io/x/y:1");
	CHECK(image_index_pick(&x, "linux", "amd64", &e) == 1);
	CHECK(image_index_pick(&x, "linux", "s390x", &e) < 0);
	CHECK(strstr(e.msg, "linux/s390x") != NULL);
	image_index_release(&x);
}

TEST(index_errors)
{
	struct image_index x;
	EXPECT_ERR(index_of("", &x, &e_), "malformed JSON");
	EXPECT_ERR(index_of("{", &x, &e_), "malformed JSON");
	EXPECT_ERR(index_of("[]", &x, &e_), "not a JSON object");
	EXPECT_ERR(index_of("{\"schemaVersion\":1,\"manifests\":[]}", &x, &e_), "schemaVersion");
	EXPECT_ERR(index_of("{\"schemaVersion\":2}", &x, &e_), "'manifests' is not an array");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"mediaType\":\"x\",\"manifests\":[]}", &x, &e_),
		   "unexpected mediaType");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
			    "\",\"digest\":\"sha256:abc\",\"size\":1}]}", &x, &e_),
		   "not sha256:<64 hex>");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
			    "\",\"digest\":\"" D1 "\",\"size\":-1}]}", &x, &e_),
		   "no valid 'size'");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
			    "\",\"digest\":\"" D1 "\"}]}", &x, &e_),
		   "no valid 'size'");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D1
			    "\",\"size\":1}]}", &x, &e_),
		   "unsupported manifest media type");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":1}]}", &x, &e_),
		   "without 'mediaType'");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
			    "\",\"digest\":\"" D1 "\",\"size\":1,\"annotations\":[]}]}", &x, &e_),
		   "'annotations' is not an object");
	EXPECT_ERR(index_of("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
			    "\",\"digest\":\"" D1 "\",\"size\":1,\"annotations\":{\"" ANNOT_REF_NAME "\":5}}]}", &x, &e_),
		   "is not a string");
}

TEST(oversized_json)
{
	size_t n = IMAGE_JSON_MAX + 10;
	char *big = xmalloc(n);
	struct image_index x;
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	EXPECT_ERR(image_index_parse(big, n, &x, &e_), "larger than");
	free(big);
}

static int manifest_of(const char *s, struct image_manifest *m, struct err *e)
{
	return image_manifest_parse(s, strlen(s), m, e);
}

#define CFG_DESC "\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":5}"
#define LAYER(mt, d) "{\"mediaType\":\"" mt "\",\"digest\":\"" d "\",\"size\":7}"

TEST(manifest_ok)
{
	struct image_manifest m;
	struct err e = ERR_INIT;
	CHECK(manifest_of("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\"," CFG_DESC ",\"layers\":["
			  LAYER("application/vnd.oci.image.layer.v1.tar+gzip", D2) ","
			  LAYER("application/vnd.oci.image.layer.v1.tar+zstd", D3) ","
			  LAYER("application/vnd.docker.image.rootfs.diff.tar.gzip", D3) "]}",
			  &m, &e) == 0);
	CHECK(m.n_layers == 3);
	CHECK_STR(m.config.digest, D1);
	image_manifest_release(&m);
	/* mediaType is optional in OCI manifests; zero layers is allowed */
	CHECK(manifest_of("{\"schemaVersion\":2," CFG_DESC ",\"layers\":[]}", &m, &e) == 0);
	image_manifest_release(&m);
}

TEST(manifest_errors)
{
	struct image_manifest m;
	EXPECT_ERR(manifest_of("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\"," CFG_DESC ",\"layers\":[]}", &m,
			       &e_),
		   "unexpected mediaType");
	EXPECT_ERR(manifest_of("{\"schemaVersion\":2,\"layers\":[]}", &m, &e_), "descriptor is not an object");
	EXPECT_ERR(manifest_of("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\","
			       "\"digest\":\"" D1 "\",\"size\":5},\"layers\":[]}", &m, &e_),
		   "unsupported config media type");
	EXPECT_ERR(manifest_of("{\"schemaVersion\":2," CFG_DESC "}", &m, &e_), "'layers' is not an array");
	EXPECT_ERR(manifest_of("{\"schemaVersion\":2," CFG_DESC ",\"layers\":[" LAYER("text/plain", D2) "]}", &m, &e_),
		   "unsupported layer media type");
	EXPECT_ERR(manifest_of("{\"schemaVersion\":2," CFG_DESC ",\"layers\":[7]}", &m, &e_), "not an object");
	EXPECT_ERR(manifest_of("{\"schemaVersion\":\"2\"," CFG_DESC ",\"layers\":[]}", &m, &e_), "schemaVersion");
}

static int docker_of(const char *s, struct docker_manifest_list *l, struct err *e)
{
	return docker_manifest_parse(s, strlen(s), l, e);
}

TEST(docker_manifest)
{
	struct docker_manifest_list l;
	struct err e = ERR_INIT;
	CHECK(docker_of("[{\"Config\":\"abc.json\",\"RepoTags\":[\"busybox:latest\",\"x:1\"],\"Layers\":[\"a/layer.tar\"]},"
			"{\"Config\":\"def.json\",\"RepoTags\":null,\"Layers\":[]}]",
			&l, &e) == 0);
	CHECK(l.n == 2 && l.v[0].repo_tags.n == 2 && l.v[0].layers.n == 1 && l.v[1].repo_tags.n == 0);
	CHECK_STR(l.v[0].config, "abc.json");
	docker_manifest_release(&l);
	EXPECT_ERR(docker_of("{}", &l, &e_), "expected a non-empty JSON array");
	EXPECT_ERR(docker_of("[]", &l, &e_), "expected a non-empty JSON array");
	EXPECT_ERR(docker_of("[1]", &l, &e_), "not an object");
	EXPECT_ERR(docker_of("[{\"Layers\":[]}]", &l, &e_), "no 'Config'");
	EXPECT_ERR(docker_of("[{\"Config\":\"c\"}]", &l, &e_), "'Layers' is not an array");
	EXPECT_ERR(docker_of("[{\"Config\":\"c\",\"Layers\":[1]}]", &l, &e_), "not a non-empty string");
	EXPECT_ERR(docker_of("[{\"Config\":\"c\",\"Layers\":[],\"RepoTags\":\"x\"}]", &l, &e_), "'RepoTags' is not an array");
}

static int config_of(const char *s, struct image_config *c, struct err *e)
{
	return image_config_parse(s, strlen(s), c, e);
}

TEST(image_config)
{
	struct image_config c;
	struct err e = ERR_INIT;
	CHECK(config_of("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00.5Z\","
			"\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}",
			&c, &e) == 0);
	CHECK(c.diff_ids.n == 2 && c.created == 1704067200 && c.created_nsec == 500000000);
	image_config_release(&c);
	CHECK(config_of("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", &c, &e) == 0);
	CHECK(c.created == 0);
	image_config_release(&c);
	EXPECT_ERR(config_of("{}", &c, &e_), "'rootfs.type' must be \"layers\"");
	EXPECT_ERR(config_of("{\"rootfs\":{\"type\":\"other\",\"diff_ids\":[]}}", &c, &e_), "rootfs.type");
	EXPECT_ERR(config_of("{\"rootfs\":{\"type\":\"layers\"}}", &c, &e_), "'rootfs.diff_ids' is not an array");
	EXPECT_ERR(config_of("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:zz\"]}}", &c, &e_), "diff_id 0");
	EXPECT_ERR(config_of("{\"created\":\"yesterday\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", &c, &e_),
		   "'created'");
	EXPECT_ERR(config_of("{\"config\":[],\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", &c, &e_),
		   "'config' is not an object");
	EXPECT_ERR(config_of("{\"os\":1,\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", &c, &e_), "'os'");
	EXPECT_ERR(config_of("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}} trailing", &c, &e_), "malformed JSON");
}

TEST(layout)
{
	struct err e = ERR_INIT;
	CHECK(image_layout_parse("{\"imageLayoutVersion\":\"1.0.0\"}", 30, &e) == 0);
	EXPECT_ERR(image_layout_parse("{\"imageLayoutVersion\":\"2.0.0\"}", 30, &e_), "unsupported");
	EXPECT_ERR(image_layout_parse("{}", 2, &e_), "imageLayoutVersion");
}

int main(void)
{
	RUN(index_ok);
	RUN(index_errors);
	RUN(oversized_json);
	RUN(manifest_ok);
	RUN(manifest_errors);
	RUN(docker_manifest);
	RUN(image_config);
	RUN(layout);
	return unit_done();
}
