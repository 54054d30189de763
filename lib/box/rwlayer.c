#include "box/rwlayer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/proc.h"
#include "util/xalloc.h"

static int run_mkfs(const char *img, bool journal, struct err *e)
{
	char *mkfs = proc_find("mkfs.ext4");
	int rc;
	if (!mkfs)
		return err_set(e, "mkfs.ext4 not found: install e2fsprogs");
	char *argv[] = {mkfs, "-q", "-F", "-O", journal ? "has_journal" : "^has_journal", "-E",
			"lazy_itable_init=1,lazy_journal_init=1,nodiscard", "-L", "a3s-rw", (char *)img, BOX_RW_SIZE, NULL};
	rc = proc_run(argv, e);
	free(mkfs);
	return rc;
}

static int ensure_template(struct root *r, bool journal, char **out, struct err *e)
{
	char *tpl = xasprintf("%s/rootfs/writable-%s%s.ext4", r->path, BOX_RW_SIZE, journal ? "" : "-nojournal");
	char *tmp;
	if (fs_exists(tpl)) {
		*out = tpl;
		return 0;
	}
	tmp = xasprintf("%s/tmp/writable.%d.ext4", r->path, (int)getpid());
	if (run_mkfs(tmp, journal, e) < 0 || (rename(tmp, tpl) < 0 && err_sys(e, errno, "installing '%s'", tpl))) {
		unlink(tmp);
		free(tmp);
		free(tpl);
		return err_wrap(e, "preparing the writable layer");
	}
	free(tmp);
	*out = tpl;
	return 0;
}

int box_rw_create(struct root *r, const char *dir, bool ephemeral, char **path, struct err *e)
{
	char *tpl = NULL, *img;
	if (ensure_template(r, !ephemeral, &tpl, e) < 0)
		return -1;
	img = xasprintf("%s/rw.img", dir);
	if (fs_copy_sparse(tpl, img, e) < 0) {
		free(tpl);
		free(img);
		return err_wrap(e, "creating the writable layer");
	}
	free(tpl);
	*path = img;
	return 0;
}
