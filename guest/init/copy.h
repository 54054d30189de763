/*
 * Filling a new volume from the image (docker's copy-up): a recursive copy
 * that keeps owners, modes, times and symlinks.
 */
#ifndef A3S_GUEST_COPY_H
#define A3S_GUEST_COPY_H

#include "util.h"

/*
 * When dst (a directory) is empty and src is a directory with entries,
 * copy src's entries into dst and give dst src's owner and mode. Returns 0
 * (also when there was nothing to do) or -1 with *e set.
 */
int copy_if_empty(const char *src, const char *dst, struct ierr *e);

#endif
