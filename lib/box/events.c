#include "box/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"
#include "util/xalloc.h"

void box_event_rec_release(struct box_event_rec *ev)
{
	free(ev->type);
	free(ev->action);
	free(ev->actor_id);
	json_decref(ev->attrs);
	memset(ev, 0, sizeof(*ev));
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

/* docker's attributes are strings: {"exitCode": 0} reads "0". */
static json_t *attrs_from_text(const char *text)
{
	json_error_t je;
	json_t *in = json_loads(text, 0, &je), *out = json_object(), *v;
	const char *k;
	if (!json_is_object(in)) {
		json_decref(in);
		return out;
	}
	json_object_foreach(in, k, v) {
		if (json_is_string(v)) {
			json_object_set(out, k, v);
		} else if (json_is_integer(v)) {
			char *s = xasprintf("%lld", (long long)json_integer_value(v));
			json_object_set_new(out, k, json_string(s));
			free(s);
		} else if (json_is_true(v) || json_is_false(v)) {
			json_object_set_new(out, k, json_string(json_is_true(v) ? "true" : "false"));
		} else if (!json_is_null(v)) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			json_object_set_new(out, k, json_string(s ? s : ""));
			free(s);
		}
	}
	json_decref(in);
	return out;
}

int box_events_read(struct root *r, int64_t after_seq, int64_t since_ns, int64_t *last_seq,
		    int (*fn)(void *arg, struct box_event_rec *ev), void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc, ret = 0;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT seq, time, type, action, actor_id, attributes FROM events "
			       "WHERE seq > ? AND time >= ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading events");
	sqlite3_bind_int64(st, 1, after_seq);
	sqlite3_bind_int64(st, 2, since_ns);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct box_event_rec ev = {
			.seq = sqlite3_column_int64(st, 0),
			.time_ns = sqlite3_column_int64(st, 1),
			.type = xstrdup(col(st, 2)),
			.action = xstrdup(col(st, 3)),
			.actor_id = xstrdup(col(st, 4)),
			.attrs = attrs_from_text(col(st, 5)),
		};
		*last_seq = ev.seq;
		ret = fn(arg, &ev);
		box_event_rec_release(&ev);
		if (ret < 0)
			break;
	}
	sqlite3_finalize(st);
	if (ret < 0)
		return ret;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return root_dberr(r, e, "reading events");
	return 0;
}

int box_events_last_seq(struct root *r, int64_t *seq, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "SELECT COALESCE(MAX(seq), 0) FROM events", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading events");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : root_dberr(r, e, "reading events");
}

static void set_if_missing(json_t *attrs, const char *key, const char *val)
{
	if (val && *val && !json_object_get(attrs, key))
		json_object_set_new(attrs, key, json_string(val));
}

