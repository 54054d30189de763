/*
 * a3s-box cp [OPTIONS] BOX:SRC_PATH DEST_PATH|-
 * a3s-box cp [OPTIONS] SRC_PATH|- BOX:DEST_PATH
 * Docker's rules (docs/cp.md): a running box is reached through its exec
 * port, a stopped one through a maintenance boot of its own disks.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box/cparchive.h"
#include "box/cppath.h"
#include "box/maint.h"
#include "box/record.h"
#include "box/store.h"
#include "box/xfer.h"
#include "cli.h"
#include "util/humanize.h"
#include "util/io.h"
#include "util/xalloc.h"

static const char cp_help[] =
	"\nUsage:  a3s-box cp [OPTIONS] BOX:SRC_PATH DEST_PATH|-\n"
	"\ta3s-box cp [OPTIONS] SRC_PATH|- BOX:DEST_PATH\n\n"
	"Copy files/folders between a box and the local filesystem\n\n"
	"Use '-' as the source to read a tar archive from stdin\n"
	"and extract it to a directory destination in a box.\n"
	"Use '-' as the destination to stream a tar archive of a\n"
	"box source to stdout.\n\nOptions:\n"
	"  -a, --archive       Archive mode (copy all uid/gid information)\n"
	"  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
	"  -q, --quiet         Suppress progress output during copy. Progress output is automatically suppressed if no\n"
	"                      terminal is attached\n";

struct cp {
	struct cli_ctx *ctx;
	bool archive, follow, quiet;
	const char *box_arg; /* the box as the user named it */
	struct box_record *b;
	struct box_maint *maint;
	char *vsock;
	long long copied;
};

/* docker's splitCpArg: "BOX:PATH", unless the argument is a local path. */
static bool split_arg(const char *arg, char **box, const char **path)
{
	const char *colon = strchr(arg, ':');
	if (arg[0] == '/' || !colon || arg[0] == '.') {
		*path = arg;
		return false;
	}
	*box = xstrndup(arg, (size_t)(colon - arg));
	*path = colon + 1;
	return true;
}

/* An absolute local path keeping a trailing "/" or "/.". */
static char *local_abs(const char *p)
{
	char cwd[PATH_MAX], *j, *r;
	if (p[0] == '/')
		return cp_path_norm(p);
	if (!getcwd(cwd, sizeof(cwd)))
		return cp_path_norm(p);
	j = xasprintf("%s/%s", cwd, p);
	r = cp_path_norm(j);
	free(j);
	return r;
}

/* A box path: relative to the box's root. */
static char *box_abs(const char *p)
{
	char *j = xasprintf("/%s", p), *r = cp_path_norm(j);
	free(j);
	return r;
}

/* Find the box and a way to reach its files. */
static int reach(struct cp *c)
{
	struct cli_ctx *ctx = c->ctx;
	if (box_store_find(ctx->root, c->box_arg, &c->b, &ctx->err) < 0)
		return -1;
	if (!strcmp(c->b->state, "paused"))
		return err_setk(&ctx->err, ERR_CONFLICT, "box %s is paused, unpause the box first", c->box_arg);
	if (!strcmp(c->b->state, "running")) {
		char *dir = box_dir(ctx->root, c->b->id);
		c->vsock = box_vsock_path(dir);
		free(dir);
		return 0;
	}
	if (!strcmp(c->b->state, "restarting"))
		return err_setk(&ctx->err, ERR_CONFLICT, "box %s is restarting, wait until it runs", c->box_arg);
	if (box_maint_start(ctx->root, c->b, &c->maint, &ctx->err) < 0)
		return -1;
	c->vsock = xstrdup(box_maint_vsock(c->maint));
	return 0;
}

static int not_found(struct cp *c, const char *path)
{
	return err_setk(&c->ctx->err, ERR_NOT_FOUND, "Could not find the file %s in box %s", path, c->box_arg);
}

static bool progress(const struct cp *c)
{
	return !c->quiet && isatty(2);
}

static void progress_start(const struct cp *c)
{
	if (progress(c))
		fputs("\0337Preparing to copy...\n", stderr);
}

static void progress_done(const struct cp *c, const char *dst)
{
	char sz[32];
	if (!progress(c))
		return;
	fprintf(stderr, "\0338\033[2KSuccessfully copied %s to %s\n", human_size((double)c->copied, 3, sz, sizeof(sz)),
		dst);
}

/* ---- from the box ---- */

static ssize_t get_read(void *arg, const void **p, struct err *e)
{
	return xfer_get_read(arg, p, e);
}

