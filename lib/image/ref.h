/*
 * Docker image references: parsing, validation and normalisation.
 *
 *   busybox                      -> docker.io/library/busybox:latest
 *   localhost:5000/a/b:t         -> localhost:5000/a/b:t
 *   name@sha256:<64 hex>         (digest references; a tag may precede it)
 *
 * The "familiar" form is what docker prints: "busybox", "a3s-box/busybox",
 * "localhost:5000/x".
 */
#ifndef A3S_IMAGE_REF_H
#define A3S_IMAGE_REF_H

#include "util/err.h"

struct image_ref {
	char *domain; /* "docker.io", "localhost:5000" */
	char *path; /* "library/busybox" */
	char *tag; /* NULL when absent */
	char *digest; /* "sha256:<hex>" or NULL */
};

#define IMAGE_REF_INIT {NULL, NULL, NULL, NULL}
#define IMAGE_REF_NAME_MAX 255
#define IMAGE_REF_TAG_MAX 128

/* Parse and normalise s. Errors (kind ERR_USAGE) start with
 * "invalid reference format" like docker's. On failure *out is untouched. */
int image_ref_parse(const char *s, struct image_ref *out, struct err *e);
/* Like image_ref_parse, then add the tag "latest" when there is neither a
 * tag nor a digest. */
int image_ref_parse_tagged(const char *s, struct image_ref *out, struct err *e);
void image_ref_release(struct image_ref *r);

/* "docker.io/library/busybox" (no tag or digest). Caller frees. */
char *image_ref_name(const struct image_ref *r);
/* "docker.io/library/busybox:latest", with "@sha256:..." when there is a
 * digest. Caller frees. */
char *image_ref_string(const struct image_ref *r);
/* "busybox", "a3s-box/busybox", "localhost:5000/x". Caller frees. */
char *image_ref_familiar_name(const struct image_ref *r);
/* The familiar name with ":tag" and/or "@digest". Caller frees. */
char *image_ref_familiar_string(const struct image_ref *r);

/* Familiar form of an already-normalised name ("docker.io/library/x:t" ->
 * "x:t"); returns a copy of s when it does not parse. Caller frees. */
char *image_ref_familiarize(const char *s);

/* Validation of single parts (no allocation). */
int image_ref_valid_tag(const char *tag);

#endif
