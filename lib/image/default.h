/* The default image shipped with a3s-box (a3s-box/busybox:latest). */
#ifndef A3S_IMAGE_DEFAULT_H
#define A3S_IMAGE_DEFAULT_H

#include "state/root.h"
#include "util/err.h"

#define IMAGE_DEFAULT_NAME "a3s-box/busybox:latest"
#define IMAGE_DEFAULT_TAR "default-image.tar"

/* Import <image_share_dir()>/default-image.tar unless IMAGE_DEFAULT_NAME is
 * already in the store. */
int image_store_ensure_default(struct root *r, struct err *e);

#endif
