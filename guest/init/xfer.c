#include "xfer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "log.h"
#include "tar.h"
#include "untar.h"

/* the host must keep the stream going: a stall this long ends the request */
#define IDLE_TIMEOUT_MS 60000
#define OUT_CHUNK (64 * 1024)

int xfer_is_request(uint8_t type)
{
	return type == A3S_FRAME_STAT_REQ || type == A3S_FRAME_ARCHIVE_GET || type == A3S_FRAME_ARCHIVE_PUT;
}

const char *xfer_record(const char *buf, size_t len, const char *key)
{
	const char *p = buf, *end = buf + len, *found = NULL;

	while (p < end) {
		const char *k = p, *kend = memchr(k, '\0', (size_t)(end - k)), *v, *vend;

		if (!kend)
			return NULL;
		v = kend + 1;
		vend = v < end ? memchr(v, '\0', (size_t)(end - v)) : NULL;
		if (!vend)
			return NULL;
		if (!strcmp(k, key))
			found = v;
		p = vend + 1;
	}
	return found;
}

static void __attribute__((noreturn)) finish(struct ctl *c, int code, const char *msg)
{
	if (frame_write_exit(c->fd, (uint32_t)code, msg) < 0)
		log_dbg("cp: reporting the result: %m");
	_exit(0);
}

static void __attribute__((noreturn)) fail_errno(struct ctl *c, int en, const char *what, const char *path)
{
	char msg[TAR_NAME_MAX + 128];

	snprintf(msg, sizeof(msg), "%s '%s': %s", what, path, strerror(en));
	finish(c, en ? en : 1, msg);
}

/* ---- records ---- */

struct rec {
	char *p;
	size_t len, cap;
};

static void rec_add(struct rec *r, const char *k, const char *v)
{
	size_t kl = strlen(k) + 1, vl = strlen(v) + 1;

	if (r->len + kl + vl > r->cap) {
		r->cap = (r->len + kl + vl) * 2;
		r->p = xrealloc(r->p, r->cap);
	}
	memcpy(r->p + r->len, k, kl);
	memcpy(r->p + r->len + kl, v, vl);
	r->len += kl + vl;
}

static const char *base_name(const char *path)
{
	const char *end = path + strlen(path), *b;

	while (end > path + 1 && end[-1] == '/')
		end--;
	for (b = end; b > path && b[-1] != '/'; b--)
		;
	return b;
}

/* Send STAT for path (st already taken). */
static int send_stat(struct ctl *c, const char *path, const struct stat *st)
{
	struct rec r = { 0 };
	char num[32], link[TAR_NAME_MAX + 1], *name = xstrdup(base_name(path));
	int rc;

	name[strcspn(name, "/")] = '\0';
	rec_add(&r, A3S_XFER_NAME, *name ? name : "/");
	snprintf(num, sizeof(num), "%u", (unsigned)st->st_mode);
	rec_add(&r, A3S_XFER_MODE, num);
	snprintf(num, sizeof(num), "%lld", (long long)st->st_size);
	rec_add(&r, A3S_XFER_SIZE, num);
	snprintf(num, sizeof(num), "%lld", (long long)st->st_mtime);
	rec_add(&r, A3S_XFER_MTIME, num);
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(path, link, sizeof(link) - 1);

		link[n > 0 ? n : 0] = '\0';
		rec_add(&r, A3S_XFER_LINK, link);
	}
	rc = frame_write(c->fd, A3S_FRAME_STAT, r.p, r.len);
	free(r.p);
	free(name);
	return rc;
}

/*
 * Docker resolves a symlink in the last component only when the path ends
 * with "/" or "/.": otherwise the link itself is meant.
 */
static int stat_path(const char *path, struct stat *st)
{
	size_t n = strlen(path);
	int follow = n > 1 && (path[n - 1] == '/' || (path[n - 1] == '.' && path[n - 2] == '/'));

	return follow ? stat(path, st) : lstat(path, st);
}

/* ---- ARCHIVE_GET: the tar writer ---- */

struct out {
	struct ctl *c;
	uint8_t *buf;
	size_t len;
};

static int flush(struct out *o)
{
	int rc = o->len ? frame_write(o->c->fd, A3S_FRAME_STDOUT, o->buf, o->len) : 0;

	o->len = 0;
	return rc;
}

static int put(struct out *o, const void *p, size_t n)
{
	while (n) {
		size_t take = OUT_CHUNK - o->len < n ? OUT_CHUNK - o->len : n;

		memcpy(o->buf + o->len, p, take);
		o->len += take;
		p = (const uint8_t *)p + take;
		n -= take;
		if (o->len == OUT_CHUNK && flush(o) < 0)
			return -1;
	}
	return 0;
}

