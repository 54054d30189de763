#include "image/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/layer.h"
#include "image/manifest.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

/* mkfs.erofs from $A3S_BOX_MKFS_EROFS or $PATH; NULL when absent. */
static char *find_mkfs(void)
{
	const char *env = getenv("A3S_BOX_MKFS_EROFS");
	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	return proc_find("mkfs.erofs");
}

/* A filesystem UUID derived from the image id, so rebuilds are identical
 * apart from the superblock build time. */
static void uuid_of(const char *id, char out[37])
{
	const char *h = digest_hex(id);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static int run_mkfs(const char *mkfs, const char *uuid, const char *out, const char *dir, struct err *e)
{
	char *argv[] = {(char *)mkfs, "-U", (char *)uuid, "--quiet", (char *)out, (char *)dir, NULL};
	return proc_run(argv, e);
}

static int flatten(const struct root *r, const struct image *img, const char *dir, struct err *e)
{
	mode_t old = umask(022); /* parents created implicitly get 0755, as docker does */
	int rc = 0;
	for (size_t i = 0; i < img->layers.n && rc == 0; i++) {
		char *blob = image_blob_path(r, img->layers.v[i]);
		if (!fs_exists(blob))
			rc = err_set(e, "layer %zu (%s) is missing from the store; load the image again", i + 1,
				     img->layers.v[i]);
		else if (layer_apply_file(dir, blob, e) < 0)
			rc = err_wrap(e, "layer %zu (%s)", i + 1, img->layers.v[i]);
		free(blob);
	}
	umask(old);
	if (rc == 0 && chmod(dir, 0755) < 0)
		rc = err_sys(e, errno, "preparing '%s'", dir);
	return rc;
}

static int build(struct root *r, const struct image *img, const char *out, struct err *e)
{
	char *mkfs = find_mkfs(), *stage = NULL, *dir = NULL, *tmp = NULL;
	char uuid[37];
	struct err ignore = ERR_INIT;
	int rc = -1;

	if (!mkfs)
		return err_set(e, "mkfs.erofs not found: install erofs-utils");
	if (root_mktemp_dir(r, "rootfs", &stage, e) < 0)
		goto out;
	dir = xasprintf("%s/root", stage);
	if (mkdir(dir, 0755) < 0) {
		err_sys(e, errno, "creating '%s'", dir);
		goto out;
	}
	if (flatten(r, img, dir, e) < 0)
		goto out;
	tmp = xasprintf("%s.tmp.%d", out, (int)getpid());
	uuid_of(img->id, uuid);
	if (run_mkfs(mkfs, uuid, tmp, dir, e) < 0)
		goto out;
	if (rename(tmp, out) < 0) {
		err_sys(e, errno, "installing '%s'", out);
		goto out;
	}
	rc = 0;
out:
	if (tmp && rc < 0)
		unlink(tmp);
	if (stage)
		fs_rmtree(stage, &ignore);
	free(tmp);
	free(dir);
	free(stage);
	free(mkfs);
	return rc;
}

int image_rootfs_ensure(struct root *r, const struct image *img, char **path, struct err *e)
{
	char id12[13];
	char *out = image_rootfs_path(r, img->id);
	struct err ignore = ERR_INIT;
	struct stat st;

	image_store_touch(r, img->id, &ignore); /* bookkeeping only */
	if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
		*path = out;
		return 0;
	}
	if (build(r, img, out, e) < 0) {
		free(out);
		err_wrap(e, "building the root filesystem of image '%s'", image_short_id(img->id, id12));
		image_err_printable(e);
		return -1;
	}
	*path = out;
	return 0;
}
