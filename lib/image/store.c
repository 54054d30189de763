/* Image rows: decoding, lookup, listing, insertion. */
#include "image/store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image/digest.h"
#include "image/ref.h"

void image_free(struct image *img)
{
	if (!img)
		return;
	free(img->id);
	free(img->manifest_digest);
	json_decref(img->config);
	strv_release(&img->layers);
	strv_release(&img->diff_ids);
	strv_release(&img->tags);
	free(img);
}

void image_list_free(struct image **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		image_free(v[i]);
	free(v);
}

char *image_blob_path(const struct root *r, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", r->path, digest_hex(digest));
}

const char *image_short_id(const char *id, char buf[13])
{
	const char *hex = strncmp(id, DIGEST_PREFIX, 7) ? id : id + 7;
	snprintf(buf, 13, "%s", hex);
	return buf;
}

static int prepare(struct root *r, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (sqlite3_prepare_v2(r->db, sql, -1, st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading the image store");
	return 0;
}

static int json_strv(const char *text, struct strv *out)
{
	json_t *a = json_loads(text ? text : "", 0, NULL);
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (!s) {
			json_decref(a);
			return -1;
		}
		strv_push(out, s);
	}
	json_decref(a);
	return 0;
}

static int load_tags(struct root *r, struct image *img, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (prepare(r, "SELECT name, tagged_at FROM tags WHERE image_id = ? ORDER BY name", &st, e) < 0)
		return -1;
	sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(st, 1);
		strv_push(&img->tags, (const char *)sqlite3_column_text(st, 0));
		if (t > img->last_tag_time)
			img->last_tag_time = t;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, "reading image tags");
	return 0;
}

int image_store_get(struct root *r, const char *id, struct image **out, struct err *e)
{
	sqlite3_stmt *st;
	struct image *img;
	int rc;
	if (prepare(r,
		    "SELECT id, manifest_digest, config, layers, diff_ids, size, created, loaded_at, last_used"
		    " FROM images WHERE id = ?",
		    &st, e) < 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return err_setk(e, ERR_NOT_FOUND, "No such image: %s", id);
		return root_dberr(r, e, "reading the image store");
	}
	img = xcalloc(1, sizeof(*img));
	img->id = xstrdup((const char *)sqlite3_column_text(st, 0));
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		img->manifest_digest = xstrdup((const char *)sqlite3_column_text(st, 1));
	img->config = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
	img->size = sqlite3_column_int64(st, 5);
	img->created = sqlite3_column_int64(st, 6);
	img->loaded_at = sqlite3_column_int64(st, 7);
	img->last_used = sqlite3_column_int64(st, 8);
	if (!json_is_object(img->config) || json_strv((const char *)sqlite3_column_text(st, 3), &img->layers) < 0 ||
	    json_strv((const char *)sqlite3_column_text(st, 4), &img->diff_ids) < 0) {
		sqlite3_finalize(st);
		err_set(e, "image store: the record of image '%s' is corrupt; remove it with 'a3s-box rmi -f %s'", id, id);
		image_free(img);
		return -1;
	}
	sqlite3_finalize(st);
	if (load_tags(r, img, e) < 0) {
		image_free(img);
		return -1;
	}
	*out = img;
	return 0;
}

/* A single id from a query with one text parameter; NULL when no row. */
static int query_id(struct root *r, const char *sql, const char *arg, char **out, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	*out = NULL;
	if (prepare(r, sql, &st, e) < 0)
		return -1;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return root_dberr(r, e, "reading the image store");
	return 0;
}

static bool hex_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > DIGEST_HEX_LEN)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

static int lookup_prefix(struct root *r, const char *name, const char *hex, char **out, struct err *e)
{
	sqlite3_stmt *st;
	char *pattern = xasprintf(DIGEST_PREFIX "%s", hex);
	int rc, n = 0;
	*out = NULL;
	if (prepare(r, "SELECT id FROM images WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2", &st, e) < 0) {
		free(pattern);
		return -1;
	}
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == 0)
			*out = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	free(pattern);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		return root_dberr(r, e, "reading the image store");
	}
	if (n > 1) {
		free(*out);
		*out = NULL;
		return err_set(e, "image ID prefix '%s' is ambiguous: it matches several images; give more digits", name);
	}
	return 0;
}

