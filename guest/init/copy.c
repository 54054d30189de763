#include "copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

static int has_entries(int fd)
{
	DIR *d;
	struct dirent *de;
	int any = 0;

	/* a dup shares the offset: start from the top, and leave it there */
	lseek(fd, 0, SEEK_SET);
	d = fdopendir(dup(fd));
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			any = 1;
			break;
		}
	closedir(d);
	lseek(fd, 0, SEEK_SET);
	return any;
}

/* owner, mode, times of fd from st */
static void attrs(int fd, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	(void)fchown(fd, st->st_uid, st->st_gid);
	(void)fchmod(fd, st->st_mode & 07777);
	(void)futimens(fd, ts);
}

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st, char *buf)
{
	int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = in < 0 ? -1 : openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t n = 0;

	if (in >= 0 && out >= 0) {
		while ((n = read(in, buf, BUF_SIZE)) > 0)
			if (write_all(out, buf, (size_t)n) < 0) {
				n = -1;
				break;
			}
		if (n == 0)
			attrs(out, st);
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

static int copy_dir(int sdir, int ddir, char *buf, struct ierr *e, int depth)
{
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > 256)
		return ierr_set(e, "copying the image's content into a volume: tree too deep");
	lseek(sdir, 0, SEEK_SET);
	d = fdopendir(dup(sdir));
	if (!d)
		return ierr_sys(e, errno, "copying the image's content into a volume");
	while (r == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st;

		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(sdir, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int s, t;

			if (mkdirat(ddir, n, 0700) < 0 && errno != EEXIST) {
				r = ierr_sys(e, errno, "copying '%s' into a volume", n);
				break;
			}
			s = openat(sdir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			t = openat(ddir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s >= 0 && t >= 0) {
				r = copy_dir(s, t, buf, e, depth + 1);
				attrs(t, &st);
			} else {
				r = ierr_sys(e, errno, "copying '%s' into a volume", n);
			}
			if (s >= 0)
				close(s);
			if (t >= 0)
				close(t);
		} else if (S_ISREG(st.st_mode)) {
			if (copy_file(sdir, ddir, n, &st, buf) < 0)
				r = ierr_sys(e, errno, "copying '%s' into a volume", n);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t k = readlinkat(sdir, n, target, sizeof(target) - 1);
			struct timespec ts[2] = { st.st_atim, st.st_mtim };

			if (k < 0)
				continue;
			target[k] = '\0';
			if (symlinkat(target, ddir, n) < 0) {
				r = ierr_sys(e, errno, "copying '%s' into a volume", n);
				break;
			}
			(void)fchownat(ddir, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
			(void)utimensat(ddir, n, ts, AT_SYMLINK_NOFOLLOW);
		} else if (mknodat(ddir, n, st.st_mode, st.st_rdev) == 0) {
			(void)fchownat(ddir, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
		}
	}
	closedir(d);
	return r;
}

int copy_if_empty(const char *src, const char *dst, struct ierr *e)
{
	int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC), t = -1, r = 0;
	char *buf = NULL;
	struct stat st;

	if (s < 0)
		return 0; /* nothing in the image there */
	t = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t < 0) {
		r = ierr_sys(e, errno, "opening volume for '%s'", src);
		goto out;
	}
	if (has_entries(s) != 1 || has_entries(t) != 0 || fstat(s, &st) < 0)
		goto out;
	buf = xmalloc(BUF_SIZE);
	r = copy_dir(s, t, buf, e, 0);
	if (r == 0)
		attrs(t, &st);
out:
	free(buf);
	if (t >= 0)
		close(t);
	close(s);
	return r;
}
