#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/xalloc.h"

int fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int fs_mkdir_p(const char *path, mode_t mode, struct err *e)
{
	char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				int en = errno;
				err_sys(e, en, "creating directory '%s'", p);
				free(p);
				return -1;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return 0;
}

static int rmtree_at(int dfd, const char *name, struct err *e)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "removing '%s'", name);
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d;
		struct dirent *de;
		if (fd < 0)
			return err_sys(e, errno, "removing '%s'", name);
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return err_sys(e, errno, "removing '%s'", name);
		}
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (rmtree_at(dirfd(d), de->d_name, e) < 0) {
				closedir(d);
				return -1;
			}
		}
		closedir(d);
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return err_sys(e, errno, "removing directory '%s'", name);
		return 0;
	}
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return err_sys(e, errno, "removing '%s'", name);
	return 0;
}

int fs_rmtree(const char *path, struct err *e)
{
	if (rmtree_at(AT_FDCWD, path, e) < 0)
		return err_wrap(e, "removing '%s'", path);
	return 0;
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t n = 0, cap = 4096;
	if (fd < 0)
		return err_sys(e, errno, "reading '%s'", path);
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;
		if (n == cap) {
			if (cap >= max) {
				close(fd);
				free(buf);
				return err_set(e, "reading '%s': file is larger than %zu bytes", path, max);
			}
			cap = cap * 2 > max ? max : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int en = errno;
			close(fd);
			free(buf);
			return err_sys(e, en, "reading '%s'", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *e)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	const char *p = data;
	if (fd < 0) {
		err_sys(e, errno, "writing '%s'", path);
		free(tmp);
		return -1;
	}
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err_sys(e, errno, "writing '%s'", path);
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		err_sys(e, errno, "writing '%s'", path);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		err_sys(e, errno, "writing '%s'", path);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
fail:
	close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int fs_copy_sparse(const char *src, const char *dst, struct err *e)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	struct stat st;
	off_t off = 0;
	if (in < 0)
		return err_sys(e, errno, "copying '%s'", src);
	if (fstat(in, &st) < 0) {
		close(in);
		return err_sys(e, errno, "copying '%s'", src);
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		close(in);
		return err_sys(e, errno, "creating '%s'", dst);
	}
	/* reflink when the filesystem can; otherwise copy only the data extents */
	if (ioctl(out, FICLONE, in) == 0)
		goto done;
	if (ftruncate(out, st.st_size) < 0)
		goto fail;
	for (;;) {
		off_t data = lseek(in, off, SEEK_DATA), hole;
		if (data < 0) {
			if (errno == ENXIO)
				break;
			goto fail;
		}
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			goto fail;
		off_t i = data, o = data;
		while (i < hole) {
			ssize_t n = copy_file_range(in, &i, out, &o, (size_t)(hole - i), 0);
			if (n < 0)
				goto fail;
			if (n == 0)
				break;
		}
		off = hole;
	}
done:
	close(in);
	if (close(out) < 0) {
		unlink(dst);
		return err_sys(e, errno, "writing '%s'", dst);
	}
	return 0;
fail:
	err_sys(e, errno, "copying '%s' to '%s'", src, dst);
	close(in);
	close(out);
	unlink(dst);
	return -1;
}

char *fs_exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;
	if (n <= 0)
		return xstrdup(".");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(buf);
}

char *fs_sock_path(const char *path, int *dirfd, struct err *e)
{
	struct sockaddr_un sun;
	const char *slash = strrchr(path, '/');
	char *dir;
	*dirfd = -1;
	if (strlen(path) + FS_SOCK_SUFFIX_ROOM < sizeof(sun.sun_path) || !slash)
		return xstrdup(path);
	dir = xstrndup(path, (size_t)(slash - path));
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0) {
		err_sys(e, errno, "opening '%s'", dir);
		free(dir);
		return NULL;
	}
	free(dir);
	return xasprintf("/proc/self/fd/%d/%s", *dirfd, slash + 1);
}