/* docker's ValidateOutputPath */
static int validate_output(struct cp *c, const char *dst)
{
	char *clean = cp_path_clean(dst), *dir = cp_path_dir(clean);
	struct stat st;
	int rc = 0;
	if (strcmp(dir, ".") && stat(dir, &st) < 0 && errno == ENOENT)
		rc = err_set(&c->ctx->err, "invalid output path: directory \"%s\" does not exist", dir);
	else if (stat(dst, &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		rc = err_set(&c->ctx->err, "invalid output path: \"%s\" must be a directory or a regular file", dst);
	free(clean);
	free(dir);
	return rc;
}

/* docker's CopyInfoDestinationPath: follow dst's own symlinks. */
static int dest_info(struct cp *c, const char *dst, char **path, bool *exists, bool *is_dir)
{
	char *p = xstrdup(dst);
	struct stat st;
	int n = 0;
	while (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
		char target[PATH_MAX], *dir, *next;
		ssize_t len = readlink(p, target, sizeof(target) - 1);
		if (++n > 10 || len < 0) {
			free(p);
			return err_set(&c->ctx->err, "too many symlinks in %s", dst);
		}
		target[len] = '\0';
		dir = cp_path_dir(p);
		next = cp_path_join(dir, target);
		free(dir);
		free(p);
		p = next;
	}
	if (lstat(p, &st) == 0) {
		*exists = true;
		*is_dir = S_ISDIR(st.st_mode);
	} else {
		char *dir, *base;
		int en = errno;
		if (en != ENOENT) {
			free(p);
			return err_sys(&c->ctx->err, en, "lstat %s", dst);
		}
		cp_path_split(p, &dir, &base);
		free(base);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			int rc = stat(dir, &st) < 0 ? err_sys(&c->ctx->err, errno, "stat %s", dir)
						    : err_set(&c->ctx->err, "not a directory");
			free(dir);
			free(p);
			return rc;
		}
		free(dir);
		*exists = *is_dir = false;
	}
	*path = p;
	return 0;
}

/*
 * docker's PrepareArchiveCopy: where to extract (*dir) and the name the
 * archive's top entry takes there (*to; NULL: unchanged).
 */
static int prepare(struct cp *c, bool src_dir, const char *dst, bool exists, bool is_dir, char **dir, char **to)
{
	char *base;
	if (exists && is_dir) {
		*dir = xstrdup(dst);
		*to = NULL;
		return 0;
	}
	if (exists && src_dir)
		return err_set(&c->ctx->err, "cannot copy directory");
	if (!exists && !src_dir && cp_path_asserts_dir(dst))
		return err_set(&c->ctx->err, "no such directory");
	cp_path_split(dst, dir, &base);
	*to = base;
	return 0;
}

static int from_box(struct cp *c, const char *src_arg, const char *dst_arg)
{
	struct err *e = &c->ctx->err;
	struct xfer_get g = {.fd = -1};
	char *dst = NULL, *src = box_abs(src_arg), *rebase = NULL, *sdir = NULL, *sbase = NULL, *top;
	char *dpath = NULL, *xdir = NULL, *to = NULL;
	bool exists = false, is_dir = false;
	int rc = -1;

	if (strcmp(dst_arg, "-")) {
		dst = local_abs(dst_arg);
		if (validate_output(c, dst) < 0)
			goto out;
	}
	if (reach(c) < 0)
		goto out;
	if (c->follow) {
		struct xfer_stat st = {0};
		if (xfer_stat(c->vsock, src, &st, e) == 0 && S_ISLNK(st.mode) && st.link) {
			char *pdir, *pbase, *target, *resolved;
			cp_path_split(src, &pdir, &pbase);
			target = cp_path_join(pdir, st.link);
			resolved = cp_path_rebase_name(src, target, &rebase);
			free(src);
			src = resolved;
			free(pdir);
			free(pbase);
			free(target);
		}
		xfer_stat_release(&st);
	}
	cp_path_split(src, &sdir, &sbase);
	top = rebase ? rebase : !strcmp(sbase, "/") ? "." : sbase;
	if (xfer_get_open(&g, c->vsock, src, top, e) < 0) {
		if (e->kind == ERR_NOT_FOUND && e->errnum == ENOENT)
			not_found(c, rebase ? src : src_arg); /* the path as sent, as docker's daemon says it */
		goto out;
	}
	if (!dst) {
		const void *p;
		ssize_t n;
		while ((n = xfer_get_read(&g, &p, e)) > 0)
			if (io_write_all(1, p, (size_t)n) < 0) {
				err_sys(e, errno, "writing the archive to stdout");
				goto out;
			}
		rc = n < 0 ? -1 : 0;
		goto out;
	}
	if (dest_info(c, dst, &dpath, &exists, &is_dir) < 0 ||
	    prepare(c, S_ISDIR(g.st.mode), dpath, exists, is_dir, &xdir, &to) < 0)
		goto out;
	progress_start(c);
	rc = cp_untar_host(get_read, &g, xdir, to ? top : NULL, to, e);
	c->copied = g.total;
	if (rc == 0)
		progress_done(c, dst);
out:
	xfer_get_close(&g);
	free(dst);
	free(src);
	free(rebase);
	free(sdir);
	free(sbase);
	free(dpath);
	free(xdir);
	free(to);
	return rc;
}

/* ---- into the box ---- */

struct put {
	int fd;
	long long *copied;
};

static int put_write(void *arg, const void *p, size_t n, struct err *e)
{
	struct put *pt = arg;
	*pt->copied += (long long)n;
	return xfer_put_write(pt->fd, p, n, e);
}

/* stdin, the first chunk of which was read ahead to look at */
struct in {
	uint8_t *buf;
	size_t first; /* bytes of buf still to hand out first */
};

static ssize_t in_read(void *arg, const void **p, struct err *e)
{
	struct in *in = arg;
	ssize_t n;
	if (in->first) {
		n = (ssize_t)in->first;
		in->first = 0;
		*p = in->buf;
		return n;
	}
	do
		n = read(0, in->buf, 64 * 1024);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, errno, "reading the archive from stdin");
	*p = in->buf;
	return n;
}

