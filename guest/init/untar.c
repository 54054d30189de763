#include "untar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const struct tar_sink untar_sink = { untar_entry, untar_data };

void untar_init(struct untar *u, int root, int keep_owner)
{
	memset(u, 0, sizeof(*u));
	u->root = root;
	u->keep_owner = keep_owner;
	u->fd = -1;
}

int untar_link_inside(const char *name, const char *target)
{
	long depth = 0;
	const char *p;

	/* the link's directory: every component of name but the last */
	for (p = name; *p; p++)
		if (*p == '/')
			depth++;
	for (p = target; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (len && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return 1;
}

/*
 * Open the directory dir (cleaned, relative; "" is the root) below u->root
 * without following any symlink; with create, missing components are made.
 * Returns an O_PATH fd or -1 with u->err set.
 */
static int walk(struct untar *u, const char *dir, int create, const char *entry)
{
	int fd = openat(u->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *p = dir;
	char comp[TAR_NAME_MAX + 1];

	if (fd < 0)
		return ierr_sys(&u->err, errno, "opening the destination");
	while (*p) {
		size_t len = strcspn(p, "/");
		int next;

		memcpy(comp, p, len);
		comp[len] = '\0';
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				ierr_sys(&u->err, errno, "creating the directory of '%s'", entry);
				close(fd);
				return -1;
			}
			next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int en = errno;

			close(fd);
			if (en == ENOTDIR || en == ELOOP)
				return ierr_set(&u->err, "refusing to extract '%s': '%.*s' is not a directory (a symlink?)",
						entry, (int)(p - dir + (ptrdiff_t)len), dir);
			return ierr_sys(&u->err, en, "extracting '%s'", entry);
		}
		close(fd);
		fd = next;
		p += len;
		while (*p == '/')
			p++;
	}
	return fd;
}

/* Split a cleaned name into its directory (in buf) and last component. */
static const char *split(const char *name, char *dir)
{
	const char *slash = strrchr(name, '/');

	if (!slash) {
		dir[0] = '\0';
		return name;
	}
	memcpy(dir, name, (size_t)(slash - name));
	dir[slash - name] = '\0';
	return slash + 1;
}

static void set_meta(struct untar *u, int fd, const char *leaf, const struct tar_entry *e)
{
	uid_t uid = u->keep_owner ? e->uid : 0;
	gid_t gid = u->keep_owner ? e->gid : 0;
	struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };

	/* chown before chmod: chown clears set-id bits */
	if (e->type == '2') {
		(void)fchownat(fd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW);
		(void)utimensat(fd, leaf, ts, AT_SYMLINK_NOFOLLOW);
		return;
	}
	(void)fchownat(fd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW);
	(void)fchmodat(fd, leaf, e->mode, 0);
	if (e->type != '5')
		(void)utimensat(fd, leaf, ts, AT_SYMLINK_NOFOLLOW);
}

/* Finish the file being written: its owner, mode and time. */
static int close_file(struct untar *u)
{
	struct timespec ts[2] = { { u->meta.mtime, 0 }, { u->meta.mtime, 0 } };
	int rc = 0;

	if (u->fd < 0)
		return 0;
	if (u->keep_owner && fchown(u->fd, u->meta.uid, u->meta.gid) < 0)
		rc = ierr_sys(&u->err, errno, "setting the owner of '%s'", u->name);
	if (!rc && fchmod(u->fd, u->meta.mode) < 0)
		rc = ierr_sys(&u->err, errno, "setting the mode of '%s'", u->name);
	(void)futimens(u->fd, ts);
	if (close(u->fd) < 0 && !rc)
		rc = ierr_sys(&u->err, errno, "writing '%s'", u->name);
	u->fd = -1;
	return rc;
}

