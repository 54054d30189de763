#include "box/spec.h"

#include "box/frame.h"

#include <ctype.h>
#include <string.h>

#include "a3s/proto.h"
#include "box/mounts.h"

void box_opts_release(struct box_opts *o)
{
	strv_release(&o->env);
	strv_release(&o->env_files);
	strv_release(&o->labels);
	strv_release(&o->publish);
	strv_release(&o->volumes);
	strv_release(&o->mounts);
	strv_release(&o->tmpfs);
	strv_release(&o->volumes_from);
}

void box_spec_release(struct box_spec *s)
{
	strv_release(&s->argv);
	strv_release(&s->env);
	free(s->workdir);
	free(s->user);
	free(s->hostname);
	json_decref(s->mounts);
	memset(s, 0, sizeof(*s));
}

static int valid_env_name(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Set NAME=value in env, replacing an existing NAME. */
static void env_set(struct strv *env, const char *kv)
{
	size_t n = strcspn(kv, "=");
	for (size_t i = 0; i < env->n; i++) {
		if (!strncmp(env->v[i], kv, n) && env->v[i][n] == '=') {
			free(env->v[i]);
			env->v[i] = xstrdup(kv);
			return;
		}
	}
	strv_push(env, kv);
}

static void env_unset(struct strv *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < env->n; i++) {
		if (!strncmp(env->v[i], name, n) && env->v[i][n] == '=') {
			free(env->v[i]);
			memmove(&env->v[i], &env->v[i + 1], (env->n - i) * sizeof(char *));
			env->n--;
			return;
		}
	}
}

/* One -e or env-file entry: "NAME=value" or "NAME" (from the host). */
static int env_apply(struct strv *env, const char *entry, const char *(*lookup_env)(const char *),
		     struct err *e)
{
	const char *eq = strchr(entry, '=');
	if (eq) {
		if (!valid_env_name(entry, (size_t)(eq - entry)))
			return err_setk(e, ERR_USAGE, "invalid environment variable: '%s'", entry);
		env_set(env, entry);
		return 0;
	}
	if (!valid_env_name(entry, strlen(entry)))
		return err_setk(e, ERR_USAGE, "invalid environment variable: '%s'", entry);
	{
		const char *v = lookup_env ? lookup_env(entry) : NULL;
		if (v) {
			char *kv = xasprintf("%s=%s", entry, v);
			env_set(env, kv);
			free(kv);
		} else {
			env_unset(env, entry);
		}
	}
	return 0;
}

int box_env_file_parse(const char *path, const char *text, const char *(*lookup_env)(const char *),
		       struct strv *out, struct err *e)
{
	const char *p = text;
	int lineno = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		char *s = line;
		lineno++;
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (*s && *s != '#') {
			if (*s == '=' ) {
				err_setk(e, ERR_USAGE, "invalid environment variable in '%s' line %d: '%s'", path, lineno, s);
				free(line);
				return -1;
			}
			if (strchr(s, '=')) {
				strv_push(out, s);
			} else {
				/* trailing spaces are not part of the name */
				char *end = s + strlen(s);
				while (end > s && isspace((unsigned char)end[-1]))
					*--end = '\0';
				const char *v = lookup_env ? lookup_env(s) : NULL;
				if (v)
					strv_push_owned(out, xasprintf("%s=%s", s, v));
			}
		}
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

static void push_json_strings(struct strv *out, const json_t *arr)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			strv_push(out, json_string_value(v));
}

