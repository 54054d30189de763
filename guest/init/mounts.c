#include "mounts.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"

#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const struct {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
	int optional; /* failure is logged, not fatal */
} table[] = {
	{ "proc", "proc", "proc", NOSUID_NODEV_NOEXEC, NULL, 0 },
	{ "sysfs", "sys", "sysfs", NOSUID_NODEV_NOEXEC | MS_RDONLY, NULL, 0 },
	{ "cgroup2", "sys/fs/cgroup", "cgroup2", NOSUID_NODEV_NOEXEC | MS_RDONLY, NULL, 1 },
	{ "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", 0 },
	{ "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "newinstance,ptmxmode=0666,mode=0620,gid=5", 0 },
	{ "shm", "dev/shm", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k", 0 },
	{ "tmpfs", "run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755", 0 },
	/* ready for secrets: never on a disk */
	{ "tmpfs", "run/secrets", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=755", 0 },
	/* last: not with a read-only root (docker has no /tmp mount at all) */
	{ "tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 0 },
};

static const struct {
	const char *name;
	unsigned int major, minor;
} nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
	{ "core", "/proc/kcore" },
};

/*
 * Create the mount point. A symlink in its place (some images have them)
 * would send the mount outside the root, so it is replaced by a directory.
 */
static int mountpoint(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && unlink(path) < 0)
		return -1;
	return mkdir_p(path, 0755);
}

static int populate_dev(const char *root, struct ierr *e)
{
	char path[4096];

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, nodes[i].name);
		if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0)
			return ierr_sys(e, errno, "creating '/dev/%s'", nodes[i].name);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, links[i].name);
		if (symlink(links[i].target, path) < 0)
			return ierr_sys(e, errno, "creating '/dev/%s'", links[i].name);
	}
	return 0;
}

int mounts_setup(const char *root, int read_only, struct ierr *e)
{
	char path[4096];
	size_t n = sizeof(table) / sizeof(table[0]) - (read_only ? 1 : 0);

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, table[i].target);
		if (mountpoint(path) < 0 ||
		    mount(table[i].source, path, table[i].type, table[i].flags, table[i].data) < 0) {
			if (!table[i].optional)
				return ierr_sys(e, errno, "mounting %s on '/%s'", table[i].type,
						table[i].target);
			log_dbg("mounting %s on '/%s' failed: %m", table[i].type, table[i].target);
		}
	}
	return populate_dev(root, e);
}
