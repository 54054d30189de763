/*
 * Paths inside layers and archives. A layer may only create, change or
 * delete things inside the root it is applied to: no "..", no absolute
 * paths, never through a symlink (a layer with "evil -> /etc" and then
 * "evil/passwd" must not reach the host's /etc).
 */
#ifndef A3S_IMAGE_PATH_H
#define A3S_IMAGE_PATH_H

#include "util/err.h"

/* Normalise an archive member name: drop "./" components, a trailing "/"
 * and repeated slashes. Refuses absolute paths and ".." components. The
 * result "" is the root itself. Pure; caller frees *out. */
int image_path_clean(const char *name, char **out, struct err *e);

enum image_whiteout {
	WH_NONE, /* an ordinary entry */
	WH_FILE, /* ".wh.NAME": delete NAME from the lower layers */
	WH_OPAQUE, /* ".wh..wh..opq": hide the lower contents of its directory */
	WH_META, /* other ".wh..wh.*" (aufs bookkeeping): ignore */
};

/* Classify a cleaned path. For WH_FILE *target is the path to delete, for
 * WH_OPAQUE the directory ("" for the root); caller frees. A malformed
 * whiteout (".wh.", ".wh..", ".wh...") is an error: returns -1. Pure. */
int image_whiteout_kind(const char *clean, enum image_whiteout *kind, char **target, struct err *e);

/* Every existing parent component of clean (relative to the directory
 * rootfd) must be a real directory; missing ones are fine (they will be
 * created as directories). Errors name the offending component. */
int image_path_check_parents(int rootfd, const char *clean, struct err *e);

#endif