int box_spec_build(const struct box_opts *o, const json_t *image_config, const char *box_id,
		   const char *(*lookup_env)(const char *), struct box_spec *s, struct err *e)
{
	const json_t *ic = json_object_get(image_config, "config");
	const char *iw = json_string_value(json_object_get(ic, "WorkingDir"));
	const char *iu = json_string_value(json_object_get(ic, "User"));
	int have_path = 0;

	memset(s, 0, sizeof(*s));
	/* entrypoint + cmd: an entrypoint given on the command line drops the
	 * image's Cmd too (docker) */
	if (o->entrypoint_set) {
		if (o->entrypoint && *o->entrypoint)
			strv_push(&s->argv, o->entrypoint);
	} else {
		push_json_strings(&s->argv, json_object_get(ic, "Entrypoint"));
	}
	if (o->nargs > 0) {
		for (int i = 0; i < o->nargs; i++)
			strv_push(&s->argv, o->args[i]);
	} else if (!o->entrypoint_set) {
		push_json_strings(&s->argv, json_object_get(ic, "Cmd"));
	}
	if (!s->argv.n) {
		box_spec_release(s);
		return err_setk(e, ERR_USAGE, "no command specified: give one after the image name");
	}

	push_json_strings(&s->env, json_object_get(ic, "Env"));
	for (size_t i = 0; i < o->env_files.n; i++)
		if (env_apply(&s->env, o->env_files.v[i], lookup_env, e) < 0)
			goto fail;
	for (size_t i = 0; i < o->env.n; i++)
		if (env_apply(&s->env, o->env.v[i], lookup_env, e) < 0)
			goto fail;
	for (size_t i = 0; i < s->env.n; i++)
		if (!strncmp(s->env.v[i], "PATH=", 5))
			have_path = 1;
	if (!have_path)
		strv_push(&s->env, "PATH=" BOX_DEFAULT_PATH);
	if (o->hostname && *o->hostname) {
		size_t n = strlen(o->hostname);
		if (n > 63) {
			err_setk(e, ERR_USAGE, "invalid hostname '%s': longer than 63 characters", o->hostname);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			char c = o->hostname[i];
			if (!(isalnum((unsigned char)c) || c == '-' || c == '.')) {
				err_setk(e, ERR_USAGE, "invalid hostname '%s': use letters, digits, '-' and '.'",
					 o->hostname);
				goto fail;
			}
		}
		s->hostname = xstrdup(o->hostname);
	} else {
		s->hostname = xstrndup(box_id, 12);
	}
	{
		char *hn = xasprintf("HOSTNAME=%s", s->hostname);
		env_set(&s->env, hn);
		free(hn);
	}

	if (o->workdir && *o->workdir) {
		if (o->workdir[0] != '/') {
			err_setk(e, ERR_USAGE, "the working directory '%s' is invalid, it needs to be an absolute path",
				 o->workdir);
			goto fail;
		}
		s->workdir = xstrdup(o->workdir);
	} else {
		s->workdir = xstrdup(iw && *iw ? iw : "/");
	}
	s->user = xstrdup(o->user ? o->user : (iu ? iu : ""));

	s->cpus = o->cpus_milli ? (o->cpus_milli + 999) / 1000 : 1;
	if (o->mem_bytes) {
		s->mem_mib = o->mem_bytes >> 20;
		if (s->mem_mib < BOX_MIN_MEM_MIB) {
			err_setk(e, ERR_USAGE, "minimum memory limit for a box is %dMiB", BOX_MIN_MEM_MIB);
			goto fail;
		}
	} else {
		s->mem_mib = BOX_DEFAULT_MEM_MIB;
	}
	s->interactive = o->interactive;
	s->tty = o->tty;
	if (o->network && strcmp(o->network, "none") && strcmp(o->network, "default") &&
	    strcmp(o->network, "bridge")) {
		err_setk(e, ERR_USAGE, "network '%s' not found: use 'default' or 'none'", o->network);
		goto fail;
	}
	s->net = !o->network || strcmp(o->network, "none");
	s->read_only = o->read_only;
	return 0;
fail:
	box_spec_release(s);
	return -1;
}

void box_spec_wire(const struct box_spec *s, bool rw_disk, char **buf, size_t *len)
{
	size_t cap = 0;
	*buf = NULL;
	*len = 0;
	for (size_t i = 0; i < s->argv.n; i++)
		frame_record_add(buf, len, &cap, A3S_CFG_ARG, s->argv.v[i]);
	for (size_t i = 0; i < s->env.n; i++)
		frame_record_add(buf, len, &cap, A3S_CFG_ENV, s->env.v[i]);
	frame_record_add(buf, len, &cap, A3S_CFG_WORKDIR, s->workdir);
	frame_record_add(buf, len, &cap, A3S_CFG_USER, s->user);
	frame_record_add(buf, len, &cap, A3S_CFG_HOSTNAME, s->hostname);
	if (s->interactive)
		frame_record_add(buf, len, &cap, A3S_CFG_STDIN, "1");
	if (s->tty)
		frame_record_add(buf, len, &cap, A3S_CFG_TTY, "1");
	if (rw_disk)
		frame_record_add(buf, len, &cap, A3S_CFG_RW, "1");
	if (s->read_only)
		frame_record_add(buf, len, &cap, A3S_CFG_READONLY, "1");
	{
		size_t i, share = 0;
		json_t *m;
		json_array_foreach(s->mounts, i, m) {
			const char *dst = json_string_value(json_object_get(m, "Destination"));
			bool rw = json_is_true(json_object_get(m, "RW"));
			char *v;
			if (!dst)
				continue;
			if (box_mount_is_share(m)) {
				const char *type = json_string_value(json_object_get(m, "Type"));
				bool copy = !strcmp(type, "volume") && !json_is_true(json_object_get(m, "NoCopy"));
				v = xasprintf("share %zu %s%s %s", share++, rw ? "rw" : "ro", copy ? ",copy" : "", dst);
			} else {
				const char *o = json_string_value(json_object_get(m, "Options"));
				/* a read-only tmpfs has "ro" in its options */
				v = xasprintf("tmpfs %s %s", o && *o ? o : "-", dst);
			}
			frame_record_add(buf, len, &cap, A3S_CFG_MOUNT, v);
			free(v);
		}
	}
	if (s->net) {
		/* QEMU user networking's fixed addresses */
		frame_record_add(buf, len, &cap, A3S_CFG_NET_IP, "10.0.2.15/24");
		frame_record_add(buf, len, &cap, A3S_CFG_NET_GW, "10.0.2.2");
		frame_record_add(buf, len, &cap, A3S_CFG_NET_DNS, "10.0.2.3");
	}
}