/* A file's bytes: exactly size of them (zeros if it shrank), then padding. */
static int put_file(struct out *o, int fd, uint64_t size, const char *name)
{
	static const uint8_t zero[TAR_BLOCK];
	uint64_t left = size;

	while (left) {
		size_t room = OUT_CHUNK - o->len, want = left < room ? (size_t)left : room;
		ssize_t n = read(fd, o->buf + o->len, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_errno(o->c, errno, "reading", name);
		if (n == 0) {
			memset(o->buf + o->len, 0, want);
			n = (ssize_t)want;
		}
		o->len += (size_t)n;
		left -= (uint64_t)n;
		if (o->len == OUT_CHUNK && flush(o) < 0)
			return -1;
	}
	return put(o, zero, (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

/* Emit leaf (in dirfd; or a path with AT_FDCWD) as tarname, recursively. */
static int emit(struct out *o, int dirfd, const char *leaf, const char *tarname, const struct stat *given)
{
	uint8_t *hdr = xmalloc(TAR_HDR_MAX);
	char link[TAR_NAME_MAX + 1], *name;
	const char *linkp = NULL;
	struct stat st;
	int rc = -1, fd;

	if (given)
		st = *given;
	else if (fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		fail_errno(o->c, errno, "reading", tarname);
	if (S_ISSOCK(st.st_mode)) { /* as docker: sockets are not archived */
		free(hdr);
		return 0;
	}
	if (strlen(tarname) + 2 > TAR_NAME_MAX)
		finish(o->c, ENAMETOOLONG, "a path in the archive is too long");
	name = xasprintf("%s%s", tarname, S_ISDIR(st.st_mode) && strcmp(tarname, "/") ? "/" : "");
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dirfd, leaf, link, sizeof(link) - 1);

		if (n < 0)
			fail_errno(o->c, errno, "reading", tarname);
		link[n] = '\0';
		linkp = link;
	}
	if (put(o, hdr, tar_header(name, &st, linkp, hdr)) < 0)
		goto out;
	if (S_ISREG(st.st_mode)) {
		fd = openat(dirfd, leaf, O_RDONLY | O_CLOEXEC | (given ? 0 : O_NOFOLLOW));
		if (fd < 0)
			fail_errno(o->c, errno, "reading", tarname);
		rc = put_file(o, fd, (uint64_t)st.st_size, tarname);
		close(fd);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d;
		struct dirent *de;

		fd = openat(dirfd, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (given ? 0 : O_NOFOLLOW));
		if (fd < 0 || !(d = fdopendir(fd)))
			fail_errno(o->c, errno, "reading", tarname);
		rc = 0;
		while (rc == 0 && (errno = 0, de = readdir(d))) {
			char *child;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			child = xasprintf("%s%s%s", tarname, strcmp(tarname, "/") ? "/" : "", de->d_name);
			rc = emit(o, fd, de->d_name, child, NULL);
			free(child);
		}
		if (rc == 0 && errno)
			fail_errno(o->c, errno, "reading", tarname);
		closedir(d);
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(hdr);
	return rc;
}

static void __attribute__((noreturn)) get(struct ctl *c, const char *path, const char *name)
{
	static const uint8_t end[2 * TAR_BLOCK];
	struct out o = { .c = c, .buf = xmalloc(OUT_CHUNK) };
	struct stat st;

	if (stat_path(path, &st) < 0)
		fail_errno(c, errno, "reading", path);
	if (send_stat(c, path, &st) < 0)
		_exit(0);
	if (emit(&o, AT_FDCWD, path, name, &st) < 0 || put(&o, end, sizeof(end)) < 0 || flush(&o) < 0)
		_exit(0); /* the host went away */
	finish(c, 0, NULL);
}

/* ---- ARCHIVE_PUT ---- */

static void __attribute__((noreturn)) put_archive(struct ctl *c, const char *path, int keep_owner)
{
	struct tar_reader r;
	struct untar u;
	struct stat st;
	int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC), rc = 0, done = 0;

	if (root < 0) {
		int en = errno;

		if (en == ENOTDIR || (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)))
			finish(c, ENOTDIR, "extraction point is not a directory");
		fail_errno(c, en, "opening", path);
	}
	tar_reader_init(&r);
	untar_init(&u, root, keep_owner);
	while (!done) {
		struct frame f;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int n;

		while (!done && (n = frame_reader_next(&c->rd, &f)) > 0) {
			if (f.type != A3S_FRAME_STDIN)
				continue;
			if (!f.len) {
				done = 1;
				break;
			}
			if (rc == 0)
				rc = tar_reader_feed(&r, f.payload, f.len, &untar_sink, &u);
			if (rc < 0)
				finish(c, EINVAL, r.error[0] ? r.error : u.err.msg);
			/* rc 1: the archive ended; the rest is drained */
		}
		if (done)
			break;
		if (n < 0)
			_exit(0);
		n = poll(&p, 1, IDLE_TIMEOUT_MS);
		if (n == 0)
			finish(c, ETIMEDOUT, "the archive stopped arriving");
		if (n > 0 && frame_reader_fill(&c->rd) <= 0)
			_exit(0); /* the host went away */
	}
	if (rc == 0 && !tar_reader_at_boundary(&r))
		finish(c, EINVAL, "invalid tar stream: it ends in the middle of an entry");
	if (untar_finish(&u) < 0)
		finish(c, EIO, u.err.msg);
	untar_release(&u);
	tar_reader_release(&r);
	finish(c, 0, NULL);
}

void xfer_serve(struct ctl *c, uint8_t type, char *payload, size_t len)
{
	const char *path = xfer_record(payload, len, A3S_XFER_PATH);
	const char *name = xfer_record(payload, len, A3S_XFER_NAME);
	const char *owner = xfer_record(payload, len, A3S_XFER_OWNER);
	struct stat st;

	if (!path || path[0] != '/')
		finish(c, EINVAL, "invalid cp request: no absolute path");
	switch (type) {
	case A3S_FRAME_STAT_REQ:
		if (stat_path(path, &st) < 0)
			fail_errno(c, errno, "reading", path);
		if (send_stat(c, path, &st) < 0)
			_exit(0);
		finish(c, 0, NULL);
	case A3S_FRAME_ARCHIVE_GET:
		if (!name || !*name)
			finish(c, EINVAL, "invalid cp request: no entry name");
		get(c, path, name);
	default:
		put_archive(c, path, owner && !strcmp(owner, "1"));
	}
}
