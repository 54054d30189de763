/* libFuzzer target: `load` end to end on an untrusted archive (docker save
 * manifest.json, OCI index.json with nested indexes, blobs, layers) into a
 * scratch data root. Checks that a load leaves no staging files and that a
 * failure stores no image. Run it unprivileged (see README.md). */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/load.h"
#include "image/manifest.h"
#include "image/store.h"
#include "util/fs.h"

static char *dir, *input;
static struct root *root;

static void fresh_root(void)
{
	struct err e = ERR_INIT;
	char *path = xasprintf("%s/root", dir);
	if (root)
		root_close(root);
	root = NULL;
	fs_rmtree(path, &e);
	if (root_open(path, &root, &e) < 0) {
		fprintf(stderr, "fuzz_load: %s\n", e.msg);
		abort();
	}
	free(path);
}

static size_t count_images(void)
{
	struct image **v;
	size_t n;
	struct err e = ERR_INIT;
	if (image_store_list(root, &v, &n, &e) < 0)
		abort();
	image_list_free(v, n);
	return n;
}

static bool empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool empty = true;
	if (!d)
		return true;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static void cleanup(void)
{
	struct err e = ERR_INIT;
	if (root)
		root_close(root);
	if (dir)
		fs_rmtree(dir, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = ERR_INIT;
	struct strv lines = STRV_INIT;
	char *tmp;
	FILE *f;
	int rc;

	if (!dir) {
		char tmpl[] = "/tmp/fuzz-load-XXXXXX";
		if (!mkdtemp(tmpl))
			abort();
		dir = strdup(tmpl);
		input = xasprintf("%s/in.tar", dir);
		fresh_root();
		atexit(cleanup);
	}
	f = fopen(input, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	rc = image_load(root, input, &lines, &e);
	strv_release(&lines);
	if (getenv("FUZZ_LOAD_DEBUG"))
		fprintf(stderr, "fuzz_load: %s\n", rc == 0 ? "loaded" : e.msg);
	if (rc < 0 && (!e.msg[0] || strchr(e.msg, '\n') || count_images() != 0))
		__builtin_trap();
	tmp = xasprintf("%s/root/tmp", dir);
	if (!empty_dir(tmp)) /* no staging file may stay behind */
		__builtin_trap();
	free(tmp);
	if (rc == 0)
		fresh_root();
	return 0;
}
