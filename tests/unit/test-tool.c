/*
 * a3s-test-tool: library internals for the black-box tests (git's
 * test-tool). Not installed.
 *
 *   a3s-test-tool ROOT rootfs IMAGE       build/find the rootfs, print its path
 *   a3s-test-tool ROOT ensure-default     import the default image if missing
 *   a3s-test-tool ROOT gc                 collect unused blobs and rootfs
 *   a3s-test-tool - share-dir             print image_share_dir()
 *   a3s-test-tool - apply-layer DIR TAR   apply one layer tar onto DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/default.h"
#include "image/layer.h"
#include "image/rootfs.h"
#include "image/share.h"
#include "image/store.h"

static int fail(const struct err *e)
{
	fprintf(stderr, "a3s-test-tool: %s\n", e->msg);
	return e->kind == ERR_NOT_FOUND ? 1 : 125;
}

int main(int argc, char **argv)
{
	struct err e = ERR_INIT;
	struct root *r = NULL;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: a3s-test-tool ROOT|- COMMAND [ARG...]\n");
		return 2;
	}
	if (!strcmp(argv[2], "share-dir")) {
		printf("%s\n", image_share_dir());
		return 0;
	}
	if (!strcmp(argv[2], "apply-layer") && argc == 5)
		return layer_apply_file(argv[3], argv[4], &e) < 0 ? fail(&e) : 0;
	if (root_open(argv[1], &r, &e) < 0)
		return fail(&e);
	if (!strcmp(argv[2], "rootfs") && argc == 4) {
		struct image *img = NULL;
		char *path;
		if (image_store_lookup(r, argv[3], &img, &e) < 0 || image_rootfs_ensure(r, img, &path, &e) < 0) {
			rc = fail(&e);
		} else {
			printf("%s\n", path);
			free(path);
		}
		image_free(img);
	} else if (!strcmp(argv[2], "ensure-default")) {
		if (image_store_ensure_default(r, &e) < 0)
			rc = fail(&e);
	} else if (!strcmp(argv[2], "gc")) {
		if (image_store_gc(r, &e) < 0)
			rc = fail(&e);
	} else {
		fprintf(stderr, "a3s-test-tool: unknown command '%s'\n", argv[2]);
		rc = 2;
	}
	root_close(r);
	return rc;
}
