/* The per-box writable layer: an ext4 disk image, copied (sparse or
 * reflinked) from a template formatted once per data root. */
#ifndef A3S_BOX_RWLAYER_H
#define A3S_BOX_RWLAYER_H

#include <stdbool.h>

#include "state/root.h"

#define BOX_RW_SIZE "8G"

/*
 * Create <dir>/rw.img; *path receives it (caller frees). An ephemeral box
 * (--rm) gets a filesystem without a journal: it is thrown away with the
 * box, so crash consistency buys nothing, and mounting and unmounting it
 * costs ~50 ms less under TCG.
 */
int box_rw_create(struct root *r, const char *dir, bool ephemeral, char **path, struct err *e);

#endif
