#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "image/rootfs.h"
#include "util/xalloc.h"

char *image_rootfs_path(const struct root *r, const char *image_id)
{
	const char *hex = strncmp(image_id, "sha256:", 7) ? image_id : image_id + 7;
	return xasprintf("%s/rootfs/%s.erofs", r->path, hex);
}

int image_rootfs_existing(const struct root *r, const char *image_id, char **path, struct err *e)
{
	char *p = image_rootfs_path(r, image_id);
	if (access(p, R_OK) < 0) {
		err_sys(e, errno, "the root filesystem of image '%.19s' is missing; run the box again with 'a3s-box start'",
			image_id);
		free(p);
		return -1;
	}
	*path = p;
	return 0;
}
