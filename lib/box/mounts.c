#include "box/mounts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/units.h"
#include "util/xalloc.h"

bool box_volume_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n < 2 || n > 255 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

char *box_path_clean(const char *p)
{
	size_t n = strlen(p), len = 0;
	char *out;
	if (!n || p[0] != '/')
		return NULL;
	out = xmalloc(n + 2);
	out[0] = '\0';
	while (*p) {
		size_t k;
		while (*p == '/')
			p++;
		k = strcspn(p, "/");
		if (!k)
			break;
		if (k == 1 && p[0] == '.') {
			/* nothing */
		} else if (k == 2 && p[0] == '.' && p[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--; /* the '/' before the dropped component */
			out[len] = '\0';
		} else {
			out[len++] = '/';
			memcpy(out + len, p, k);
			len += k;
			out[len] = '\0';
		}
		p += k;
	}
	if (!len) {
		out[0] = '/';
		out[1] = '\0';
	}
	return out;
}

bool box_mount_is_share(const json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "Type"));
	if (!type)
		return false;
	if (!strcmp(type, "bind"))
		return true;
	/* a volume made with -o type=tmpfs lives in the guest only */
	return !strcmp(type, "volume") && !json_is_string(json_object_get(m, "Options"));
}

static const char *const tmpfs_flags[] = {
	"ro", "rw", "noexec", "exec", "nosuid", "suid", "nodev", "dev", "sync", "async", "dirsync",
	"noatime", "atime", "nodiratime", "diratime", "relatime", "norelatime", "strictatime",
	"nostrictatime", "mand", "nomand", NULL,
};

static bool all_digits(const char *s, int base)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (base == 8 ? (*s < '0' || *s > '7') : !isdigit((unsigned char)*s))
			return false;
	return true;
}

int box_tmpfs_options(const char *opts, char **out, struct err *e)
{
	size_t cap = strlen(opts) * 3 + 32, len = 0;
	char *buf = xmalloc(cap), *copy = xstrdup(opts), *p = copy;
	buf[0] = '\0';
	while (p) {
		char *next = strchr(p, ','), *eq, item[128];
		if (next)
			*next++ = '\0';
		if (!*p) {
			p = next;
			continue;
		}
		eq = strchr(p, '=');
		if (!eq) {
			bool ok = false;
			for (size_t i = 0; tmpfs_flags[i]; i++)
				ok |= !strcmp(p, tmpfs_flags[i]);
			if (!ok)
				goto bad;
			snprintf(item, sizeof(item), "%s", p);
		} else {
			*eq = '\0';
			if (!strcmp(p, "size")) {
				uint64_t bytes;
				struct err e2 = ERR_INIT;
				if (units_parse_ram(eq + 1, &bytes, &e2) < 0 || !bytes)
					goto bad_eq;
				snprintf(item, sizeof(item), "size=%llu", (unsigned long long)bytes);
			} else if (!strcmp(p, "mode")) {
				if (!all_digits(eq + 1, 8) || strtoul(eq + 1, NULL, 8) > 07777)
					goto bad_eq;
				snprintf(item, sizeof(item), "mode=%lo", strtoul(eq + 1, NULL, 8));
			} else if (!strcmp(p, "uid") || !strcmp(p, "gid") || !strcmp(p, "nr_inodes") ||
				   !strcmp(p, "nr_blocks")) {
				if (!all_digits(eq + 1, 10) || strlen(eq + 1) > 19)
					goto bad_eq;
				snprintf(item, sizeof(item), "%s=%s", p, eq + 1);
			} else {
				goto bad_eq;
			}
		}
		if (len + strlen(item) + 2 > cap)
			buf = xrealloc(buf, cap = cap * 2 + strlen(item));
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "", item);
		p = next;
	}
	free(copy);
	if (len > 200) {
		err_setk(e, ERR_USAGE, "invalid tmpfs options '%s': too long", opts);
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
bad_eq:
	*strchr(p, '\0') = '=';
bad:
	err_setk(e, ERR_USAGE, "invalid tmpfs option '%s': use size, mode, uid, gid, nr_inodes or mount flags", p);
	free(copy);
	free(buf);
	return -1;
}

