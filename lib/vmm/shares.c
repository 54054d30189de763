#include "vmm/shares.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct mount_attr_v0 {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static int fail(const char *what, const char *path)
{
	dprintf(2, "a3s-box: %s '%s': %s\n", what, path, strerror(errno));
	return -1;
}

/* The staging entry exists and has the source's type (a leftover of an
 * earlier start with another source is replaced). */
static int entry(const char *path, bool dir)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))
			return 0;
		if ((S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path)) < 0)
			return -1;
	}
	if (dir)
		return mkdir(path, 0755);
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* Read-only for the whole tree under path (submounts of a recursive bind
 * too); a remount of the top mount where mount_setattr is missing. */
static int make_ro(const char *path)
{
	struct mount_attr_v0 a = {.attr_set = MOUNT_ATTR_RDONLY};
#ifdef SYS_mount_setattr
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &a, sizeof(a)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
#else
	(void)a;
#endif
	return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
}

int vm_shares_stage(const struct vm_config *cfg)
{
	char path[4096];
	if (!cfg->nshares)
		return 0;
	if (unshare(CLONE_NEWNS) < 0)
		return fail("making a mount namespace for", cfg->share_dir);
	/* nothing mounted here reaches the host, nothing of the host's later
	 * mounts reaches here */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("making mounts private under", "/");
	if (mkdir(cfg->share_dir, 0700) < 0 && errno != EEXIST)
		return fail("creating", cfg->share_dir);
	for (size_t i = 0; i < cfg->nshares; i++) {
		const struct vm_share *s = &cfg->shares[i];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%zu", cfg->share_dir, i);
		if (stat(s->source, &st) < 0)
			return fail("sharing", s->source);
		if (entry(path, S_ISDIR(st.st_mode)) < 0)
			return fail("creating", path);
		if (mount(s->source, path, NULL, MS_BIND | MS_REC, NULL) < 0)
			return fail("bind-mounting", s->source);
		if (s->ro && make_ro(path) < 0)
			return fail("making read-only", s->source);
	}
	return 0;
}
