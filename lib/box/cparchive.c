#include "box/cparchive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/path.h"
#include "util/xalloc.h"

#define CHUNK (256 * 1024)

/* ---- writing ---- */

struct wctx {
	struct archive_entry_linkresolver *links; /* hard links become link entries */
	cp_write_fn fn;
	void *arg;
	struct err *e;
	bool failed;
};

static la_ssize_t on_write(struct archive *a, void *arg, const void *p, size_t n)
{
	struct wctx *w = arg;
	(void)a;
	if (w->fn(w->arg, p, n, w->e) < 0) {
		w->failed = true;
		return -1;
	}
	return (la_ssize_t)n;
}

/*
 * Archive leaf (relative to at) as name, and a directory's contents. The
 * top is a whole path: lstat semantics, so a symlink is archived as itself
 * unless the path ends with "/" or "/." (the kernel follows it then).
 */
static int add(struct archive *a, struct wctx *w, int at, const char *leaf, const char *name)
{
	struct archive_entry *ent;
	struct stat st;
	char *buf = NULL;
	int rc = -1, fd = -1;

	if (fstatat(at, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(w->e, errno, "lstat %s", name);
	if (S_ISSOCK(st.st_mode))
		return 0;
	ent = archive_entry_new();
	archive_entry_copy_stat(ent, &st);
	{
		char *n = xasprintf("%s%s", name, S_ISDIR(st.st_mode) ? "/" : "");
		struct archive_entry *sparse = NULL;
		archive_entry_set_pathname(ent, n);
		free(n);
		/* a later name of a file already archived becomes a hard link */
		archive_entry_linkify(w->links, &ent, &sparse);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4097];
		ssize_t n = readlinkat(at, leaf, target, sizeof(target) - 1);
		if (n < 0) {
			err_sys(w->e, errno, "reading symlink '%s'", name);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(ent, target);
	}
	if ((S_ISREG(st.st_mode) && !archive_entry_hardlink(ent)) || S_ISDIR(st.st_mode)) {
		fd = openat(at, leaf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
		if (fd < 0) {
			err_sys(w->e, errno, "opening '%s'", name);
			goto out;
		}
	}
	if (archive_write_header(a, ent) < ARCHIVE_WARN) {
		if (!w->failed)
			err_set(w->e, "archiving '%s': %s", name, archive_error_string(a));
		goto out;
	}
	if (S_ISREG(st.st_mode) && fd >= 0) {
		ssize_t n;
		buf = xmalloc(CHUNK);
		while ((n = read(fd, buf, CHUNK)) > 0)
			if (archive_write_data(a, buf, (size_t)n) < 0) {
				if (!w->failed)
					err_set(w->e, "archiving '%s': %s", name, archive_error_string(a));
				goto out;
			}
		if (n < 0) {
			err_sys(w->e, errno, "reading '%s'", name);
			goto out;
		}
	} else if (S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		struct dirent *de;
		if (!d) {
			err_sys(w->e, errno, "reading '%s'", name);
			goto out;
		}
		fd = -1;
		rc = 0;
		while (rc == 0 && (de = readdir(d))) {
			char *child;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			child = xasprintf("%s/%s", name, de->d_name);
			rc = add(a, w, dirfd(d), de->d_name, child);
			free(child);
		}
		closedir(d);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	archive_entry_free(ent);
	return rc;
}

int cp_tar_host(const char *src, const char *top, cp_write_fn fn, void *arg, struct err *e)
{
	struct wctx w = {.fn = fn, .arg = arg, .e = e};
	struct archive *a = archive_write_new();
	int rc;

	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	w.links = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(w.links, archive_format(a));
	if (archive_write_open(a, &w, NULL, on_write, NULL) != ARCHIVE_OK) {
		rc = err_set(e, "starting the archive: %s", archive_error_string(a));
		archive_write_free(a);
		archive_entry_linkresolver_free(w.links);
		return rc;
	}
	rc = add(a, &w, AT_FDCWD, src, top);
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = w.failed ? -1 : err_set(e, "finishing the archive: %s", archive_error_string(a));
	archive_write_free(a);
	archive_entry_linkresolver_free(w.links);
	return rc;
}

/* ---- extracting ---- */

int cp_link_inside(const char *name, const char *target)
{
	long depth = 0;
	const char *p;
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

struct rctx {
	cp_read_fn fn;
	void *arg;
	struct err *e;
	bool failed;
};

static la_ssize_t on_read(struct archive *a, void *arg, const void **p)
{
	struct rctx *r = arg;
	ssize_t n = r->fn(r->arg, p, r->e);
	(void)a;
	if (n < 0) {
		r->failed = true;
		return -1;
	}
	return n;
}

/* "from/rest" -> "to/rest"; others unchanged. Caller frees. */
static char *rebase(const char *name, const char *from, const char *to)
{
	size_t fl;
	if (!from)
		return xstrdup(name);
	while (name[0] == '.' && name[1] == '/' && strcmp(from, "."))
		name += 2;
	fl = strlen(from);
	if (!strncmp(name, from, fl) && (name[fl] == '/' || !name[fl]))
		return xasprintf("%s%s", to, name + fl);
	return xstrdup(name);
}

static int conflicts(int rootfd, const char *clean, bool is_dir, struct err *e)
{
	struct stat st;
	if (fstatat(rootfd, clean, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st.st_mode) && !is_dir)
		return err_set(e, "cannot overwrite directory \"%s\" with non-directory \"%s\"", clean, clean);
	if (!S_ISDIR(st.st_mode) && is_dir)
		return err_set(e, "cannot overwrite non-directory \"%s\" with directory \"%s\"", clean, clean);
	return 0;
}

static int copy_data(struct archive *a, struct archive *w, const char *clean, struct rctx *r)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int rc;
	while ((rc = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(w, buf, size, off) < ARCHIVE_OK)
			return err_set(r->e, "writing '%s': %s", clean, archive_error_string(w));
	if (rc != ARCHIVE_EOF)
		return r->failed ? -1 : err_set(r->e, "reading '%s' from the box: %s", clean, archive_error_string(a));
	return 0;
}

static int extract_one(struct archive *a, struct archive *w, struct archive_entry *ent, int rootfd, const char *dir,
		       const char *from, const char *to, struct rctx *r)
{
	char *name = rebase(archive_entry_pathname(ent), from, to), *clean = NULL, *abs = NULL;
	const char *hl = archive_entry_hardlink(ent);
	mode_t type = archive_entry_filetype(ent);
	int rc = -1;

	if (image_path_clean(name, &clean, r->e) < 0)
		goto out;
	if (!*clean) { /* the destination itself: left as it is, as docker does */
		rc = type == AE_IFDIR ? 0 : err_set(r->e, "cannot overwrite the destination with \"%s\"", name);
		goto out;
	}
	if (image_path_check_parents(rootfd, clean, r->e) < 0)
		goto out;
	if (!hl && (type == AE_IFCHR || type == AE_IFBLK)) {
		/* a box's device node would give the host's users that device */
		err_set(r->e, "refusing to create device node \"%s\" on the host", clean);
		goto out;
	}
	if (type == AE_IFLNK && !hl) {
		const char *target = archive_entry_symlink(ent);
		if (!target || !cp_link_inside(clean, target)) {
			err_set(r->e, "invalid symlink \"%s\" -> \"%s\"", clean, target ? target : "");
			goto out;
		}
	}
	if (hl) {
		char *t = rebase(hl, from, to), *tclean = NULL;
		int bad = image_path_clean(t, &tclean, r->e) < 0 || !*tclean ||
			  image_path_check_parents(rootfd, tclean, r->e) < 0;
		if (!bad) {
			char *tabs = xasprintf("%s/%s", dir, tclean);
			archive_entry_set_hardlink(ent, tabs);
			free(tabs);
		} else {
			err_set(r->e, "invalid hardlink \"%s\" -> \"%s\"", clean, hl);
		}
		free(t);
		free(tclean);
		if (bad)
			goto out;
	}
	if (conflicts(rootfd, clean, type == AE_IFDIR && !hl, r->e) < 0)
		goto out;
	abs = xasprintf("%s/%s", dir, clean);
	archive_entry_set_pathname(ent, abs);
	if (archive_write_header(w, ent) < ARCHIVE_WARN) {
		err_set(r->e, "extracting '%s': %s", clean, archive_error_string(w));
		goto out;
	}
	if (archive_entry_size(ent) > 0 && copy_data(a, w, clean, r) < 0)
		goto out;
	if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
		err_set(r->e, "extracting '%s': %s", clean, archive_error_string(w));
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(clean);
	free(abs);
	return rc;
}

int cp_untar_host(cp_read_fn fn, void *arg, const char *dir, const char *from, const char *to, struct err *e)
{
	struct rctx r = {.fn = fn, .arg = arg, .e = e};
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	struct archive_entry *ent;
	int rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc, ret = 0;
	char *real = rootfd >= 0 ? realpath(dir, NULL) : NULL;

	if (!real) {
		ret = err_sys(e, errno, "opening '%s'", dir);
		goto out;
	}
	archive_read_support_format_tar(a);
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						  ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open(a, &r, NULL, on_read, NULL) != ARCHIVE_OK) {
		ret = r.failed ? -1 : err_set(e, "the box sent an invalid archive: %s", archive_error_string(a));
		goto out;
	}
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		ret = extract_one(a, w, ent, rootfd, real, from, to, &r);
		if (ret < 0)
			break;
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = r.failed ? -1 : err_set(e, "the box sent an invalid archive: %s", archive_error_string(a));
	/* the rest of the stream (the end blocks, the guest's EXIT) */
	if (ret == 0) {
		const void *p;
		ssize_t n;
		while ((n = fn(arg, &p, e)) > 0)
			;
		if (n < 0)
			ret = -1;
	}
	if (archive_write_close(w) < ARCHIVE_WARN && ret == 0)
		ret = err_set(e, "finishing the copy: %s", archive_error_string(w));
out:
	archive_read_free(a);
	archive_write_free(w);
	if (rootfd >= 0)
		close(rootfd);
	free(real);
	return ret;
}

/* ---- compressed input for `cp - BOX:DIR` ---- */

int cp_is_compressed(const unsigned char *p, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
	} m[] = {{"\x1f\x8b", 2}, {"BZh", 3}, {"\xfd" "7zXZ\x00", 6}, {"\x28\xb5\x2f\xfd", 4}};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (n >= m[i].len && !memcmp(p, m[i].magic, m[i].len))
			return 1;
	return 0;
}

int cp_retar(cp_read_fn fn, void *arg, cp_write_fn out, void *out_arg, struct err *e)
{
	struct rctx r = {.fn = fn, .arg = arg, .e = e};
	struct wctx w = {.fn = out, .arg = out_arg, .e = e};
	struct archive *a = archive_read_new(), *o = archive_write_new();
	struct archive_entry *ent;
	char *buf = xmalloc(CHUNK);
	int rc, ret = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_write_set_format_pax_restricted(o);
	archive_write_set_bytes_in_last_block(o, 1);
	if (archive_read_open(a, &r, NULL, on_read, NULL) != ARCHIVE_OK) {
		ret = r.failed ? -1 : err_set(e, "the archive on stdin is not a tar: %s", archive_error_string(a));
		goto out;
	}
	if (archive_write_open(o, &w, NULL, on_write, NULL) != ARCHIVE_OK) {
		ret = err_set(e, "starting the archive: %s", archive_error_string(o));
		goto out;
	}
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		la_ssize_t n;
		archive_entry_sparse_clear(ent);
		if (archive_write_header(o, ent) < ARCHIVE_WARN) {
			ret = w.failed ? -1 : err_set(e, "archiving '%s': %s", archive_entry_pathname(ent), archive_error_string(o));
			break;
		}
		while ((n = archive_read_data(a, buf, CHUNK)) > 0)
			if (archive_write_data(o, buf, (size_t)n) < 0) {
				ret = w.failed ? -1 : err_set(e, "archiving: %s", archive_error_string(o));
				break;
			}
		if (ret == 0 && n < 0)
			ret = r.failed ? -1 : err_set(e, "reading the archive on stdin: %s", archive_error_string(a));
		if (ret < 0)
			break;
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = r.failed ? -1 : err_set(e, "reading the archive on stdin: %s", archive_error_string(a));
	if (archive_write_close(o) != ARCHIVE_OK && ret == 0)
		ret = w.failed ? -1 : err_set(e, "finishing the archive: %s", archive_error_string(o));
out:
	archive_read_free(a);
	archive_write_free(o);
	free(buf);
	return ret;
}
