/* Unpacking the outer archive of an image load into a staging directory. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/load_int.h"
#include "image/path.h"
#include "util/fs.h"

#define MAX_LINK_HOPS 16

static struct stage_entry *add(struct stage *s, char *name)
{
	struct stage_entry *ent;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	ent = &s->v[s->n++];
	memset(ent, 0, sizeof(*ent));
	ent->name = name;
	return ent;
}

/* Latest member called name (later members replace earlier ones). */
static const struct stage_entry *lookup(const struct stage *s, const char *name)
{
	for (size_t i = s->n; i-- > 0;)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

/* target of symlink `name`, as a member name; NULL when it leaves the archive. */
static char *resolve_link(const char *name, const char *target)
{
	struct strv parts = STRV_INIT;
	char *buf, *out, *c, *next;
	size_t len = 0;
	const char *slash = strrchr(name, '/');

	buf = target[0] == '/' ? xstrdup(target) : xasprintf("%.*s/%s", slash ? (int)(slash - name) : 0, name, target);
	for (c = buf; c; c = next) {
		next = strchr(c, '/');
		if (next)
			*next++ = '\0';
		if (!*c || !strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (!parts.n) {
				free(buf);
				strv_release(&parts);
				return NULL;
			}
			free(parts.v[--parts.n]);
			parts.v[parts.n] = NULL;
			continue;
		}
		strv_push(&parts, c);
	}
	for (size_t i = 0; i < parts.n; i++)
		len += strlen(parts.v[i]) + 1;
	out = xcalloc(1, len + 1);
	len = 0;
	for (size_t i = 0; i < parts.n; i++) {
		size_t n = strlen(parts.v[i]);
		if (i)
			out[len++] = '/';
		memcpy(out + len, parts.v[i], n);
		len += n;
	}
	free(buf);
	strv_release(&parts);
	return out;
}

static int stage_member(struct stage *s, struct archive *a, struct archive_entry *ent, char *clean, struct err *e)
{
	mode_t type = archive_entry_filetype(ent);
	const char *hl = archive_entry_hardlink(ent);
	struct stage_entry *se;

	if (hl) {
		char *target;
		const struct stage_entry *t;
		if (image_path_clean(hl, &target, e) < 0) {
			free(clean);
			return -1;
		}
		t = lookup(s, target);
		free(target);
		if (!t || (!t->file && !t->link)) {
			err_set(e, "hard link '%s' in archive points at a missing member", clean);
			free(clean);
			return -1;
		}
		se = add(s, clean);
		se->file = t->file ? xstrdup(t->file) : NULL;
		se->link = t->link ? xstrdup(t->link) : NULL;
		se->size = t->size;
		return 0;
	}
	if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(ent);
		char *res = target ? resolve_link(clean, target) : NULL;
		if (!res) {
			err_set(e, "symlink '%s' in archive points outside the archive", clean);
			free(clean);
			return -1;
		}
		se = add(s, clean);
		se->link = res;
		return 0;
	}
	if (type != AE_IFREG) {
		free(clean);
		return 0; /* directories and the rest carry nothing we read */
	}
	se = add(s, clean);
	se->file = xasprintf("%s/m%zu", s->dir, s->n);
	se->size = archive_entry_size(ent);
	{
		int fd = open(se->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		int rc;
		if (fd < 0)
			return err_sys(e, errno, "staging '%s'", se->file);
		rc = archive_read_data_into_fd(a, fd);
		if (close(fd) < 0 && rc == ARCHIVE_OK)
			return err_sys(e, errno, "staging '%s'", se->file);
		if (rc < ARCHIVE_WARN)
			return err_set(e, "reading member '%s': %s", clean, archive_error_string(a));
	}
	return 0;
}

int stage_read(struct stage *s, const char *input, struct err *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	const char *shown = strcmp(input, "-") ? input : "stdin";
	int rc, ret = 0;

	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (!strcmp(input, "-"))
		rc = archive_read_open_fd(a, 0, 1 << 16);
	else
		rc = archive_read_open_filename(a, input, 1 << 16);
	if (rc != ARCHIVE_OK) {
		int en = archive_errno(a);
		if (en == ENOENT || en == EACCES || en == EISDIR || en == EPERM || en == ENOTDIR || en == EIO)
			err_sys(e, archive_errno(a), "opening '%s'", shown);
		else
			err_set(e, "'%s' is not a tar archive: %s", shown, archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ent);
		char *clean;
		if (!name) {
			ret = err_set(e, "archive member without a name");
			break;
		}
		if (image_path_clean(name, &clean, e) < 0) {
			ret = -1;
			break;
		}
		if (!*clean) {
			free(clean);
			continue;
		}
		if ((ret = stage_member(s, a, ent, clean, e)) < 0)
			break;
	}
	if (ret == 0 && rc != ARCHIVE_EOF)
		ret = err_set(e, "'%s' is not a valid tar archive: %s", shown, archive_error_string(a));
	archive_read_free(a);
	return ret < 0 ? err_wrap(e, "reading '%s'", shown) : 0;
}

const struct stage_entry *stage_find(const struct stage *s, const char *name)
{
	char *clean;
	const struct stage_entry *ent;
	struct err e;
	if (image_path_clean(name, &clean, &e) < 0)
		return NULL;
	ent = lookup(s, clean);
	for (int hops = 0; ent && !ent->file && hops < MAX_LINK_HOPS; hops++)
		ent = ent->link ? lookup(s, ent->link) : NULL;
	free(clean);
	return ent && ent->file ? ent : NULL;
}

int stage_slurp(const struct stage *s, const char *name, const char *what, char **buf, size_t *len,
		struct err *e)
{
	const struct stage_entry *ent = stage_find(s, name);
	if (!ent)
		return err_set(e, "invalid archive: %s '%s' is missing", what, name);
	if (ent->size > IMAGE_JSON_MAX)
		return err_set(e, "invalid %s: larger than %d bytes", what, IMAGE_JSON_MAX);
	return fs_read_file(ent->file, IMAGE_JSON_MAX, buf, len, e);
}

void stage_release(struct stage *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].file);
		free(s->v[i].link);
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
