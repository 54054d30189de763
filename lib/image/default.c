#include "image/default.h"

#include <stdlib.h>

#include "image/load.h"
#include "image/share.h"
#include "image/store.h"
#include "util/fs.h"
#include "util/xalloc.h"

int image_store_ensure_default(struct root *r, struct err *e)
{
	struct image *img;
	char *tar;
	int rc;

	if (image_store_lookup(r, IMAGE_DEFAULT_NAME, &img, e) == 0) {
		image_free(img);
		return 0;
	}
	if (e->kind != ERR_NOT_FOUND)
		return -1;
	err_clear(e);
	tar = xasprintf("%s/%s", image_share_dir(), IMAGE_DEFAULT_TAR);
	if (!fs_exists(tar)) {
		err_set(e, "default image '%s' not found: reinstall a3s-box or set A3S_BOX_SHARE", tar);
		free(tar);
		return -1;
	}
	rc = image_load(r, tar, NULL, e);
	if (rc < 0)
		err_wrap(e, "loading the default image '%s'", tar);
	free(tar);
	return rc;
}
