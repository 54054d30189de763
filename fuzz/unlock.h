/*
 * For fuzz targets that extract into a scratch directory as an
 * unprivileged user: archives may create directories that user cannot read
 * or enter; open everything under at/name up so the tree can be removed.
 */
#ifndef A3S_FUZZ_UNLOCK_H
#define A3S_FUZZ_UNLOCK_H

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void unlock(int at, const char *name)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return;
	fchmodat(at, name, 0700, 0);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlock(dirfd(d), de->d_name);
	closedir(d);
}

#endif
