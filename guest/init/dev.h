/*
 * Finding our devices through sysfs: virtio-blk disks by serial, the
 * control port by its virtio-serial name. Device nodes come from devtmpfs
 * (mounted on /dev by then); a missing node is created from sysfs's "dev".
 */
#ifndef A3S_GUEST_DEV_H
#define A3S_GUEST_DEV_H

#include <stddef.h>

/*
 * Find the disk whose /sys/block/vd* /serial is serial and write its device
 * path (e.g. "/dev/vda") into path. Waits up to timeout_ms for it to show up
 * (virtio-blk normally probes before init starts, so this rarely waits).
 * Returns 0, or -1 with errno (ENOENT on timeout).
 */
int dev_find_disk(const char *serial, int timeout_ms, char *path, size_t size);

/*
 * Open the virtio-serial port called name (O_RDWR | O_CLOEXEC). The port
 * and its name arrive over the virtio-console control queue after the
 * driver probes, possibly after init starts, so this waits up to
 * timeout_ms, woken by uevents rather than sleeping blindly. Returns the fd,
 * or -1 with errno.
 */
int dev_open_port(const char *name, int timeout_ms);

#endif
