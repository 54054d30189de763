/* Importing images from archives (docker load). */
#ifndef A3S_IMAGE_LOAD_H
#define A3S_IMAGE_LOAD_H

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

/* Import every image in the archive at path ("-" reads stdin): an OCI image
 * layout tar (oci-layout, index.json, blobs/sha256/...) or a `docker save`
 * tar (manifest.json), either optionally gzip/zstd-compressed. Every blob is
 * checked against its digest and every layer against the config's
 * rootfs.diff_ids before anything is stored; a failed load stores nothing
 * and leaves nothing in <root>/tmp. `loaded` (may be NULL) receives docker's
 * lines: "Loaded image: busybox:latest" or "Loaded image ID: sha256:...". */
int image_load(struct root *r, const char *path, struct strv *loaded, struct err *e);

#endif
