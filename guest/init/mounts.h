/*
 * What a container runtime mounts inside the root: /proc, /sys (ro),
 * /sys/fs/cgroup (ro), /dev (tmpfs with the standard nodes and links),
 * /dev/pts, /dev/shm, /run, /run/secrets, /tmp (not with a read-only
 * root). Mount points missing from the image are created (in the writable
 * layer).
 */
#ifndef A3S_GUEST_MOUNTS_H
#define A3S_GUEST_MOUNTS_H

#include "util.h"

/* Mount everything under root (not yet "/"). Returns 0 or -1 with *e set. */
int mounts_setup(const char *root, int read_only, struct ierr *e);

#endif
