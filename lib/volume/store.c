#include "volume/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "box/admin.h"
#include "box/mounts.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/timefmt.h"

void volume_free(struct volume *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->driver);
	json_decref(v->labels);
	json_decref(v->options);
	free(v->mountpoint);
	free(v->tmpfs_options);
	free(v);
}

void volume_list_free(struct volume **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		volume_free(v[i]);
	free(v);
}

static char *volume_dir(struct root *r, const char *name)
{
	return xasprintf("%s/volumes/%s", r->path, name);
}

static int event(struct root *r, const char *name, const char *action, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO events (time, type, action, actor_id, attributes) "
			       "VALUES (?, 'volume', ?, ?, '{\"driver\":\"local\"}')",
			       -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "recording an event");
	sqlite3_bind_int64(st, 1, io_wall_ns());
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : root_dberr(r, e, "recording an event");
}

static const char *opt(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Check -o options and say what the volume is: 0 plain, 1 bind, 2 tmpfs. */
static int options_kind(const json_t *o, char **tmpfs, struct err *e)
{
	const char *type = opt(o, "type"), *dev = opt(o, "device"), *mo = opt(o, "o");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		if (strcmp(k, "type") && strcmp(k, "device") && strcmp(k, "o"))
			return err_setk(e, ERR_USAGE, "invalid option key: \"%s\": the local driver takes type, device and o",
					k);
		if (!json_is_string(v))
			return err_setk(e, ERR_USAGE, "invalid option \"%s\": not a string", k);
	}
	if (!json_object_size(o))
		return 0;
	if (type && !strcmp(type, "tmpfs")) {
		if (box_tmpfs_options(mo ? mo : "", tmpfs, e) < 0)
			return -1;
		return 2;
	}
	if (type && !strcmp(type, "none") && mo && !strcmp(mo, "bind") && dev) {
		if (dev[0] != '/')
			return err_setk(e, ERR_USAGE, "invalid volume device '%s': the path must be absolute", dev);
		return 1;
	}
	return err_setk(e, ERR_USAGE,
			"unsupported volume options: use type=none,o=bind,device=/path or type=tmpfs[,o=size=...]");
}

static int load_row(struct root *r, sqlite3_stmt *st, struct volume **out, struct err *e)
{
	struct volume *v = xcalloc(1, sizeof(*v));
	json_error_t je;
	int kind;
	v->name = xstrdup((const char *)sqlite3_column_text(st, 0));
	v->driver = xstrdup((const char *)sqlite3_column_text(st, 1));
	v->labels = json_loads((const char *)sqlite3_column_text(st, 2), 0, &je);
	v->options = json_loads((const char *)sqlite3_column_text(st, 3), 0, &je);
	v->anonymous = sqlite3_column_int(st, 4) != 0;
	v->created_at = sqlite3_column_int64(st, 5);
	if (!json_is_object(v->labels) || !json_is_object(v->options)) {
		volume_free(v);
		return err_set(e, "the record of a volume is damaged");
	}
	kind = options_kind(v->options, &v->tmpfs_options, e);
	if (kind < 0) {
		volume_free(v);
		return -1;
	}
	if (kind == 1) {
		v->mountpoint = xstrdup(opt(v->options, "device"));
	} else {
		char *d = volume_dir(r, v->name);
		v->mountpoint = xasprintf("%s/_data", d);
		free(d);
	}
	*out = v;
	return 0;
}

#define COLUMNS "name, driver, labels, options, anonymous, created_at"

int volume_get(struct root *r, const char *name, struct volume **out, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "SELECT " COLUMNS " FROM volumes WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading volumes");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = load_row(r, st, out, e);
	else if (rc == SQLITE_DONE)
		rc = err_setk(e, ERR_NOT_FOUND, "no such volume: %s", name);
	else
		rc = root_dberr(r, e, "reading volumes");
	sqlite3_finalize(st);
	return rc;
}

