#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "dev.h"
#include "log.h"
#include "mounts.h"

#define LOWER "/mnt/lower"
#define RW "/mnt/rw"
#define ROOT ROOTFS_ROOT
/* virtio-blk probes before init runs; this only covers a slow probe. */
#define DISK_TIMEOUT_MS 5000

/* the writable layer disk's root, kept to remount it after the switch hides it */
static int rw_fd = -1;

int rootfs_early(struct ierr *e)
{
	/* The initramfs carries /dev/console, so fds 0-2 are usually set
	 * already; devtmpfs adds the rest of the nodes. */
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) < 0 && errno != EBUSY)
		return ierr_sys(e, errno, "mounting devtmpfs on '/dev'");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return ierr_sys(e, errno, "mounting proc on '/proc'");
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return ierr_sys(e, errno, "mounting sysfs on '/sys'");
	return 0;
}

int rootfs_lower(struct ierr *e)
{
	char dev[64];

	if (dev_find_disk(A3S_DISK_SERIAL_ROOT, DISK_TIMEOUT_MS, dev, sizeof(dev)) < 0)
		return ierr_set(e, "root filesystem disk '%s' not found", A3S_DISK_SERIAL_ROOT);
	if (mount(dev, LOWER, "erofs", MS_RDONLY, NULL) == 0) {
		log_dbg("root image %s mounted (erofs)", dev);
		return 0;
	}
	if (mount(dev, LOWER, "ext4", MS_RDONLY, NULL) == 0) {
		log_dbg("root image %s mounted (ext4)", dev);
		return 0;
	}
	return ierr_sys(e, errno, "mounting root image '%s' (erofs or ext4)", dev);
}

static int mount_rw(int rw, struct ierr *e)
{
	char dev[64];

	if (rw) {
		if (dev_find_disk(A3S_DISK_SERIAL_RW, DISK_TIMEOUT_MS, dev, sizeof(dev)) < 0)
			return ierr_set(e, "writable layer disk '%s' not found", A3S_DISK_SERIAL_RW);
		/*
		 * noinit_itable: a freshly made ext4 would otherwise start
		 * zeroing its inode tables in the background, competing
		 * with the workload for (emulated) I/O.
		 */
		if (mount(dev, RW, "ext4", MS_NOATIME, "noinit_itable") < 0)
			return ierr_sys(e, errno, "mounting writable layer '%s'", dev);
		rw_fd = open(RW, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else if (mount("tmpfs", RW, "tmpfs", 0, "mode=0755") < 0) {
		return ierr_sys(e, errno, "mounting tmpfs on '%s'", RW);
	}
	if ((mkdir(RW "/upper", 0755) < 0 && errno != EEXIST) ||
	    (mkdir(RW "/work", 0755) < 0 && errno != EEXIST))
		return ierr_sys(e, errno, "creating overlay directories in '%s'", RW);
	log_dbg("writable layer ready (%s)", rw ? dev : "tmpfs");
	return 0;
}

int rootfs_upper(int rw, int read_only, struct ierr *e)
{
	if (mount_rw(rw, e) < 0)
		return -1;
	if (mount("overlay", ROOT, "overlay", 0,
		  "lowerdir=" LOWER ",upperdir=" RW "/upper,workdir=" RW "/work") < 0)
		return ierr_sys(e, errno, "mounting overlay on '%s'", ROOT);
	log_dbg("overlay mounted");
	return mounts_setup(ROOT, read_only, e);
}

int rootfs_switch(struct ierr *e)
{
	if (chdir(ROOT) < 0)
		return ierr_sys(e, errno, "entering '%s'", ROOT);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return ierr_sys(e, errno, "moving '%s' to '/'", ROOT);
	if (chroot(".") < 0 || chdir("/") < 0)
		return ierr_sys(e, errno, "changing root to '%s'", ROOT);
	log_dbg("root filesystem ready");
	return 0;
}

void rootfs_shutdown(void)
{
	sync();
	if (rw_fd < 0)
		return;
	/* "." is the disk's root once we are in it: no path to it is left */
	if (fchdir(rw_fd) < 0 || mount(NULL, ".", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		log_err("remounting the writable layer read-only: %m");
	else
		log_dbg("writable layer remounted read-only");
}
