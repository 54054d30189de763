/* libFuzzer target: flattening arbitrary tar data into a directory. The
 * input is split into two layers (the first two bytes give the split) so
 * whiteouts act on a lower layer. Invariant: nothing appears next to the
 * root directory. Run it as an unprivileged user (see fuzz/README.md): a
 * bug here would write outside the temp directory. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/layer.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include "unlock.h"

static char base[PATH_MAX];

static void check_base(void)
{
	DIR *d = opendir(base);
	struct dirent *de;
	if (!d)
		__builtin_trap();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "r"))
			__builtin_trap(); /* something escaped the root */
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	char *root;
	size_t cut;
	if (!base[0]) {
		char tmpl[] = "/tmp/a3s-fuzz-layer-XXXXXX";
		if (!mkdtemp(tmpl) || !realpath(tmpl, base))
			abort();
	}
	if (size < 2)
		return 0;
	cut = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	data += 2;
	size -= 2;
	root = xasprintf("%s/r", base);
	if (mkdir(root, 0755) < 0)
		abort();
	if (layer_apply_memory(root, data, cut, &e) == 0)
		(void)layer_apply_memory(root, data + cut, size - cut, &e);
	check_base();
	unlock(AT_FDCWD, root);
	if (fs_rmtree(root, &e) < 0)
		abort();
	free(root);
	return 0;
}