int volume_list(struct root *r, struct volume ***out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	struct volume **v = NULL;
	size_t cnt = 0;
	int rc;
	if (sqlite3_prepare_v2(r->db, "SELECT " COLUMNS " FROM volumes ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading volumes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		if (load_row(r, st, &v[cnt], e) < 0) {
			sqlite3_finalize(st);
			volume_list_free(v, cnt);
			return -1;
		}
		cnt++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		volume_list_free(v, cnt);
		return root_dberr(r, e, "reading volumes");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int volume_create(struct root *r, const char *name, const char *driver, const json_t *labels, const json_t *options,
		  bool anonymous, bool *created, struct volume **out, struct err *e)
{
	json_t *empty = json_object();
	char *lj, *oj, *dir = NULL, *data = NULL, *tmpfs = NULL;
	sqlite3_stmt *st = NULL;
	int kind, rc = -1;

	if (created)
		*created = false;
	if (!box_volume_name_valid(name)) {
		err_setk(e, ERR_USAGE,
			 "create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
			 name, name);
		goto out_nojson;
	}
	if (driver && strcmp(driver, "local")) {
		err_setk(e, ERR_USAGE, "error looking up volume plugin %s: plugin \"%s\" not found: only 'local' exists",
			 driver, driver);
		goto out_nojson;
	}
	if ((kind = options_kind(options ? options : empty, &tmpfs, e)) < 0)
		goto out_nojson;
	free(tmpfs);
	lj = json_dumps(labels ? labels : empty, JSON_COMPACT | JSON_SORT_KEYS);
	oj = json_dumps(options ? options : empty, JSON_COMPACT | JSON_SORT_KEYS);
	dir = volume_dir(r, name);
	data = xasprintf("%s/_data", dir);
	if (root_begin(r, e) < 0)
		goto out;
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO volumes (name, driver, labels, options, anonymous, created_at) "
			       "VALUES (?, 'local', ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING",
			       -1, &st, NULL) != SQLITE_OK) {
		root_dberr(r, e, "creating the volume");
		root_rollback(r);
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, lj, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, oj, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, anonymous);
	sqlite3_bind_int64(st, 5, io_wall_ns());
	if (sqlite3_step(st) != SQLITE_DONE) {
		root_dberr(r, e, "creating the volume");
		root_rollback(r);
		goto out;
	}
	if (sqlite3_changes(r->db) == 1) {
		/* the directory exists before anyone can see the row */
		if (fs_mkdir_p(dir, 0701, e) < 0 || (kind != 1 && fs_mkdir_p(data, 0755, e) < 0) ||
		    event(r, name, "create", e) < 0) {
			root_rollback(r);
			struct err e2 = ERR_INIT;
			(void)fs_rmtree(dir, &e2);
			goto out;
		}
		if (created)
			*created = true;
	}
	if (root_commit(r, e) < 0)
		goto out;
	rc = out ? volume_get(r, name, out, e) : 0;
out:
	sqlite3_finalize(st);
	free(lj);
	free(oj);
out_nojson:
	free(dir);
	free(data);
	json_decref(empty);
	return rc;
}

int volume_users(struct root *r, const char *name, struct strv *ids, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT DISTINCT boxes.id FROM boxes, json_each(boxes.config, '$.Mounts') AS m "
			       "WHERE json_extract(m.value, '$.Type') = 'volume' AND json_extract(m.value, '$.Name') = ? "
			       "ORDER BY boxes.created_at",
			       -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "finding the volume's users");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : root_dberr(r, e, "finding the volume's users");
}

