/*
 * libFuzzer target: tar streams from the host (guest/init/tar.c) and their
 * extraction (guest/init/untar.c). The input is fed in chunks whose sizes
 * come from its first byte, then extracted below a fresh directory; nothing
 * may appear next to that directory (an entry that escaped it).
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tar.h"
#include "untar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* pre-order: make every directory readable before nftw reads it */
static int open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || (flag == FTW_DNR && S_ISDIR(st->st_mode)))
		chmod(path, 0700);
	return 0;
}

static char top[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tar_reader r;
	struct untar u;
	char dest[96];
	size_t chunk, off = 0;
	int root, rc = 0, entries = 0, owner;
	DIR *d;
	struct dirent *de;

	if (!size)
		return 0;
	if (!top[0]) {
		snprintf(top, sizeof(top), "/tmp/fuzz-tar-XXXXXX");
		if (!mkdtemp(top))
			abort();
	}
	chunk = (size_t)(data[0] >> 1) * 7 + 1;
	owner = data[0] & 1;
	data++;
	size--;
	snprintf(dest, sizeof(dest), "%s/d", top);
	if (mkdir(dest, 0755) < 0)
		abort();
	root = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
	tar_reader_init(&r);
	untar_init(&u, root, owner);
	while (off < size && rc == 0) {
		size_t n = size - off < chunk ? size - off : chunk;
		/* a copy, so ASan sees reads past the chunk */
		uint8_t *buf = malloc(n);

		memcpy(buf, data + off, n);
		rc = tar_reader_feed(&r, buf, n, &untar_sink, &u);
		free(buf);
		off += n;
	}
	if (rc >= 0)
		(void)untar_finish(&u);
	untar_release(&u);
	tar_reader_release(&r);
	close(root);
	/* only "d" may exist in top */
	d = opendir(top);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "d"))
			abort();
		else
			entries++;
	closedir(d);
	(void)entries;
	chmod(dest, 0755);
	nftw(dest, open_up, 16, FTW_PHYS);
	if (nftw(dest, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		abort();
	return 0;
}
