/*
 * The box's root filesystem:
 *
 *   /mnt/lower  the image, read-only (erofs; ext4 as a fallback)
 *   /mnt/rw     the writable layer disk (ext4) or a tmpfs, with upper/ work/
 *   /mnt/root   overlayfs of the two, plus the container mounts (mounts.h)
 *
 * then /mnt/root becomes "/" (MS_MOVE + chroot, as switch_root does).
 * Each step returns 0, or -1 with *e set; mounts made so far are left (the
 * VM is about to end anyway).
 */
#ifndef A3S_GUEST_ROOTFS_H
#define A3S_GUEST_ROOTFS_H

#include "util.h"

/* where the box root is assembled before the switch */
#define ROOTFS_ROOT "/mnt/root"

/* devtmpfs on /dev, proc, sysfs: what the init needs for itself. */
int rootfs_early(struct ierr *e);

/* Mount the image. Needs no config, so it can run while CONFIG is awaited. */
int rootfs_lower(struct ierr *e);

/* The writable layer (rw: the disk is attached), overlay, container mounts
 * (read_only: no /tmp tmpfs, as with docker --read-only). */
int rootfs_upper(int rw, int read_only, struct ierr *e);

/* Make ROOTFS_ROOT the root directory. */
int rootfs_switch(struct ierr *e);

/*
 * Before power-off, with every other process gone: flush, and remount the
 * writable layer disk read-only so that it is clean (no journal recovery
 * when the box starts again). Best effort.
 */
void rootfs_shutdown(void);

#endif
