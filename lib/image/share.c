#include "image/share.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "util/fs.h"
#include "util/xalloc.h"

static char *canonical(char *p)
{
	char buf[PATH_MAX];
	if (realpath(p, buf)) {
		free(p);
		return xstrdup(buf);
	}
	return p;
}

const char *image_share_dir(void)
{
	static char *dir;
	const char *env;
	char *exe, *build;
	struct stat st;

	if (dir)
		return dir;
	env = getenv("A3S_BOX_SHARE");
	if (env && *env) {
		dir = xstrdup(env);
		return dir;
	}
	exe = fs_exe_dir();
	build = xasprintf("%s/../../share/a3s-box", exe);
	if (stat(build, &st) == 0 && S_ISDIR(st.st_mode)) {
		dir = canonical(build);
	} else {
		free(build);
		dir = canonical(xasprintf("%s/../share/a3s-box", exe));
	}
	free(exe);
	return dir;
}
