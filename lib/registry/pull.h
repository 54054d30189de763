/* docker pull / docker push against an OCI distribution registry. */
#ifndef A3S_REGISTRY_PULL_H
#define A3S_REGISTRY_PULL_H

#include <stdbool.h>
#include <stdio.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

struct reg_verify;

struct reg_xfer_opts {
	bool tls_verify; /* default true */
	const char *platform; /* "os/arch[/variant]", NULL for the host */
	bool quiet; /* no progress */
	FILE *out; /* progress and status lines */
	const struct reg_verify *verify; /* pull: signature flags (registry/sig.h), NULL: the policy alone */
	const char *sign_key; /* push: sign the pushed manifest with this private key */
	struct strv *pulled; /* pull: ids pulled by this command (kept by the cache cap), or NULL */
};

/*
 * Pull name (normalised, ":latest" added) into the image store: resolve the
 * tag or digest to a manifest (choosing the platform in an index), fetch
 * config and layers into a staging directory, verify everything, then
 * store it through the same path as `load` (image/load_int.h). When the
 * flags or the signature policy ask for it (registry/sig.h), the cosign
 * signature of the resolved digest (an index's own digest) is verified
 * before anything is fetched or stored. Nothing is stored when any step
 * fails. Afterwards the image cache cap is enforced (image/cache.h),
 * keeping this image and o->pulled. *ref_out (may be NULL) receives the full
 * reference ("docker.io/library/alpine:latest"), docker's last line.
 */
int registry_pull(struct root *r, const char *name, const struct reg_xfer_opts *o, char **ref_out,
		  struct err *e);

/* The tags of repository name (its tag or digest ignored), sorted as the
 * registry lists them (GET /v2/NAME/tags/list, following Link pages). */
int registry_tags(const char *name, const struct reg_xfer_opts *o, struct strv *out, struct err *e);

/* Push a local image by tag: blobs the registry lacks (HEAD first, then a
 * cross-repository mount when another tag of the image on that registry has
 * them, else an upload), then the manifest. Prints docker's
 * "TAG: digest: sha256:... size: N" at the end. With o->sign_key, the
 * pushed manifest is then signed and its cosign .sig manifest pushed. */
int registry_push(struct root *r, const char *name, const struct reg_xfer_opts *o, struct err *e);

#endif
