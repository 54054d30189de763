/* Read-only root filesystems built from images, cached per image id. */
#ifndef A3S_IMAGE_ROOTFS_H
#define A3S_IMAGE_ROOTFS_H

#include "image/store.h"
#include "state/root.h"
#include "util/err.h"

/* Path of <root>/rootfs/<hex>.erofs for img, building it first when it is
 * missing: the layers are flattened into a staging directory under
 * <root>/tmp and turned into an erofs image with mkfs.erofs (owners, modes,
 * xattrs and mtimes kept). Concurrent builds of one image are safe: each
 * writes its own temporary file and renames it into place. Records the
 * image's last use. May take a while (blocks). Caller frees *path. */
int image_rootfs_ensure(struct root *r, const struct image *img, char **path, struct err *e);

/* "<root>/rootfs/<hex>.erofs" for an image id (built or not); caller frees.
 * Kept apart from the builder so that the box monitor links neither
 * libarchive nor the image store (lib/image/rootfs_path.c). */
char *image_rootfs_path(const struct root *r, const char *image_id);
/* The path when the root filesystem exists (it is not built here). */
int image_rootfs_existing(const struct root *r, const char *image_id, char **path, struct err *e);

#endif
