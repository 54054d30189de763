/*
 * Parsers for the JSON documents of an image: OCI image layout (oci-layout,
 * index.json), OCI / Docker v2 manifests, docker-save manifest.json and the
 * image config. Pure functions over a buffer (fuzzed in fuzz/): they check
 * structure, media types, digests and limits, and fail with one-line errors
 * ("invalid image manifest: ..."). Nothing here touches the filesystem.
 */
#ifndef A3S_IMAGE_MANIFEST_H
#define A3S_IMAGE_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/xalloc.h"

/* Upper bound for any JSON document of an image. */
#define IMAGE_JSON_MAX (4 << 20)
#define IMAGE_MAX_LAYERS 1024
#define IMAGE_MAX_MANIFESTS 1024

#define MT_OCI_LAYOUT_VERSION "1.0.0"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

#define ANNOT_REF_NAME "org.opencontainers.image.ref.name"
#define ANNOT_CONTAINERD_NAME "io.containerd.image.name"

/* An OCI content descriptor. */
struct image_desc {
	char *media_type;
	char *digest; /* valid "sha256:<hex>" */
	int64_t size;
	char *os, *arch, *variant; /* platform, NULL when absent */
	char *ref_name; /* annotations, NULL when absent */
	char *image_name;
};

struct image_index {
	struct image_desc *v;
	size_t n;
};

struct image_manifest {
	struct image_desc config;
	struct image_desc *layers;
	size_t n_layers;
};

/* One entry of a docker-save manifest.json. */
struct docker_manifest {
	char *config; /* path inside the archive */
	struct strv repo_tags; /* as written ("busybox:latest") */
	struct strv layers; /* paths inside the archive */
};

struct docker_manifest_list {
	struct docker_manifest *v;
	size_t n;
};

struct image_config {
	json_t *json; /* the whole document (owned) */
	struct strv diff_ids; /* rootfs.diff_ids */
	int64_t created; /* unix seconds, 0 when absent */
	int32_t created_nsec;
};

/* oci-layout: {"imageLayoutVersion": "1.0.0"}. */
int image_layout_parse(const char *buf, size_t len, struct err *e);

/* An OCI image index (index.json or a nested index / docker manifest list). */
int image_index_parse(const char *buf, size_t len, struct image_index *out, struct err *e);
void image_index_release(struct image_index *x);
/* Position of the manifest for os/arch in x; an index without platforms
 * holding a single manifest matches too. -1 and e when there is none. */
int image_index_pick(const struct image_index *x, const char *os, const char *arch, struct err *e);

bool image_desc_is_index(const struct image_desc *d);
bool image_desc_is_manifest(const struct image_desc *d);

/* An OCI image manifest or a Docker v2 schema 2 manifest. */
int image_manifest_parse(const char *buf, size_t len, struct image_manifest *out, struct err *e);
void image_manifest_release(struct image_manifest *m);

/* docker save's manifest.json. */
int docker_manifest_parse(const char *buf, size_t len, struct docker_manifest_list *out, struct err *e);
void docker_manifest_release(struct docker_manifest_list *l);

/* The image config. On success out->json owns the parsed document. */
int image_config_parse(const char *buf, size_t len, struct image_config *out, struct err *e);
void image_config_release(struct image_config *c);

/* The host's OCI architecture name ("amd64", "arm64"). */
const char *image_host_arch(void);

/* Error messages quote strings from untrusted documents and archives: turn
 * control characters in e->msg into '?' so a message stays one printable
 * line. Called by image_load and image_rootfs_ensure before returning. */
void image_err_printable(struct err *e);

/* Shared by the parsers: load a JSON document of at most IMAGE_JSON_MAX
 * bytes; `what` names it in errors. */
json_t *image_json_load(const char *buf, size_t len, const char *what, struct err *e);

#endif