/* `cp - BOX:DIR`: stdin's tar as it is; a compressed one is unpacked first. */
static int put_stdin(int fd, struct err *e)
{
	struct in in = {.buf = xmalloc(64 * 1024)};
	const void *p;
	ssize_t n = in_read(&in, &p, e);
	int rc = n < 0 ? -1 : 0;
	in.first = n > 0 ? (size_t)n : 0;
	if (rc == 0 && cp_is_compressed(in.buf, in.first)) {
		long long ignored = 0;
		struct put pt = {.fd = fd, .copied = &ignored};
		rc = cp_retar(in_read, &in, put_write, &pt, e);
	} else {
		while (rc == 0 && (n = in_read(&in, &p, e)) > 0)
			rc = xfer_put_write(fd, p, (size_t)n, e);
		if (n < 0)
			rc = -1;
	}
	free(in.buf);
	return rc;
}

/* docker's CopyInfoSourcePath: resolve symlinks in the directory part (all with -L). */
static int source_info(struct cp *c, const char *src, char **path, char **rebase, bool *is_dir)
{
	struct err *e = &c->ctx->err;
	struct stat st;
	char *resolved;
	*rebase = NULL;
	if (c->follow) {
		char *real = realpath(src, NULL);
		if (!real)
			return err_sys(e, errno, "lstat %s", src);
		resolved = cp_path_rebase_name(src, real, rebase);
		free(real);
	} else {
		const char *slash = strrchr(src, '/');
		char *dirpart = xstrndup(src, (size_t)(slash - src) + 1), *real = realpath(dirpart, NULL), *b;
		if (!real) {
			int en = errno;
			char *clean = cp_path_clean(dirpart);
			err_sys(e, en, "lstat %s", clean);
			free(clean);
			free(dirpart);
			return -1;
		}
		resolved = xasprintf("%s%s%s", real, strcmp(real, "/") ? "/" : "", slash + 1);
		b = cp_path_base(src);
		if (cp_path_trailing_sep(src)) {
			char *rb = cp_path_base(resolved);
			if (strcmp(b, rb))
				*rebase = xstrdup(b);
			free(rb);
		}
		free(b);
		free(real);
		free(dirpart);
	}
	if (lstat(resolved, &st) < 0) {
		err_sys(e, errno, "lstat %s", resolved);
		free(resolved);
		free(*rebase);
		*rebase = NULL;
		return -1;
	}
	*is_dir = S_ISDIR(st.st_mode);
	*path = resolved;
	return 0;
}

