#include "box/cppath.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

char *cp_path_clean(const char *p)
{
	size_t n = strlen(p), o = 0, i = 0, dotdot;
	bool rooted = p[0] == '/';
	char *out;

	if (!n)
		return xstrdup(".");
	out = xmalloc(n + 2);
	if (rooted)
		out[o++] = '/', i = 1;
	dotdot = o;
	while (i < n) {
		if (p[i] == '/') {
			i++;
		} else if (p[i] == '.' && (i + 1 == n || p[i + 1] == '/')) {
			i++;
		} else if (p[i] == '.' && p[i + 1] == '.' && (i + 2 == n || p[i + 2] == '/')) {
			i += 2;
			if (o > dotdot) {
				o--;
				while (o > dotdot && out[o] != '/')
					o--;
			} else if (!rooted) {
				if (o > 0)
					out[o++] = '/';
				out[o++] = '.';
				out[o++] = '.';
				dotdot = o;
			}
		} else {
			if ((rooted && o != 1) || (!rooted && o != 0))
				out[o++] = '/';
			for (; i < n && p[i] != '/'; i++)
				out[o++] = p[i];
		}
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

char *cp_path_base(const char *p)
{
	size_t n = strlen(p), start;

	if (!n)
		return xstrdup(".");
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (!n)
		return xstrdup("/");
	start = n;
	while (start > 0 && p[start - 1] != '/')
		start--;
	return xstrndup(p + start, n - start);
}

char *cp_path_dir(const char *p)
{
	const char *slash = strrchr(p, '/');
	char *d, *c;

	if (!slash)
		return xstrdup(".");
	d = xstrndup(p, (size_t)(slash - p) + 1);
	c = cp_path_clean(d);
	free(d);
	return c;
}

bool cp_path_trailing_sep(const char *p)
{
	size_t n = strlen(p);
	return n && p[n - 1] == '/';
}

bool cp_path_current_dir(const char *p)
{
	char *b = cp_path_base(p);
	bool r = !strcmp(b, ".");
	free(b);
	return r;
}

bool cp_path_asserts_dir(const char *p)
{
	return cp_path_trailing_sep(p) || cp_path_current_dir(p);
}

char *cp_path_norm(const char *p)
{
	char *c = cp_path_clean(p), *r;

	if (cp_path_current_dir(p) && !cp_path_current_dir(c))
		r = xasprintf("%s%s.", c, cp_path_trailing_sep(c) ? "" : "/");
	else if (cp_path_trailing_sep(p) && !cp_path_trailing_sep(c))
		r = xasprintf("%s/", c);
	else
		return c;
	free(c);
	return r;
}

void cp_path_split(const char *p, char **dir, char **base)
{
	char *c = cp_path_clean(p);

	if (cp_path_current_dir(p) && strcmp(c, ".")) {
		char *t = xasprintf("%s%s.", c, !strcmp(c, "/") ? "" : "/");
		free(c);
		c = t;
	}
	*dir = cp_path_dir(c);
	*base = cp_path_base(c);
	free(c);
}

char *cp_path_join(const char *dir, const char *p)
{
	char *j, *c;

	if (p[0] == '/')
		return cp_path_clean(p);
	j = xasprintf("%s/%s", dir, p);
	c = cp_path_clean(j);
	free(j);
	return c;
}

char *cp_path_rebase_name(const char *p, const char *resolved, char **rebase)
{
	char *r = xstrdup(resolved), *bp, *br;

	if (cp_path_current_dir(p) && !cp_path_current_dir(r)) {
		char *t = xasprintf("%s/.", r);
		free(r);
		r = t;
	}
	if (cp_path_trailing_sep(p) && !cp_path_trailing_sep(r)) {
		char *t = xasprintf("%s/", r);
		free(r);
		r = t;
	}
	bp = cp_path_base(p);
	br = cp_path_base(r);
	*rebase = strcmp(bp, br) ? bp : NULL;
	if (!*rebase)
		free(bp);
	free(br);
	return r;
}
