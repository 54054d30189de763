#include "image/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPQ ".wh..wh..opq"

int image_path_clean(const char *name, char **out, struct err *e)
{
	size_t n = strlen(name);
	char *buf, *o;
	const char *p = name;

	if (n >= PATH_MAX)
		return err_set(e, "path '%.64s...' is too long", name);
	if (name[0] == '/')
		return err_set(e, "absolute path '%s' in archive", name);
	buf = o = xmalloc(n + 1);
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(buf);
			return err_set(e, "path '%s' in archive has a '..' component", name);
		}
		if (len && !(len == 1 && p[0] == '.')) {
			if (o != buf)
				*o++ = '/';
			memcpy(o, p, len);
			o += len;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	*o = '\0';
	*out = buf;
	return 0;
}

int image_whiteout_kind(const char *clean, enum image_whiteout *kind, char **target, struct err *e)
{
	const char *slash = strrchr(clean, '/');
	const char *base = slash ? slash + 1 : clean;
	size_t dirlen = slash ? (size_t)(slash - clean) : 0;
	const char *victim;

	*target = NULL;
	*kind = WH_NONE;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return 0;
	if (!strcmp(base, WH_OPQ)) {
		*kind = WH_OPAQUE;
		*target = xstrndup(clean, dirlen);
		return 0;
	}
	if (!strncmp(base, WH_META_PREFIX, strlen(WH_META_PREFIX))) {
		*kind = WH_META;
		return 0;
	}
	victim = base + strlen(WH_PREFIX);
	if (!*victim || !strcmp(victim, ".") || !strcmp(victim, ".."))
		return err_set(e, "malformed whiteout '%s' in layer", clean);
	*kind = WH_FILE;
	*target = dirlen ? xasprintf("%.*s/%s", (int)dirlen, clean, victim) : xstrdup(victim);
	return 0;
}

int image_path_check_parents(int rootfd, const char *clean, struct err *e)
{
	char *p = xstrdup(clean);
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		struct stat st;
		*s = '\0';
		if (fstatat(rootfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			int en = errno;
			if (en == ENOENT) {
				free(p);
				return 0; /* the rest is created as directories */
			}
			err_sys(e, en, "checking '%s'", p);
			free(p);
			return -1;
		}
		if (S_ISLNK(st.st_mode)) {
			err_set(e, "path '%s' in layer goes through symlink '%s'", clean, p);
			free(p);
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			err_set(e, "path '%s' in layer goes through '%s', which is not a directory", clean, p);
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}
