#include "user.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A field of a colon-separated line: not NUL-terminated. */
struct field {
	const char *p;
	size_t n;
};

#define ID_MAX 2147483647u /* runc's range for uids and gids */

/* "0".."2147483647" only; no sign, no spaces. Returns 0 or -1. */
static int parse_id(const char *p, size_t n, unsigned long *out)
{
	unsigned long v = 0;

	if (!n || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v > ID_MAX)
		return -1;
	*out = v;
	return 0;
}

static int field_eq(struct field f, const char *s)
{
	return f.n == strlen(s) && !memcmp(f.p, s, f.n);
}

/*
 * Split the line [p, end) at ':' into at most max fields; missing trailing
 * fields are empty. Returns the number of fields present.
 */
static size_t split(const char *p, const char *end, struct field *f, size_t max)
{
	size_t n = 0;

	memset(f, 0, max * sizeof(*f));
	while (n < max) {
		const char *c = memchr(p, ':', (size_t)(end - p));

		f[n].p = p;
		f[n].n = (size_t)((c ? c : end) - p);
		n++;
		if (!c)
			break;
		p = c + 1;
	}
	return n;
}

/* Iterate the lines of a file buffer: *pos is advanced past each line. */
static int next_line(const char *buf, size_t len, size_t *pos, const char **s, const char **e)
{
	const char *nl;

	while (*pos < len) {
		*s = buf + *pos;
		nl = memchr(*s, '\n', len - *pos);
		*e = nl ? nl : buf + len;
		*pos = (size_t)(*e - buf) + 1;
		/* trailing spaces and CR, as runc trims the line */
		while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
			(*e)--;
		while (*s < *e && (**s == ' ' || **s == '\t'))
			(*s)++;
		if (*s < *e)
			return 1;
	}
	return 0;
}

static int member_of(struct field list, const char *name)
{
	const char *p = list.p, *end = list.p + list.n;

	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		struct field m = { p, (size_t)((c ? c : end) - p) };

		if (field_eq(m, name))
			return 1;
		p = c ? c + 1 : end;
	}
	return 0;
}

/* Look the user part up in passwd. Returns 1 if an entry matched. */
static int find_passwd(const char *u, const char *passwd, size_t len, struct user_ids *out,
		       char **name)
{
	unsigned long want = 0, uid, gid;
	int numeric = !*u || !parse_id(u, strlen(u), &want);
	size_t pos = 0;
	const char *s, *e;

	while (passwd && next_line(passwd, len, &pos, &s, &e)) {
		struct field f[7];

		split(s, e, f, 7);
		if (parse_id(f[2].p, f[2].n, &uid) || parse_id(f[3].p, f[3].n, &gid))
			continue;
		if (numeric ? uid != want : !field_eq(f[0], u))
			continue;
		out->uid = (uid_t)uid;
		out->gid = (gid_t)gid;
		if (f[5].n) {
			out->home = xmalloc(f[5].n + 1);
			memcpy(out->home, f[5].p, f[5].n);
			out->home[f[5].n] = '\0';
		}
		*name = xmalloc(f[0].n + 1);
		memcpy(*name, f[0].p, f[0].n);
		(*name)[f[0].n] = '\0';
		return 1;
	}
	return 0;
}

/*
 * With g non-empty: set out->gid from the first group entry matching g and
 * return 1, or return 0. With g empty: collect the groups listing name.
 */
static int scan_groups(const char *g, const char *name, const char *group, size_t len,
		       struct user_ids *out)
{
	unsigned long want = 0, gid;
	int numeric = *g && !parse_id(g, strlen(g), &want);
	size_t pos = 0, cap = 0;
	const char *s, *e;

	while (group && next_line(group, len, &pos, &s, &e)) {
		struct field f[4];

		split(s, e, f, 4);
		if (parse_id(f[2].p, f[2].n, &gid))
			continue;
		if (*g) {
			if (numeric ? gid == want : field_eq(f[0], g)) {
				out->gid = (gid_t)gid;
				return 1;
			}
			continue;
		}
		if (!member_of(f[3], name) || out->ngroups >= 65536)
			continue;
		if (out->ngroups == cap) {
			cap = cap ? 2 * cap : 8;
			out->groups = xrealloc(out->groups, cap * sizeof(*out->groups));
		}
		out->groups[out->ngroups++] = (gid_t)gid;
	}
	return 0;
}

int user_resolve(const char *spec, const char *passwd, size_t passwd_len, const char *group,
		 size_t group_len, struct user_ids *out, struct ierr *e)
{
	char *u = xstrdup(spec ? spec : ""), *g = strchr(u, ':'), *name = NULL;
	unsigned long id;

	memset(out, 0, sizeof(*out));
	if (g) {
		*g++ = '\0';
		/* runc splits the spec like a passwd line: "a:b:c" is user a, group b */
		char *rest = strchr(g, ':');

		if (rest)
			*rest = '\0';
	} else {
		g = u + strlen(u);
	}

	if (!find_passwd(u, passwd, passwd_len, out, &name) && *u) {
		if (parse_id(u, strlen(u), &id)) {
			ierr_set(e, "unable to find user %s: no matching entries in passwd file", u);
			goto fail;
		}
		out->uid = (uid_t)id;
	}
	if (*g) {
		if (!scan_groups(g, NULL, group, group_len, out)) {
			if (parse_id(g, strlen(g), &id)) {
				ierr_set(e, "unable to find group %s: no matching entries in group file",
					 g);
				goto fail;
			}
			out->gid = (gid_t)id;
		}
	} else if (name) {
		scan_groups("", name, group, group_len, out);
	}
	if (!out->home)
		out->home = xstrdup(out->uid == 0 ? "/root" : "/");
	free(name);
	free(u);
	return 0;
fail:
	free(name);
	free(u);
	user_ids_release(out);
	return -1;
}

void user_ids_release(struct user_ids *u)
{
	free(u->groups);
	free(u->home);
	memset(u, 0, sizeof(*u));
}

int user_resolve_files(const char *spec, struct user_ids *out, struct ierr *e)
{
	size_t plen = 0, glen = 0;
	char *passwd = read_file("/etc/passwd", USER_ID_FILE_MAX, &plen);
	char *group = read_file("/etc/group", USER_ID_FILE_MAX, &glen);
	int r = user_resolve(spec, passwd, plen, group, glen, out, e);

	free(passwd);
	free(group);
	return r;
}
