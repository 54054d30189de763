/*
 * Applying a layer onto a root directory. Two passes over the tar: the
 * first applies the whiteouts (they only ever concern lower layers, so
 * doing them first is exact even when a layer lists them after its own
 * entries), the second extracts everything else with archive_write_disk.
 * Every path is cleaned and checked (image/path.h) before it is touched.
 */
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

#include "image/layer.h"
#include "image/path.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct src {
	const char *file; /* or */
	const void *buf;
	size_t len;
};

struct ctx {
	const char *root;
	int rootfd;
	struct err *e;
};

static struct archive *open_src(const struct src *s, struct err *e)
{
	struct archive *a = archive_read_new();
	int rc;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_empty(a);
	if (s->file)
		rc = archive_read_open_filename(a, s->file, 1 << 16);
	else
		rc = archive_read_open_memory(a, s->buf, s->len);
	if (rc != ARCHIVE_OK) {
		err_set(e, "layer is not a tar archive: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static char *abs_path(const struct ctx *c, const char *clean)
{
	return xasprintf("%s/%s", c->root, clean);
}

static int remove_path(const struct ctx *c, const char *clean)
{
	char *p = abs_path(c, clean);
	int rc = fs_rmtree(p, c->e);
	free(p);
	return rc;
}

/* Opaque directory: remove everything below dir that lower layers put there. */
static int clear_dir(const struct ctx *c, const char *dir)
{
	int fd = *dir ? openat(c->rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : dup(c->rootfd);
	DIR *d;
	struct dirent *de;
	int rc = 0;
	if (fd < 0)
		return 0; /* absent, or not a directory: nothing below to hide */
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_sys(c->e, errno, "reading '%s'", dir);
	}
	while (rc == 0 && (de = readdir(d))) {
		char *child;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = *dir ? xasprintf("%s/%s", dir, de->d_name) : xstrdup(de->d_name);
		rc = remove_path(c, child);
		free(child);
	}
	closedir(d);
	return rc;
}

static int whiteouts(const struct ctx *c, struct archive *a)
{
	struct archive_entry *ent;
	int rc;
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ent);
		enum image_whiteout kind;
		char *clean = NULL, *target = NULL;
		int r = 0;
		if (!name)
			return err_set(c->e, "layer has an entry without a name");
		if (image_path_clean(name, &clean, c->e) < 0)
			return -1;
		if (image_whiteout_kind(clean, &kind, &target, c->e) < 0) {
			free(clean);
			return -1;
		}
		if (kind == WH_FILE || kind == WH_OPAQUE)
			r = image_path_check_parents(c->rootfd, kind == WH_FILE ? clean : target, c->e);
		if (r == 0 && kind == WH_FILE)
			r = remove_path(c, target);
		else if (r == 0 && kind == WH_OPAQUE)
			r = clear_dir(c, target);
		free(clean);
		free(target);
		if (r < 0)
			return -1;
	}
	if (rc != ARCHIVE_EOF)
		return err_set(c->e, "layer is corrupt: %s", archive_error_string(a));
	return 0;
}

/* Make room for an entry at clean: anything there goes, except that a
 * directory entry over an existing directory merges into it. */
static int make_room(const struct ctx *c, const char *clean, bool is_dir)
{
	struct stat st;
	if (fstatat(c->rootfd, clean, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(c->e, errno, "checking '%s'", clean);
	if (is_dir && S_ISDIR(st.st_mode))
		return 0;
	return remove_path(c, clean);
}

static int prepare_hardlink(const struct ctx *c, struct archive_entry *ent, const char *clean)
{
	char *target = NULL, *abs;
	struct stat st;
	bool missing;
	if (image_path_clean(archive_entry_hardlink(ent), &target, c->e) < 0)
		return err_wrap(c->e, "hard link '%s'", clean);
	if (!*target || image_path_check_parents(c->rootfd, target, c->e) < 0) {
		if (!*target)
			err_set(c->e, "hard link '%s' points at the root", clean);
		free(target);
		return -1;
	}
	missing = fstatat(c->rootfd, target, &st, AT_SYMLINK_NOFOLLOW) < 0;
	if (missing || S_ISDIR(st.st_mode)) {
		err_set(c->e, "hard link '%s' points at '%s', which is %s", clean, target,
			missing ? "missing" : "a directory");
		free(target);
		return -1;
	}
	if (!strcmp(target, clean)) {
		free(target);
		return 1; /* a link to itself: nothing to do */
	}
	abs = abs_path(c, target);
	archive_entry_set_hardlink(ent, abs);
	free(abs);
	free(target);
	return 0;
}

static int copy_data(const struct ctx *c, struct archive *a, struct archive *w, const char *clean)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int rc;
	while ((rc = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (archive_write_data_block(w, buf, len, off) < ARCHIVE_WARN)
			return err_set(c->e, "writing '%s': %s", clean, archive_error_string(w));
	}
	if (rc != ARCHIVE_EOF)
		return err_set(c->e, "layer is corrupt at '%s': %s", clean, archive_error_string(a));
	return 0;
}

static int extract_one(const struct ctx *c, struct archive *a, struct archive *w, struct archive_entry *ent,
		       const char *clean)
{
	mode_t type = archive_entry_filetype(ent);
	bool link = archive_entry_hardlink(ent) != NULL;
	char *abs;
	int rc;

	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFCHR &&
	    type != AE_IFBLK && type != AE_IFIFO) {
		if (type == AE_IFSOCK)
			return 0; /* sockets are not content */
		return err_set(c->e, "unsupported entry type %o for '%s' in layer", (unsigned)type, clean);
	}
	if (image_path_check_parents(c->rootfd, clean, c->e) < 0)
		return -1;
	if (link) {
		rc = prepare_hardlink(c, ent, clean);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	if (make_room(c, clean, !link && type == AE_IFDIR) < 0)
		return -1;
	abs = abs_path(c, clean);
	archive_entry_set_pathname(ent, abs);
	free(abs);
	if (archive_write_header(w, ent) < ARCHIVE_WARN)
		return err_set(c->e, "extracting '%s': %s", clean, archive_error_string(w));
	if (archive_entry_size(ent) > 0 && copy_data(c, a, w, clean) < 0)
		return -1;
	if (archive_write_finish_entry(w) < ARCHIVE_WARN)
		return err_set(c->e, "extracting '%s': %s", clean, archive_error_string(w));
	return 0;
}

static int entries(const struct ctx *c, struct archive *a)
{
	struct archive *w = archive_write_disk_new();
	struct archive_entry *ent;
	int rc, ret = 0;

	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
						  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						  ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ent);
		enum image_whiteout kind;
		char *clean = NULL, *target = NULL;
		if (!name) {
			ret = err_set(c->e, "layer has an entry without a name");
			break;
		}
		if (image_path_clean(name, &clean, c->e) < 0 ||
		    image_whiteout_kind(clean, &kind, &target, c->e) < 0) {
			free(clean);
			ret = -1;
			break;
		}
		free(target);
		/* the root's own entry ("./") and whiteouts are not extracted */
		if (*clean && kind == WH_NONE)
			ret = extract_one(c, a, w, ent, clean);
		free(clean);
		if (ret < 0)
			break;
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = err_set(c->e, "layer is corrupt: %s", archive_error_string(a));
	/* closing applies the deferred directory modes and times */
	if (archive_write_close(w) < ARCHIVE_WARN && ret == 0)
		ret = err_set(c->e, "finishing layer: %s", archive_error_string(w));
	archive_write_free(w);
	return ret;
}

static int apply(const char *root, const struct src *s, struct err *e)
{
	struct ctx c = {.root = root, .e = e};
	struct archive *a;
	int rc;
	c.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0)
		return err_sys(e, errno, "opening '%s'", root);
	a = open_src(s, e);
	rc = a ? whiteouts(&c, a) : -1;
	if (a)
		archive_read_free(a);
	if (rc == 0) {
		a = open_src(s, e);
		rc = a ? entries(&c, a) : -1;
		if (a)
			archive_read_free(a);
	}
	close(c.rootfd);
	return rc;
}

int layer_apply_file(const char *root, const char *blob, struct err *e)
{
	struct src s = {.file = blob};
	return apply(root, &s, e);
}

int layer_apply_memory(const char *root, const void *buf, size_t len, struct err *e)
{
	struct src s = {.buf = buf, .len = len};
	return apply(root, &s, e);
}
