#include "shares.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "copy.h"
#include "log.h"

#define SHARES "/mnt/shares"
/*
 * 9p over virtio: the largest message the 6.1 transport takes (~500 KiB)
 * keeps big reads and writes to few round trips. cache=mmap: no page cache
 * for data (host changes show at once, as with a bind mount) but mmap works
 * (docs/volumes.md has the measurements).
 */
#define SHARE_OPTS "trans=virtio,version=9p2000.L,msize=512000,cache="
#define SHARE_CACHE "mmap"

/* a3s.9p_cache=MODE on the kernel command line overrides the cache mode
 * (for measuring: bench/volumes.py); only the known modes are taken. */
static const char *cache_mode(void)
{
	static const char *const modes[] = { "none", "loose", "fscache", "mmap" };
	static char buf[4096];
	const char *p;

	if (read_attr("/proc/cmdline", buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "a3s.9p_cache=")))
		return SHARE_CACHE;
	p += strlen("a3s.9p_cache=");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		size_t n = strlen(modes[i]);

		if (!strncmp(p, modes[i], n) && (p[n] == ' ' || !p[n]))
			return modes[i];
	}
	return SHARE_CACHE;
}

static int share_fd = -1;

int shares_attach(const struct cfg *c, struct ierr *e)
{
	char opts[128];
	int any = 0;

	for (size_t i = 0; i < c->nmounts; i++)
		any |= !strncmp(c->mounts[i], "share ", 6);
	if (!any)
		return 0;
	if (mkdir(SHARES, 0700) < 0 && errno != EEXIST)
		return ierr_sys(e, errno, "creating '%s'", SHARES);
	snprintf(opts, sizeof(opts), "%s%s", SHARE_OPTS, cache_mode());
	log_dbg("mounting the host share (%s)", opts);
	if (mount(A3S_SHARE_TAG, SHARES, "9p", 0, opts) < 0)
		return ierr_sys(e, errno, "mounting the host share (9p '%s')", A3S_SHARE_TAG);
	share_fd = open(SHARES, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (share_fd < 0)
		return ierr_sys(e, errno, "opening '%s'", SHARES);
	log_dbg("host share mounted");
	return 0;
}

/* A mount point at path, of the source's kind. A symlink in its place is
 * replaced (a mount must not be redirected); intermediate components are
 * resolved inside the box, which is already the root. */
static int mountpoint(const char *path, int dir, struct ierr *e)
{
	struct stat st;
	char parent[4096];
	char *slash;

	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			if (unlink(path) < 0)
				return ierr_sys(e, errno, "replacing symlink '%s'", path);
		} else if (dir && !S_ISDIR(st.st_mode)) {
			return ierr_set(e, "cannot mount a directory on '%s': it is not a directory", path);
		} else if (!dir && S_ISDIR(st.st_mode)) {
			return ierr_set(e, "cannot mount a file on '%s': it is a directory", path);
		} else {
			return 0;
		}
	}
	if (dir) {
		if (mkdir_p(path, 0755) < 0)
			return ierr_sys(e, errno, "creating mount point '%s'", path);
		return 0;
	}
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir_p(parent, 0755) < 0)
			return ierr_sys(e, errno, "creating '%s'", parent);
	}
	if (mknod(path, S_IFREG | 0644, 0) < 0 && errno != EEXIST)
		return ierr_sys(e, errno, "creating mount point '%s'", path);
	return 0;
}

static int mount_share(const struct cfg_mount *m, struct ierr *e)
{
	char src[64];
	struct stat st;
	int dir;

	if (share_fd < 0)
		return ierr_set(e, "the host share is not mounted");
	snprintf(src, sizeof(src), "/proc/self/fd/%d/%u", share_fd, m->index);
	if (stat(src, &st) < 0)
		return ierr_sys(e, errno, "host share entry %u for '%s'", m->index, m->dest);
	dir = S_ISDIR(st.st_mode);
	if (m->copy && dir && copy_if_empty(m->dest, src, e) < 0)
		return -1;
	if (mountpoint(m->dest, dir, e) < 0)
		return -1;
	if (mount(src, m->dest, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ierr_sys(e, errno, "mounting host path on '%s'", m->dest);
	if (m->ro && mount(NULL, m->dest, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return ierr_sys(e, errno, "making '%s' read-only", m->dest);
	return 0;
}

static const struct {
	const char *name;
	unsigned long set, clear;
} flags[] = {
	{ "ro", MS_RDONLY, 0 }, { "rw", 0, MS_RDONLY },
	{ "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
	{ "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 }, { "dev", 0, MS_NODEV },
	{ "sync", MS_SYNCHRONOUS, 0 }, { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 }, { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 }, { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
	{ "mand", MS_MANDLOCK, 0 }, { "nomand", 0, MS_MANDLOCK },
};

/* docker's tmpfs defaults: nosuid, nodev, noexec (the options may undo
 * them); everything that is not a flag is filesystem data. */
static int mount_tmpfs(const struct cfg_mount *m, struct ierr *e)
{
	unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char opts[sizeof(m->opts)], data[sizeof(m->opts)] = "";
	char *save = NULL, *w;
	size_t len = 0;

	memcpy(opts, m->opts, sizeof(opts));
	for (w = strtok_r(opts, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		size_t i, n = sizeof(flags) / sizeof(flags[0]);

		for (i = 0; i < n; i++)
			if (!strcmp(w, flags[i].name)) {
				fl = (fl | flags[i].set) & ~flags[i].clear;
				break;
			}
		if (i == n)
			len += (size_t)snprintf(data + len, sizeof(data) - len, "%s%s", len ? "," : "", w);
	}
	if (mountpoint(m->dest, 1, e) < 0)
		return -1;
	if (mount("tmpfs", m->dest, "tmpfs", fl, data) < 0)
		return ierr_sys(e, errno, "mounting tmpfs on '%s'", m->dest);
	return 0;
}

int shares_mount(const struct cfg *c, struct ierr *e)
{
	for (size_t i = 0; i < c->nmounts; i++) {
		struct cfg_mount m;
		const char *why;

		if (cfg_mount_parse(c->mounts[i], &m, &why) < 0)
			return ierr_set(e, "%s", why);
		if ((m.share ? mount_share(&m, e) : mount_tmpfs(&m, e)) < 0)
			return -1;
	}
	if (share_fd >= 0) {
		close(share_fd);
		share_fd = -1;
	}
	log_dbg("%zu box mounts done", c->nmounts);
	return 0;
}

int shares_root_readonly(struct ierr *e)
{
	if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return ierr_sys(e, errno, "making the root filesystem read-only");
	return 0;
}