static int bad_path(const char *type, const char *path, struct err *e)
{
	return err_setk(e, ERR_USAGE, "invalid mount config for type \"%s\": invalid mount path: '%s' mount path must be absolute",
			type, path);
}

/* The destination, checked and cleaned, or NULL with e set. */
static char *destination(const char *type, const char *dst, struct err *e)
{
	char *clean = box_path_clean(dst);
	if (!clean) {
		bad_path(type, dst, e);
		return NULL;
	}
	if (!strcmp(clean, "/")) {
		free(clean);
		err_setk(e, ERR_USAGE, "invalid mount config for type \"%s\": invalid specification: destination can't be '/'",
			 type);
		return NULL;
	}
	return clean;
}

static int bad_volume_name(const char *name, struct err *e)
{
	return err_setk(e, ERR_USAGE,
			"\"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
			name);
}

static json_t *entry(const char *type, const char *source, const char *dst, bool rw, const char *mode)
{
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", type, "Source", source, "Destination", dst,
			      "Mode", mode, "RW", rw, "Propagation", !strcmp(type, "bind") ? "rprivate" : "");
	if (!strcmp(type, "volume"))
		json_object_set_new(m, "Driver", json_string("local"));
	return m;
}

static bool is_mode_word(const char *w)
{
	static const char *const words[] = {"ro", "rw", "z", "Z", "nocopy", "private", "rprivate", "shared",
					    "rshared", "slave", "rslave", "consistent", "cached", "delegated", NULL};
	for (size_t i = 0; words[i]; i++)
		if (!strcmp(w, words[i]))
			return true;
	return false;
}

/* "ro,z" -> rw, nocopy, propagation; false when a word is unknown or
 * ro and rw both appear. */
static bool parse_mode(const char *mode, bool *rw, bool *nocopy, const char **prop)
{
	char *copy = xstrdup(mode), *save = NULL, *w;
	int seen_rw = 0;
	bool ok = true;
	*rw = true;
	*nocopy = false;
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!is_mode_word(w)) {
			ok = false;
		} else if (!strcmp(w, "ro") || !strcmp(w, "rw")) {
			*rw = !strcmp(w, "rw");
			ok &= !seen_rw++;
		} else if (!strcmp(w, "nocopy")) {
			*nocopy = true;
		} else if (strstr(w, "private") || strstr(w, "shared") || strstr(w, "slave")) {
			static const char *const props[] = {"private", "rprivate", "shared", "rshared", "slave", "rslave"};
			for (size_t i = 0; i < 6; i++)
				if (!strcmp(w, props[i]))
					*prop = props[i];
		}
	}
	free(copy);
	return ok && *mode;
}

