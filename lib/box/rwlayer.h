/* The per-box writable layer: an ext4 disk image, copied (sparse or
 * reflinked) from a template formatted once per data root. */
#ifndef A3S_BOX_RWLAYER_H
#define A3S_BOX_RWLAYER_H

#include "state/root.h"

#define BOX_RW_SIZE "8G"

/* Create <dir>/rw.img; *path receives it (caller frees). */
int box_rw_create(struct root *r, const char *dir, char **path, struct err *e);

#endif
