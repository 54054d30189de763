/* libFuzzer target: a box's tar (untrusted) extracted on the host by `cp`
 * (lib/box/cparchive.c), handed over in chunks whose size comes from the
 * first byte; the second byte picks a rename of the top entry. Invariant:
 * nothing appears next to the destination. Run it as an unprivileged user
 * (see fuzz/README.md). */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box/cparchive.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include "unlock.h"

static char base[PATH_MAX];

struct feed {
	const uint8_t *p;
	size_t n, chunk;
	uint8_t *copy;
};

static ssize_t next(void *arg, const void **p, struct err *e)
{
	struct feed *f = arg;
	size_t take = f->n < f->chunk ? f->n : f->chunk;
	(void)e;
	free(f->copy);
	f->copy = NULL;
	if (!take)
		return 0;
	/* a copy, so ASan sees reads past the chunk */
	f->copy = xmalloc(take);
	memcpy(f->copy, f->p, take);
	f->p += take;
	f->n -= take;
	*p = f->copy;
	return (ssize_t)take;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct feed f;
	char *root;
	DIR *d;
	struct dirent *de;
	static const char *renames[][2] = {{NULL, NULL}, {"src", "dst"}, {".", "new"}, {"a", "."}};
	unsigned pick;

	if (!base[0]) {
		char tmpl[] = "/tmp/a3s-fuzz-cp-XXXXXX";
		if (!mkdtemp(tmpl) || !realpath(tmpl, base))
			abort();
	}
	if (size < 2)
		return 0;
	f = (struct feed){.p = data + 2, .n = size - 2, .chunk = (size_t)data[0] * 13 + 1};
	pick = data[1] % 4;
	root = xasprintf("%s/r", base);
	if (mkdir(root, 0755) < 0)
		abort();
	(void)cp_untar_host(next, &f, root, renames[pick][0], renames[pick][1], &e);
	free(f.copy);
	d = opendir(base);
	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "r"))
			__builtin_trap(); /* something escaped the destination */
	closedir(d);
	unlock(AT_FDCWD, root);
	if (fs_rmtree(root, &e) < 0)
		abort();
	free(root);
	return 0;
}