int image_store_lookup(struct root *r, const char *name, struct image **out, struct err *e)
{
	struct image_ref ref;
	struct err perr = ERR_INIT;
	char *id = NULL;
	bool parsed;
	const char *hex = !strncmp(name, DIGEST_PREFIX, 7) ? name + 7 : name;

	if (digest_valid(name)) {
		if (image_store_get(r, name, out, e) < 0)
			return e->kind == ERR_NOT_FOUND ? err_setk(e, ERR_NOT_FOUND, "No such image: %s", name) : -1;
		return 0;
	}
	/* "sha256:<short>" is only an id prefix, never a reference */
	parsed = hex == name && image_ref_parse_tagged(name, &ref, &perr) == 0;
	if (parsed) {
		char *full = image_ref_string(&ref);
		int rc;
		if (ref.digest)
			rc = query_id(r, "SELECT id FROM images WHERE manifest_digest = ?", ref.digest, &id, e);
		else
			rc = query_id(r, "SELECT image_id FROM tags WHERE name = ?", full, &id, e);
		free(full);
		image_ref_release(&ref);
		if (rc < 0)
			return -1;
	}
	if (!id && hex_prefix(hex) && lookup_prefix(r, name, hex, &id, e) < 0)
		return -1;
	if (!id) {
		if (!parsed && hex == name && !hex_prefix(hex)) {
			*e = perr;
			return -1;
		}
		return err_setk(e, ERR_NOT_FOUND, "No such image: %s", name);
	}
	if (image_store_get(r, id, out, e) < 0) {
		free(id);
		return -1;
	}
	free(id);
	return 0;
}

int image_store_list(struct root *r, struct image ***out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	struct strv ids = STRV_INIT;
	struct image **v;
	int rc;
	if (prepare(r, "SELECT id FROM images ORDER BY created DESC, loaded_at DESC, id", &st, e) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(&ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strv_release(&ids);
		return root_dberr(r, e, "listing images");
	}
	v = xcalloc(ids.n + 1, sizeof(*v));
	for (size_t i = 0; i < ids.n; i++) {
		if (image_store_get(r, ids.v[i], &v[i], e) < 0) {
			image_list_free(v, i);
			strv_release(&ids);
			return -1;
		}
	}
	*out = v;
	*n = ids.n;
	strv_release(&ids);
	return 0;
}

static char *strv_json(const struct strv *s)
{
	json_t *a = json_array();
	char *out;
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!out)
		abort();
	return out;
}

static int step_done(struct root *r, sqlite3_stmt *st, const char *what, struct err *e)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, what);
	return 0;
}

int image_store_insert(struct root *r, const struct image *img, struct err *e)
{
	sqlite3_stmt *st;
	char *config = json_dumps(img->config, JSON_COMPACT);
	char *layers = strv_json(&img->layers), *diff_ids = strv_json(&img->diff_ids);
	int rc;
	if (!config)
		abort();
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO images (id, manifest_digest, config, layers, diff_ids, size, created, loaded_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
			       " manifest_digest = coalesce(images.manifest_digest, excluded.manifest_digest)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = root_dberr(r, e, "storing image");
		goto out;
	}
	sqlite3_bind_text(st, 1, img->id, -1, SQLITE_STATIC);
	if (img->manifest_digest)
		sqlite3_bind_text(st, 2, img->manifest_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, config, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, layers, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, diff_ids, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, img->size);
	sqlite3_bind_int64(st, 7, img->created);
	sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
	rc = step_done(r, st, "storing image", e);
out:
	free(config);
	free(layers);
	free(diff_ids);
	return rc;
}

int image_store_set_tag(struct root *r, const char *name, const char *id, int64_t tagged_at, char **prev,
			struct err *e)
{
	sqlite3_stmt *st;
	char *old = NULL;
	if (query_id(r, "SELECT image_id FROM tags WHERE name = ?", name, &old, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO tags (name, image_id, tagged_at) VALUES (?, ?, ?) ON CONFLICT(name)"
			       " DO UPDATE SET image_id = excluded.image_id, tagged_at = excluded.tagged_at",
			       -1, &st, NULL) != SQLITE_OK) {
		free(old);
		return root_dberr(r, e, "tagging image");
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, tagged_at);
	if (step_done(r, st, "tagging image", e) < 0) {
		free(old);
		return -1;
	}
	if (prev)
		*prev = old;
	else
		free(old);
	return 0;
}

int image_store_touch(struct root *r, const char *id, struct err *e)
{
	sqlite3_stmt *st;
	if (prepare(r, "UPDATE images SET last_used = ? WHERE id = ?", &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)time(NULL));
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return step_done(r, st, "recording image use", e);
}