int box_mount_parse_volume(const char *spec, json_t *list, struct err *e)
{
	char *parts[4] = {0}, *copy = xstrdup(spec), *p = copy, *dst = NULL;
	const char *src = NULL, *mode = "", *prop = NULL;
	int n = 0, rc = -1;
	bool rw = true, nocopy = false;
	json_t *m;

	while (n < 4) {
		parts[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (p || n > 3 || !*spec) {
		err_setk(e, ERR_USAGE, "invalid volume specification: '%s'", spec);
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (!*parts[i]) {
			err_setk(e, ERR_USAGE, "invalid volume specification: '%s'", spec);
			goto out;
		}
	if (n == 1) {
		dst = parts[0];
	} else if (n == 2) {
		if (is_mode_word(parts[1]) || strchr(parts[1], ',')) {
			/* DST:MODE: volumes without a source take no mode */
			err_setk(e, ERR_USAGE, "invalid volume specification: '%s'", spec);
			goto out;
		}
		src = parts[0];
		dst = parts[1];
	} else {
		src = parts[0];
		dst = parts[1];
		mode = parts[2];
		if (!parse_mode(mode, &rw, &nocopy, &prop)) {
			err_setk(e, ERR_USAGE, "invalid mode: %s", mode);
			goto out;
		}
	}
	if (src && src[0] == '/') {
		char *d = destination("bind", dst, e), *s = d ? box_path_clean(src) : NULL;
		if (!d)
			goto out;
		if (nocopy) {
			free(d);
			free(s);
			err_setk(e, ERR_USAGE, "invalid mode: %s: nocopy applies to volumes only", mode);
			goto out;
		}
		m = entry("bind", s, d, rw, mode);
		json_object_set_new(m, "Create", json_true());
		if (prop)
			json_object_set_new(m, "Propagation", json_string(prop));
		free(d);
		free(s);
	} else {
		char *d;
		if (src && !box_volume_name_valid(src)) {
			bad_volume_name(src, e);
			goto out;
		}
		d = destination("volume", dst, e);
		if (!d)
			goto out;
		m = entry("volume", "", d, rw, mode);
		json_object_set_new(m, "Name", json_string(src ? src : ""));
		if (nocopy)
			json_object_set_new(m, "NoCopy", json_true());
		free(d);
	}
	json_array_append_new(list, m);
	rc = 0;
out:
	free(copy);
	return rc;
}

/* Next field of a CSV line (docker reads --mount with a CSV reader):
 * quoted fields may hold commas; "" is a quote. NULL at the end. */
static char *csv_field(const char **pp)
{
	const char *p = *pp;
	size_t cap = strlen(p) + 1, len = 0;
	char *out;
	if (!*p)
		return NULL;
	out = xmalloc(cap);
	while (*p && *p != ',') {
		if (*p == '"') {
			p++;
			while (*p) {
				if (p[0] == '"' && p[1] == '"') {
					out[len++] = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					out[len++] = *p++;
				}
			}
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = '\0';
	if (*p == ',')
		p++;
	*pp = p;
	return out;
}

static int parse_bool(const char *key, const char *v, bool *out, struct err *e)
{
	if (!v || !strcmp(v, "1") || !strcasecmp(v, "true")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "0") || !strcasecmp(v, "false")) {
		*out = false;
		return 0;
	}
	return err_setk(e, ERR_USAGE, "invalid value for %s: %s", key, v);
}

struct mount_fields {
	char *type, *source, *target, *prop, *driver, *tmpfs_size, *tmpfs_mode;
	bool ro, nocopy, has_bind_opt, has_volume_opt, has_tmpfs_opt;
	json_t *labels, *opts;
};

static int mount_field(struct mount_fields *f, char *field, struct err *e)
{
	char *eq = strchr(field, '='), *v = eq ? eq + 1 : NULL;
	char **slot = NULL;
	if (eq)
		*eq = '\0';
	if (!strcmp(field, "readonly") || !strcmp(field, "ro"))
		return parse_bool(field, v, &f->ro, e);
	if (!strcmp(field, "volume-nocopy")) {
		f->has_volume_opt = true;
		return parse_bool(field, v, &f->nocopy, e);
	}
	if (!strcmp(field, "bind-nonrecursive") || !strcmp(field, "bind-recursive")) {
		bool ignored;
		f->has_bind_opt = true;
		return parse_bool(field, v, &ignored, e);
	}
	if (!v)
		return err_setk(e, ERR_USAGE, "invalid field '%s' must be a key=value pair", field);
	if (!strcmp(field, "type"))
		slot = &f->type;
	else if (!strcmp(field, "source") || !strcmp(field, "src"))
		slot = &f->source;
	else if (!strcmp(field, "destination") || !strcmp(field, "dst") || !strcmp(field, "target"))
		slot = &f->target;
	else if (!strcmp(field, "bind-propagation"))
		slot = &f->prop, f->has_bind_opt = true;
	else if (!strcmp(field, "volume-driver"))
		slot = &f->driver, f->has_volume_opt = true;
	else if (!strcmp(field, "tmpfs-size"))
		slot = &f->tmpfs_size, f->has_tmpfs_opt = true;
	else if (!strcmp(field, "tmpfs-mode"))
		slot = &f->tmpfs_mode, f->has_tmpfs_opt = true;
	else if (!strcmp(field, "consistency"))
		return 0;
	if (slot) {
		free(*slot);
		*slot = xstrdup(v);
		return 0;
	}
	if (!strcmp(field, "volume-label") || !strcmp(field, "volume-opt")) {
		char *eq2 = strchr(v, '=');
		json_t **obj = field[7] == 'l' ? &f->labels : &f->opts;
		f->has_volume_opt = true;
		if (!*obj)
			*obj = json_object();
		if (eq2)
			*eq2 = '\0';
		if (!*v || (!eq2 && field[7] == 'o'))
			return err_setk(e, ERR_USAGE, "invalid %s '%s': use KEY=VALUE", field, v);
		json_object_set_new(*obj, v, json_string(eq2 ? eq2 + 1 : ""));
		return 0;
	}
	return err_setk(e, ERR_USAGE, "unexpected key '%s' in '%s=%s'", field, field, v);
}

static int not_for(const char *type, const char *what, struct err *e)
{
	return err_setk(e, ERR_USAGE, "invalid mount config for type \"%s\": field %s must not be specified", type,
			what);
}

int box_mount_parse_mount(const char *spec, json_t *list, struct err *e)
{
	struct mount_fields f = {0};
	const char *p = spec;
	char *field, *dst = NULL;
	json_t *m = NULL;
	int rc = -1;

	while ((field = csv_field(&p))) {
		int r = mount_field(&f, field, e);
		free(field);
		if (r < 0)
			goto out;
	}
	if (!f.type)
		f.type = xstrdup("volume");
	if (strcmp(f.type, "bind") && strcmp(f.type, "volume") && strcmp(f.type, "tmpfs")) {
		err_setk(e, ERR_USAGE, "invalid mount type '%s': use bind, volume or tmpfs", f.type);
		goto out;
	}
	if (!f.target || !*f.target) {
		err_setk(e, ERR_USAGE, "invalid argument \"%s\" for \"--mount\" flag: target is required", spec);
		goto out;
	}
	if (!(dst = destination(f.type, f.target, e)))
		goto out;
	if (strcmp(f.type, "bind") && f.has_bind_opt) {
		not_for(f.type, "BindOptions", e);
		goto out;
	}
	if (strcmp(f.type, "volume") && f.has_volume_opt) {
		not_for(f.type, "VolumeOptions", e);
		goto out;
	}
	if (strcmp(f.type, "tmpfs") && f.has_tmpfs_opt) {
		not_for(f.type, "TmpfsOptions", e);
		goto out;
	}
	if (!strcmp(f.type, "bind")) {
		char *s;
		if (!f.source || !*f.source) {
			err_setk(e, ERR_USAGE, "invalid mount config for type \"bind\": field Source must not be empty");
			goto out;
		}
		if (!(s = box_path_clean(f.source))) {
			bad_path("bind", f.source, e);
			goto out;
		}
		m = entry("bind", s, dst, !f.ro, f.ro ? "ro" : "");
		free(s);
		if (f.prop) {
			const char *dummy = NULL;
			bool rw, nc;
			if (!parse_mode(f.prop, &rw, &nc, &dummy) || !dummy) {
				err_setk(e, ERR_USAGE, "invalid bind-propagation: %s", f.prop);
				goto out;
			}
			json_object_set_new(m, "Propagation", json_string(f.prop));
		}
	} else if (!strcmp(f.type, "volume")) {
		if (f.source && *f.source && !box_volume_name_valid(f.source)) {
			bad_volume_name(f.source, e);
			goto out;
		}
		if (f.driver && strcmp(f.driver, "local")) {
			err_setk(e, ERR_USAGE, "volume driver '%s' is not supported: use 'local'", f.driver);
			goto out;
		}
		m = entry("volume", "", dst, !f.ro, f.ro ? "ro" : "");
		json_object_set_new(m, "Name", json_string(f.source ? f.source : ""));
		if (f.nocopy)
			json_object_set_new(m, "NoCopy", json_true());
		if (f.labels)
			json_object_set(m, "VolumeLabels", f.labels);
		if (f.opts)
			json_object_set(m, "VolumeOptions", f.opts);
	} else {
		char *opts = NULL, *text;
		if (f.source && *f.source) {
			not_for("tmpfs", "Source", e);
			goto out;
		}
		text = xasprintf("%s%s%s%s%s%s", f.tmpfs_size ? "size=" : "", f.tmpfs_size ? f.tmpfs_size : "",
				 f.tmpfs_size && f.tmpfs_mode ? "," : "", f.tmpfs_mode ? "mode=" : "",
				 f.tmpfs_mode ? f.tmpfs_mode : "", f.ro ? (f.tmpfs_size || f.tmpfs_mode ? ",ro" : "ro") : "");
		if (box_tmpfs_options(text, &opts, e) < 0) {
			free(text);
			goto out;
		}
		free(text);
		m = entry("tmpfs", "", dst, !f.ro, "");
		json_object_set_new(m, "Options", json_string(opts));
		free(opts);
	}
	json_array_append_new(list, m);
	m = NULL;
	rc = 0;
out:
	json_decref(m);
	free(dst);
	free(f.type);
	free(f.source);
	free(f.target);
	free(f.prop);
	free(f.driver);
	free(f.tmpfs_size);
	free(f.tmpfs_mode);
	json_decref(f.labels);
	json_decref(f.opts);
	return rc;
}

int box_mount_parse_tmpfs(const char *spec, json_t *list, struct err *e)
{
	const char *colon = strchr(spec, ':');
	char *path = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec), *dst, *opts = NULL;
	json_t *m;
	bool ro;
	dst = destination("tmpfs", path, e);
	free(path);
	if (!dst)
		return -1;
	if (box_tmpfs_options(colon ? colon + 1 : "", &opts, e) < 0) {
		free(dst);
		return -1;
	}
	ro = !strncmp(opts, "ro", 2) && (opts[2] == ',' || !opts[2]);
	ro |= strstr(opts, ",ro,") != NULL || (strlen(opts) > 3 && !strcmp(opts + strlen(opts) - 3, ",ro"));
	m = entry("tmpfs", "", dst, !ro, "");
	json_object_set_new(m, "Options", json_string(opts));
	json_array_append_new(list, m);
	free(dst);
	free(opts);
	return 0;
}

static size_t depth(const json_t *m)
{
	const char *d = json_string_value(json_object_get(m, "Destination"));
	size_t n = 0;
	for (; d && *d; d++)
		n += *d == '/';
	return n;
}

int box_mounts_check(json_t *list, struct err *e)
{
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		const char *a = json_string_value(json_object_get(json_array_get(list, i), "Destination"));
		for (size_t j = i + 1; j < n; j++) {
			const char *b = json_string_value(json_object_get(json_array_get(list, j), "Destination"));
			if (a && b && !strcmp(a, b))
				return err_setk(e, ERR_USAGE, "Duplicate mount point: %s", a);
		}
	}
	/* insertion sort: stable, and lists are short */
	for (size_t i = 1; i < n; i++) {
		json_t *cur = json_incref(json_array_get(list, i));
		size_t j = i;
		while (j > 0 && depth(json_array_get(list, j - 1)) > depth(cur)) {
			json_array_set(list, j, json_array_get(list, j - 1));
			j--;
		}
		json_array_set_new(list, j, cur);
	}
	return 0;
}
