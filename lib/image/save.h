/*
 * Exporting images (docker save): one tar that is at the same time a
 * `docker save` archive (manifest.json, repositories) and an OCI image
 * layout (oci-layout, index.json), with every blob once under
 * blobs/sha256/<hex>, as docker 25+ writes it. Layers are the blobs the
 * store holds (compressed as they were loaded), so every digest stays valid.
 */
#ifndef A3S_IMAGE_SAVE_H
#define A3S_IMAGE_SAVE_H

#include <stddef.h>

#include "state/root.h"
#include "util/err.h"

/* Write the images named by names[0..n) to fd. A name is docker's:
 * "repo:tag" saves that tag; "repo" (no tag) every tag of that repository;
 * an id or digest reference the image untagged. Blobs are opened under the
 * store lock, so a concurrent rmi cannot pull them away mid-write. Not
 * found: ERR_NOT_FOUND "No such image: NAME". */
int image_save(struct root *r, char *const *names, size_t n, int fd, struct err *e);

/* image_save into path: written to a temporary file beside it, renamed into
 * place on success, removed on failure. */
int image_save_file(struct root *r, char *const *names, size_t n, const char *path, struct err *e);

#endif
