#include "cfg.h"

#include <stdlib.h>
#include <string.h>

#include "a3s/proto.h"
#include "util.h"

static void push(char ***arr, size_t *n, const char *s)
{
	/*
	 * Capacity is 4, then 2 * (n + 1) whenever n + 1 reaches a power of
	 * two: always room for the new entry and the NULL terminator.
	 */
	if (*n == 0 || ((*n + 1) & *n) == 0)
		*arr = xrealloc(*arr, (*n ? 2 * (*n + 1) : 4) * sizeof(**arr));
	(*arr)[(*n)++] = (char *)s;
	(*arr)[*n] = NULL;
}

/* A terminal dimension: decimal 1..65535, anything else is "unknown" (0). */
static unsigned short dim(const char *s)
{
	unsigned long v = 0;

	for (; *s >= '0' && *s <= '9' && v <= 65535; s++)
		v = v * 10 + (unsigned long)(*s - '0');
	return *s || v > 65535 ? 0 : (unsigned short)v;
}

static int fail(struct cfg *c, const char *why)
{
	cfg_release(c);
	c->error = why;
	return -1;
}

int cfg_mount_parse(const char *val, struct cfg_mount *m, const char **why)
{
	const char *p, *sp;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (!strncmp(val, "share ", 6)) {
		char *end;
		unsigned long idx;

		m->share = 1;
		p = val + 6;
		if (*p < '0' || *p > '9')
			goto bad;
		idx = strtoul(p, &end, 10);
		if (idx > 100000 || *end != ' ')
			goto bad;
		m->index = (unsigned)idx;
		p = end + 1;
		sp = strchr(p, ' ');
		if (!sp)
			goto bad;
		if (!strncmp(p, "ro", 2))
			m->ro = 1;
		else if (strncmp(p, "rw", 2))
			goto bad;
		if (p + 2 == sp)
			;
		else if (p + 7 == sp && !strncmp(p + 2, ",copy", 5))
			m->copy = 1;
		else
			goto bad;
	} else if (!strncmp(val, "tmpfs ", 6)) {
		p = val + 6;
		sp = strchr(p, ' ');
		if (!sp)
			goto bad;
		n = (size_t)(sp - p);
		if (!n || n >= sizeof(m->opts))
			goto bad;
		if (!(n == 1 && *p == '-'))
			memcpy(m->opts, p, n);
		m->opts[n == 1 && *p == '-' ? 0 : n] = '\0';
	} else {
		goto bad;
	}
	m->dest = sp + 1;
	if (m->dest[0] != '/' || !m->dest[1]) {
		*why = "config mount destination must be an absolute path other than '/'";
		return -1;
	}
	return 0;
bad:
	*why = "config mount record is malformed";
	return -1;
}

int cfg_parse(const char *buf, size_t len, struct cfg *out)
{
	const char *p = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	if (len > A3S_FRAME_MAX)
		return fail(out, "config is too large");
	while (p < end) {
		const char *key = p, *val, *kend, *vend;

		kend = memchr(key, '\0', (size_t)(end - key));
		if (!kend)
			return fail(out, "config record key is not NUL-terminated");
		val = kend + 1;
		vend = val < end ? memchr(val, '\0', (size_t)(end - val)) : NULL;
		if (!vend)
			return fail(out, "config record value is not NUL-terminated");
		p = vend + 1;
		if (kend == key)
			return fail(out, "config record has an empty key");

		if (!strcmp(key, A3S_CFG_ARG)) {
			push(&out->argv, &out->argc, val);
		} else if (!strcmp(key, A3S_CFG_ENV)) {
			const char *eq = strchr(val, '=');

			if (!eq || eq == val)
				return fail(out, "config env record is not NAME=value");
			push(&out->env, &out->envc, val);
		} else if (!strcmp(key, A3S_CFG_NET_DNS)) {
			push(&out->dns, &out->ndns, val);
		} else if (!strcmp(key, A3S_CFG_WORKDIR)) {
			out->workdir = val;
		} else if (!strcmp(key, A3S_CFG_USER)) {
			out->user = val;
		} else if (!strcmp(key, A3S_CFG_HOSTNAME)) {
			out->hostname = val;
		} else if (!strcmp(key, A3S_CFG_NET_IP)) {
			out->net_ip = val;
		} else if (!strcmp(key, A3S_CFG_NET_GW)) {
			out->net_gw = val;
		} else if (!strcmp(key, A3S_CFG_STDIN)) {
			out->stdin_open = !strcmp(val, "1");
		} else if (!strcmp(key, A3S_CFG_RW)) {
			out->rw = !strcmp(val, "1");
		} else if (!strcmp(key, A3S_CFG_READONLY)) {
			out->read_only = !strcmp(val, "1");
		} else if (!strcmp(key, A3S_CFG_MOUNT)) {
			struct cfg_mount m;
			const char *why;

			if (cfg_mount_parse(val, &m, &why) < 0)
				return fail(out, why);
			push(&out->mounts, &out->nmounts, val);
		} else if (!strcmp(key, A3S_CFG_TTY)) {
			out->tty = !strcmp(val, "1");
		} else if (!strcmp(key, A3S_CFG_ROWS)) {
			out->rows = dim(val);
		} else if (!strcmp(key, A3S_CFG_COLS)) {
			out->cols = dim(val);
		} else if (!strcmp(key, A3S_EXEC_DETACH)) {
			out->detach = !strcmp(val, "1");
		} else if (!strcmp(key, A3S_EXEC_PRIVILEGED)) {
			out->privileged = !strcmp(val, "1");
		} else if (!strcmp(key, A3S_CFG_MAINT)) {
			out->maint = !strcmp(val, "1");
		}
	}
	if (!out->argc)
		return fail(out, "config has no command (no arg record)");
	if (!out->argv[0][0])
		return fail(out, "config command is empty");
	if (out->workdir && out->workdir[0] != '/')
		return fail(out, "config workdir is not an absolute path");
	/* empty arrays are still NULL-terminated arrays, for execve */
	if (!out->env) {
		out->env = xmalloc(sizeof(*out->env));
		out->env[0] = NULL;
	}
	if (!out->dns) {
		out->dns = xmalloc(sizeof(*out->dns));
		out->dns[0] = NULL;
	}
	return 0;
}

void cfg_release(struct cfg *c)
{
	free(c->argv);
	free(c->env);
	free(c->dns);
	free(c->mounts);
	memset(c, 0, sizeof(*c));
}