/* Make room for a non-directory at leaf, or keep a directory for a directory. */
static int make_room(struct untar *u, int dfd, const char *leaf, const char *name, char type, int *is_dir)
{
	struct stat st;

	*is_dir = 0;
	if (fstatat(dfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : ierr_sys(&u->err, errno, "extracting '%s'", name);
	if (S_ISDIR(st.st_mode) && type != '5')
		return ierr_set(&u->err, "cannot overwrite directory \"%s\" with non-directory \"%s\"", name, name);
	if (!S_ISDIR(st.st_mode) && type == '5')
		return ierr_set(&u->err, "cannot overwrite non-directory \"%s\" with directory \"%s\"", name, name);
	if (S_ISDIR(st.st_mode)) {
		*is_dir = 1;
		return 0;
	}
	if (unlinkat(dfd, leaf, 0) < 0)
		return ierr_sys(&u->err, errno, "replacing '%s'", name);
	return 0;
}

static int hardlink(struct untar *u, int dfd, const char *leaf, const char *name, const char *target)
{
	char *clean = xmalloc(strlen(target) + 1), *tdir = xmalloc(strlen(target) + 1);
	const char *tleaf;
	int tfd = -1, rc = -1;

	if (tar_clean_name(target, clean) < 0 || !*clean) {
		ierr_set(&u->err, "invalid hardlink \"%s\" -> \"%s\"", name, target);
		goto out;
	}
	tleaf = split(clean, tdir);
	tfd = walk(u, tdir, 0, name);
	if (tfd < 0)
		goto out;
	if (linkat(tfd, tleaf, dfd, leaf, 0) < 0) {
		ierr_sys(&u->err, errno, "linking '%s' to '%s'", name, clean);
		goto out;
	}
	rc = 0;
out:
	if (tfd >= 0)
		close(tfd);
	free(clean);
	free(tdir);
	return rc;
}

static int create(struct untar *u, int dfd, const char *leaf, const char *name, const struct tar_entry *e)
{
	int is_dir;

	if (make_room(u, dfd, leaf, name, e->type, &is_dir) < 0)
		return -1;
	switch (e->type) {
	case '5':
		if (!is_dir && mkdirat(dfd, leaf, 0700) < 0)
			return ierr_sys(&u->err, errno, "creating directory '%s'", name);
		u->dirs = xrealloc(u->dirs, (u->ndirs + 1) * sizeof(*u->dirs));
		u->dirs[u->ndirs].name = xstrdup(name);
		u->dirs[u->ndirs++].mtime = e->mtime;
		break;
	case '0':
		u->fd = openat(dfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (u->fd < 0)
			return ierr_sys(&u->err, errno, "creating '%s'", name);
		u->meta = *e;
		u->left = e->size;
		free(u->name);
		u->name = xstrdup(name);
		return u->left ? 0 : close_file(u);
	case '1':
		return hardlink(u, dfd, leaf, name, e->link);
	case '2':
		if (!untar_link_inside(name, e->link))
			return ierr_set(&u->err, "invalid symlink \"%s\" -> \"%s\"", name, e->link);
		if (symlinkat(e->link, dfd, leaf) < 0)
			return ierr_sys(&u->err, errno, "creating symlink '%s'", name);
		break;
	default: { /* '3' '4' '6' */
		mode_t fmt = e->type == '3' ? S_IFCHR : e->type == '4' ? S_IFBLK : S_IFIFO;

		if (mknodat(dfd, leaf, fmt | 0600, makedev(e->devmajor, e->devminor)) < 0)
			return ierr_sys(&u->err, errno, "creating '%s'", name);
	}
	}
	set_meta(u, dfd, leaf, e);
	return 0;
}

int untar_entry(void *arg, const struct tar_entry *e)
{
	struct untar *u = arg;
	char *name = xmalloc(strlen(e->name) + 1), *dir = xmalloc(strlen(e->name) + 1);
	const char *leaf;
	int dfd, rc = -1;

	if (close_file(u) < 0)
		goto out;
	if (tar_clean_name(e->name, name) < 0) {
		ierr_set(&u->err, "refusing to extract \"%s\": the name leads out of the destination", e->name);
		goto out;
	}
	if (!*name) {
		/* the destination itself ("." or "./"): left as it is, as docker does */
		rc = e->type == '5' ? 0 : ierr_set(&u->err, "cannot overwrite the destination with \"%s\"", e->name);
		goto out;
	}
	leaf = split(name, dir);
	dfd = walk(u, dir, 1, name);
	if (dfd < 0)
		goto out;
	rc = create(u, dfd, leaf, name, e);
	close(dfd);
out:
	free(name);
	free(dir);
	return rc;
}

int untar_data(void *arg, const uint8_t *p, size_t n)
{
	struct untar *u = arg;

	if (u->fd < 0)
		return 0;
	while (n) {
		ssize_t w = write(u->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ierr_sys(&u->err, w < 0 ? errno : ENOSPC, "writing '%s'", u->name);
		p += w;
		n -= (size_t)w;
		u->left -= (uint64_t)w;
	}
	return u->left ? 0 : close_file(u);
}

int untar_finish(struct untar *u)
{
	if (close_file(u) < 0)
		return -1;
	/* last first: a parent's time is set after its children were made */
	for (size_t i = u->ndirs; i-- > 0;) {
		struct timespec ts[2] = { { u->dirs[i].mtime, 0 }, { u->dirs[i].mtime, 0 } };

		(void)utimensat(u->root, u->dirs[i].name, ts, AT_SYMLINK_NOFOLLOW);
	}
	return 0;
}

void untar_release(struct untar *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	for (size_t i = 0; i < u->ndirs; i++)
		free(u->dirs[i].name);
	free(u->dirs);
	free(u->name);
	u->dirs = NULL;
	u->name = NULL;
	u->ndirs = 0;
}