void box_event_complete(struct root *r, struct box_event_rec *ev)
{
	sqlite3_stmt *st;
	if (strcmp(ev->type, "container"))
		return;
	if ((!json_object_get(ev->attrs, "name") || !json_object_get(ev->attrs, "image")) &&
	    sqlite3_prepare_v2(r->db,
			       "SELECT json_extract(attributes, '$.name'), json_extract(attributes, '$.image') "
			       "FROM events WHERE actor_id = ? AND seq < ? AND type = 'container' "
			       "AND (json_extract(attributes, '$.name') IS NOT NULL "
			       "OR json_extract(attributes, '$.image') IS NOT NULL) ORDER BY seq DESC",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, ev->actor_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ev->seq);
		while ((!json_object_get(ev->attrs, "name") || !json_object_get(ev->attrs, "image")) &&
		       sqlite3_step(st) == SQLITE_ROW) {
			set_if_missing(ev->attrs, "name", (const char *)sqlite3_column_text(st, 0));
			set_if_missing(ev->attrs, "image", (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(r->db, "SELECT name, image_ref, labels FROM boxes WHERE id = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, ev->actor_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_error_t je;
		json_t *labels = json_loads(col(st, 2), 0, &je), *v;
		const char *k;
		set_if_missing(ev->attrs, "name", col(st, 0));
		set_if_missing(ev->attrs, "image", col(st, 1));
		if (json_is_object(labels))
			json_object_foreach(labels, k, v)
				set_if_missing(ev->attrs, k, json_string_value(v));
		json_decref(labels);
	}
	sqlite3_finalize(st);
}

/* Filters */

static const char *const filter_keys[] = {"type", "event", "container", "image", "label", NULL};

int box_event_filter_add(struct box_event_filter *f, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');
	char *key;
	json_t *vals;
	bool known = false;
	if (!eq || eq == kv)
		return err_setk(e, ERR_USAGE, "bad format of filter (expected name=value)");
	key = xstrndup(kv, (size_t)(eq - kv));
	for (size_t i = 0; filter_keys[i]; i++)
		known |= !strcmp(filter_keys[i], key);
	if (!known) {
		err_setk(e, ERR_USAGE, "invalid filter '%s'", key);
		free(key);
		return -1;
	}
	if (!f->terms)
		f->terms = json_object();
	vals = json_object_get(f->terms, key);
	if (!vals) {
		vals = json_array();
		json_object_set_new(f->terms, key, vals);
	}
	json_array_append_new(vals, json_string(eq + 1));
	free(key);
	return 0;
}

void box_event_filter_release(struct box_event_filter *f)
{
	json_decref(f->terms);
	f->terms = NULL;
}

/* Does key have the value s (exactly, or as a prefix when fuzzy)? A key
 * not given matches everything. */
static bool term_match(const struct box_event_filter *f, const char *key, const char *s, bool fuzzy)
{
	json_t *vals = f->terms ? json_object_get(f->terms, key) : NULL, *v;
	size_t i;
	if (!vals)
		return true;
	if (!s)
		return false;
	json_array_foreach(vals, i, v) {
		const char *want = json_string_value(v);
		if (!strcmp(want, s) || (fuzzy && *want && !strncmp(want, s, strlen(want))))
			return true;
	}
	return false;
}

/* "repo:tag" -> "repo", "repo@sha256:..." -> "repo"; caller frees. */
static char *strip_tag(const char *ref)
{
	const char *at = strchr(ref, '@'), *colon, *slash;
	size_t n = at ? (size_t)(at - ref) : strlen(ref);
	char *s = xstrndup(ref, n);
	colon = strrchr(s, ':');
	slash = strrchr(s, '/');
	if (colon && (!slash || colon > slash))
		s[colon - s] = '\0';
	return s;
}

static bool image_match(const struct box_event_filter *f, const struct box_event_rec *ev)
{
	const char *name = json_string_value(
		json_object_get(ev->attrs, !strcmp(ev->type, "image") ? "name" : "image"));
	char *id_s = strip_tag(ev->actor_id), *name_s = name ? strip_tag(name) : NULL;
	bool ok = term_match(f, "image", ev->actor_id, false) || (name && term_match(f, "image", name, false)) ||
		  term_match(f, "image", id_s, false) || (name_s && term_match(f, "image", name_s, false));
	free(id_s);
	free(name_s);
	return ok;
}

static bool labels_match(const struct box_event_filter *f, const struct box_event_rec *ev)
{
	json_t *vals = f->terms ? json_object_get(f->terms, "label") : NULL, *v;
	size_t i;
	json_array_foreach(vals, i, v) {
		const char *want = json_string_value(v), *eq = strchr(want, '=');
		char *k = eq ? xstrndup(want, (size_t)(eq - want)) : xstrdup(want);
		const char *have = json_string_value(json_object_get(ev->attrs, k));
		free(k);
		if (!have || (eq && strcmp(have, eq + 1)))
			return false;
	}
	return true;
}

bool box_event_filter_match(const struct box_event_filter *f, const struct box_event_rec *ev)
{
	const char *name = json_string_value(json_object_get(ev->attrs, "name"));
	bool container = term_match(f, "container", ev->actor_id, true) ||
			 (name && term_match(f, "container", name, true));
	/* docker: a container filter only lets container events through */
	if (f->terms && json_object_get(f->terms, "container") && strcmp(ev->type, "container"))
		container = false;
	return term_match(f, "type", ev->type, false) && term_match(f, "event", ev->action, false) && container &&
	       image_match(f, ev) && labels_match(f, ev);
}

/* Output */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *box_event_format_line(const struct box_event_rec *ev)
{
	char tbuf[64], *line, *tmp;
	size_t n = json_object_size(ev->attrs), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof(*keys));
	const char *k;
	json_t *v;
	time_format_rfc3339nano_fixed(ev->time_ns, tbuf, sizeof(tbuf));
	line = xasprintf("%s %s %s %s", tbuf, ev->type, ev->action, ev->actor_id);
	json_object_foreach(ev->attrs, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		const char *val = json_string_value(json_object_get(ev->attrs, keys[i]));
		tmp = xasprintf("%s%s%s=%s%s", line, i ? ", " : " (", keys[i], val ? val : "", i + 1 == n ? ")" : "");
		free(line);
		line = tmp;
	}
	free(keys);
	return line;
}

/* A copy of attrs with its keys in order (Go marshals maps sorted). */
static json_t *sorted(const json_t *attrs)
{
	size_t n = json_object_size(attrs), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof(*keys));
	json_t *out = json_object(), *v;
	const char *k;
	json_object_foreach((json_t *)attrs, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(attrs, keys[i]));
	free(keys);
	return out;
}

json_t *box_event_to_json(const struct box_event_rec *ev)
{
	json_t *j = json_object();
	if (!strcmp(ev->type, "container") || !strcmp(ev->type, "image")) {
		const char *from = json_string_value(json_object_get(ev->attrs, "image"));
		json_object_set_new(j, "status", json_string(ev->action));
		json_object_set_new(j, "id", json_string(ev->actor_id));
		if (!strcmp(ev->type, "container") && from)
			json_object_set_new(j, "from", json_string(from));
	}
	json_object_set_new(j, "Type", json_string(ev->type));
	json_object_set_new(j, "Action", json_string(ev->action));
	json_object_set_new(j, "Actor", json_pack("{s:s, s:o}", "ID", ev->actor_id, "Attributes", sorted(ev->attrs)));
	json_object_set_new(j, "scope", json_string("local"));
	json_object_set_new(j, "time", json_integer(ev->time_ns / 1000000000LL));
	json_object_set_new(j, "timeNano", json_integer(ev->time_ns));
	return j;
}

int box_event_template_lookup(void *data, const char *field, json_t **out)
{
	static const char *const names[][2] = {{"Status", "status"}, {"ID", "id"},       {"From", "from"},
					       {"Type", "Type"},     {"Action", "Action"}, {"Actor", "Actor"},
					       {"Scope", "scope"},   {"Time", "time"},   {"TimeNano", "timeNano"}};
	json_t *j = data;
	if (!field) {
		*out = json_incref(j);
		return 0;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(field, names[i][0])) {
			json_t *v = json_object_get(j, names[i][1]);
			/* Go's zero value for an omitted string field */
			*out = v ? json_incref(v) : json_string("");
			return 0;
		}
	}
	return -1;
}