static int to_box(struct cp *c, const char *src_arg, const char *dst_arg)
{
	struct err *e = &c->ctx->err;
	struct xfer_stat st = {0};
	char *src = NULL, *dst = box_abs(dst_arg), *dpath = xstrdup(dst), *rebase = NULL, *sdir = NULL, *sbase = NULL;
	char *xdir = NULL, *to = NULL, *shown = NULL;
	bool exists = false, is_dir = false, src_dir = false;
	int rc = -1, fd = -1, src_rc = 0;

	if (strcmp(src_arg, "-"))
		src = local_abs(src_arg);
	if (reach(c) < 0)
		goto out;
	src_rc = xfer_stat(c->vsock, dst, &st, e);
	if (src_rc == 0 && S_ISLNK(st.mode) && st.link) {
		char *pdir, *pbase;
		cp_path_split(dst, &pdir, &pbase);
		free(dpath);
		dpath = cp_path_join(pdir, st.link);
		free(pdir);
		free(pbase);
		xfer_stat_release(&st);
		src_rc = xfer_stat(c->vsock, dpath, &st, e);
	}
	if (src_rc < 0 && e->kind != ERR_NOT_FOUND)
		goto out;
	if (src_rc == 0) {
		if (S_ISCHR(st.mode) || S_ISBLK(st.mode) || S_ISFIFO(st.mode) || S_ISSOCK(st.mode)) {
			err_set(e, "destination \"%s:%s\" must be a directory or a regular file: got %s", c->box_arg,
				dst_arg, S_ISCHR(st.mode) || S_ISBLK(st.mode) ? "a device" : "an irregular file");
			goto out;
		}
		exists = true;
		is_dir = S_ISDIR(st.mode);
	}
	err_clear(e);
	shown = xasprintf("%s:%s", c->box_arg, dpath);
	if (!src) {
		if (!is_dir) {
			err_set(e, "destination \"%s:%s\" must be a directory", c->box_arg, dst_arg);
			goto out;
		}
		fd = xfer_put_open(c->vsock, dpath, c->archive, e);
		if (fd < 0)
			goto put_failed;
		progress_start(c);
		if (put_stdin(fd, e) < 0)
			goto put_failed;
		rc = xfer_put_finish(fd, e);
		fd = -1;
		if (rc < 0)
			goto put_failed;
		progress_done(c, shown);
		goto out;
	}
	if (source_info(c, src, &sdir, &rebase, &src_dir) < 0)
		goto out;
	{
		char *d, *base;
		cp_path_split(sdir, &d, &base);
		free(d);
		sbase = rebase ? xstrdup(rebase) : base;
		if (rebase)
			free(base);
	}
	if (prepare(c, src_dir, dpath, exists, is_dir, &xdir, &to) < 0)
		goto out;
	{
		struct put pt = {.copied = &c->copied};
		pt.fd = fd = xfer_put_open(c->vsock, xdir, c->archive, e);
		if (fd < 0)
			goto put_failed;
		progress_start(c);
		rc = cp_tar_host(sdir, to ? to : sbase, put_write, &pt, e);
		if (rc < 0) {
			close(fd);
			fd = -1;
			goto put_failed;
		}
		rc = xfer_put_finish(fd, e);
		fd = -1;
		if (rc < 0)
			goto put_failed;
	}
	progress_done(c, shown);
	goto out;
put_failed:
	rc = -1;
	if (e->kind == ERR_NOT_FOUND && e->errnum == ENOENT)
		not_found(c, xdir ? xdir : dpath);
out:
	if (fd >= 0)
		close(fd);
	xfer_stat_release(&st);
	free(src);
	free(dst);
	free(dpath);
	free(rebase);
	free(sdir);
	free(sbase);
	free(xdir);
	free(to);
	free(shown);
	return rc;
}

int cmd_cp(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"archive", no_argument, NULL, 'a'}, {"follow-link", no_argument, NULL, 'L'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'H'}, {NULL, 0, NULL, 0}};
	struct cp c = {.ctx = ctx};
	char *sbox = NULL, *dbox = NULL;
	const char *spath, *dpath;
	bool from, to;
	int opt, rc;
	struct err stop = ERR_INIT;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+aLq", opts, NULL)) != -1) {
		switch (opt) {
		case 'a': c.archive = true; break;
		case 'L': c.follow = true; break;
		case 'q': c.quiet = true; break;
		case 'H': fputs(cp_help, stdout); return 0;
		default: return cli_usage_error(ctx, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(ctx, "\"cp\" requires exactly 2 arguments");
	if (!*argv[optind])
		return cli_usage_error(ctx, "source can not be empty");
	if (!*argv[optind + 1])
		return cli_usage_error(ctx, "destination can not be empty");
	from = split_arg(argv[optind], &sbox, &spath);
	to = split_arg(argv[optind + 1], &dbox, &dpath);
	signal(SIGPIPE, SIG_IGN);
	if (from && to) {
		err_set(&ctx->err, "copying between boxes is not supported");
		rc = -1;
	} else if (!from && !to) {
		err_set(&ctx->err, "must specify at least one box source");
		rc = -1;
	} else if (from) {
		c.box_arg = sbox;
		rc = from_box(&c, spath, dpath);
	} else {
		c.box_arg = dbox;
		rc = to_box(&c, spath, dpath);
	}
	if (box_maint_stop(c.maint, &stop) < 0 && rc == 0) {
		ctx->err = stop;
		rc = -1;
	}
	if (rc < 0) {
		/* docker cp fails with 1 whatever went wrong */
		(void)cli_fail(ctx);
		rc = 1;
	}
	free(c.vsock);
	box_record_free(c.b);
	free(sbox);
	free(dbox);
	return rc;
}