int volume_remove(struct root *r, const char *name, struct err *e)
{
	struct strv users = STRV_INIT;
	sqlite3_stmt *st = NULL;
	char *dir;
	int rc;
	if (root_begin(r, e) < 0)
		return -1;
	if (volume_users(r, name, &users, e) < 0)
		goto fail;
	if (users.n) {
		size_t len = 0, cap = users.n * 66 + 4;
		char *list = xmalloc(cap);
		for (size_t i = 0; i < users.n; i++)
			len += (size_t)snprintf(list + len, cap - len, "%s%s", i ? ", " : "", users.v[i]);
		err_setk(e, ERR_CONFLICT, "remove %s: volume is in use - [%s]", name, list);
		free(list);
		goto fail;
	}
	if (sqlite3_prepare_v2(r->db, "DELETE FROM volumes WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
		root_dberr(r, e, "removing the volume");
		goto fail;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		root_dberr(r, e, "removing the volume");
		goto fail;
	}
	if (sqlite3_changes(r->db) != 1) {
		err_setk(e, ERR_NOT_FOUND, "no such volume: %s", name);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (event(r, name, "destroy", e) < 0 || root_commit(r, e) < 0)
		goto fail;
	strv_release(&users);
	/* the row is gone first: no box can mount the volume while it goes;
	 * a bind-backed volume's device is the user's and stays */
	dir = volume_dir(r, name);
	rc = fs_rmtree(dir, e);
	free(dir);
	return rc;
fail:
	sqlite3_finalize(st);
	root_rollback(r);
	strv_release(&users);
	return -1;
}

static bool label_match(const json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	char *k = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
	const char *have = json_string_value(json_object_get(labels, k));
	bool ok = have && (!eq || !strcmp(have, eq + 1));
	free(k);
	return ok;
}

int volume_filter_match(struct root *r, const struct volume *v, const struct strv *filters, struct err *e)
{
	for (size_t i = 0; filters && i < filters->n; i++) {
		const char *f = filters->v[i], *eq = strchr(f, '=');
		const char *val = eq ? eq + 1 : "";
		size_t kl = eq ? (size_t)(eq - f) : strlen(f);
		if (!eq)
			return err_setk(e, ERR_USAGE, "bad format of filter (expected name=value): %s", f);
		if (kl == 4 && !strncmp(f, "name", 4)) {
			if (!strstr(v->name, val))
				return 0;
		} else if (kl == 6 && !strncmp(f, "driver", 6)) {
			if (strcmp(v->driver, val))
				return 0;
		} else if (kl == 5 && !strncmp(f, "label", 5)) {
			if (!label_match(v->labels, val))
				return 0;
		} else if (kl == 6 && !strncmp(f, "label!", 6)) {
			if (label_match(v->labels, val))
				return 0;
		} else if (kl == 8 && !strncmp(f, "dangling", 8)) {
			struct strv users = STRV_INIT;
			bool want = !strcmp(val, "true") || !strcmp(val, "1");
			if (!want && strcmp(val, "false") && strcmp(val, "0"))
				return err_setk(e, ERR_USAGE, "invalid filter 'dangling=%s'", val);
			if (volume_users(r, v->name, &users, e) < 0)
				return -1;
			bool dangling = users.n == 0;
			strv_release(&users);
			if (dangling != want)
				return 0;
		} else {
			return err_setk(e, ERR_USAGE, "invalid filter '%.*s'", (int)kl, f);
		}
	}
	return 1;
}

int volume_prune(struct root *r, bool all, const struct strv *filters, struct strv *deleted, uint64_t *reclaimed,
		 struct err *e)
{
	struct volume **v;
	size_t n;
	int rc = 0;
	*reclaimed = 0;
	for (size_t i = 0; filters && i < filters->n; i++)
		if (strncmp(filters->v[i], "label=", 6) && strncmp(filters->v[i], "label!=", 7) &&
		    strcmp(filters->v[i], "all=true") && strcmp(filters->v[i], "all=1"))
			return err_setk(e, ERR_USAGE, "invalid filter '%s': prune takes label and all", filters->v[i]);
		else if (!strncmp(filters->v[i], "all=", 4))
			all = true;
	if (volume_list(r, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct strv users = STRV_INIT;
		bool match = true;
		uint64_t bytes;
		char *dir;
		if (!all && !v[i]->anonymous)
			continue;
		for (size_t k = 0; filters && k < filters->n; k++) {
			if (!strncmp(filters->v[k], "label=", 6))
				match &= label_match(v[i]->labels, filters->v[k] + 6);
			else if (!strncmp(filters->v[k], "label!=", 7))
				match &= !label_match(v[i]->labels, filters->v[k] + 7);
		}
		if (!match)
			continue;
		if (volume_users(r, v[i]->name, &users, e) < 0) {
			rc = -1;
			break;
		}
		if (users.n) {
			strv_release(&users);
			continue;
		}
		dir = volume_dir(r, v[i]->name);
		bytes = box_disk_usage(dir);
		free(dir);
		if (volume_remove(r, v[i]->name, e) < 0) {
			if (e->kind == ERR_CONFLICT || e->kind == ERR_NOT_FOUND) {
				err_clear(e); /* taken or removed meanwhile */
				continue;
			}
			rc = -1;
		} else {
			strv_push(deleted, v[i]->name);
			*reclaimed += bytes;
		}
	}
	volume_list_free(v, n);
	return rc;
}

json_t *volume_to_json(const struct volume *v)
{
	char buf[64];
	time_format_rfc3339nano_fixed(v->created_at, buf, sizeof(buf));
	/* docker prints seconds: drop the fraction */
	{
		char *dot = strchr(buf, '.');
		if (dot) {
			char *end = dot + 1;
			while (*end >= '0' && *end <= '9')
				end++;
			memmove(dot, end, strlen(end) + 1);
		}
	}
	return json_pack("{s:s, s:s, s:O, s:s, s:s, s:O?, s:s}", "CreatedAt", buf, "Driver", v->driver, "Labels",
			 v->labels, "Mountpoint", v->mountpoint, "Name", v->name, "Options",
			 json_object_size(v->options) ? v->options : NULL, "Scope", "local");
}
