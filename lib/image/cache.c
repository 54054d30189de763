/* image_cache_enforce: an LRU size cap over the image store. */
#include "image/cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/store.h"
#include "util/fs.h"
#include "util/units.h"

int image_cache_limit(const struct root *r, uint64_t *bytes, struct err *e)
{
	const char *env = getenv(IMAGE_CACHE_ENV);
	char *path, *buf;
	size_t len;
	json_t *doc, *v;
	int rc = 0;

	*bytes = IMAGE_CACHE_DEFAULT_SIZE;
	if (env && *env) {
		if (units_parse_ram(env, bytes, e) < 0)
			return err_wrap(e, "$%s", IMAGE_CACHE_ENV);
		return 0;
	}
	path = root_path(r, IMAGE_CACHE_CONFIG);
	if (!fs_exists(path)) {
		free(path);
		return 0;
	}
	if (fs_read_file(path, 1 << 20, &buf, &len, e) < 0) {
		free(path);
		return -1;
	}
	doc = json_loadb(buf, len, 0, NULL);
	free(buf);
	v = json_object_get(doc, IMAGE_CACHE_KEY);
	if (!json_is_object(doc))
		rc = err_set(e, "'%s' is not a JSON object", path);
	else if (json_is_integer(v) && json_integer_value(v) >= 0)
		*bytes = (uint64_t)json_integer_value(v);
	else if (json_is_string(v)) {
		if (units_parse_ram(json_string_value(v), bytes, e) < 0)
			rc = err_wrap(e, "'%s' in '%s'", IMAGE_CACHE_KEY, path);
	} else if (v)
		rc = err_set(e, "'%s' in '%s' must be a size such as \"10GiB\"", IMAGE_CACHE_KEY, path);
	json_decref(doc);
	free(path);
	return rc;
}

static uint64_t dir_bytes(const struct root *r, const char *rel, const char *suffix)
{
	char *dir = root_path(r, rel);
	DIR *d = opendir(dir);
	struct dirent *de;
	uint64_t total = 0;
	size_t slen = strlen(suffix);
	free(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct stat st;
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < slen || strcmp(de->d_name + n - slen, suffix))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			total += (uint64_t)st.st_size;
	}
	closedir(d);
	return total;
}

uint64_t image_cache_usage(const struct root *r)
{
	return dir_bytes(r, "blobs/sha256", "") + dir_bytes(r, "rootfs", ".erofs");
}

static bool kept(const struct strv *keep, const char *id)
{
	for (size_t i = 0; keep && i < keep->n; i++)
		if (!strcmp(keep->v[i], id))
			return true;
	return false;
}

/* Under the write lock: delete the least recently used evictable image.
 * *done is set when there is none left. */
static int evict_one(struct root *r, const struct strv *keep, struct strv *evicted, bool *done, struct err *e)
{
	sqlite3_stmt *st;
	struct strv ids = STRV_INIT, lines = STRV_INIT;
	int rc = 0, step;

	*done = true;
	if (root_begin(r, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT id FROM images WHERE id NOT IN (SELECT image_id FROM boxes)"
			       " ORDER BY CASE last_used WHEN 0 THEN loaded_at ELSE last_used END, loaded_at, id",
			       -1, &st, NULL) != SQLITE_OK) {
		root_rollback(r);
		return root_dberr(r, e, "reading the image cache");
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(&ids, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		rc = root_dberr(r, e, "reading the image cache");
	for (size_t i = 0; i < ids.n && rc == 0; i++) {
		if (kept(keep, ids.v[i]))
			continue;
		rc = image_store_delete_unused(r, ids.v[i], &lines, e);
		if (rc == 1) {
			if (evicted)
				strv_push(evicted, ids.v[i]);
			*done = false;
			rc = 0;
			break;
		}
	}
	if (rc == 0)
		rc = root_commit(r, e);
	if (rc < 0)
		root_rollback(r);
	strv_release(&ids);
	strv_release(&lines);
	return rc;
}

int image_cache_enforce(struct root *r, const struct strv *keep, struct strv *evicted, struct err *e)
{
	uint64_t limit, freed;
	bool done = false;
	if (image_cache_limit(r, &limit, e) < 0)
		return -1;
	if (limit == 0)
		return 0;
	/* collect first: leftovers of earlier removals count as usage too */
	if (image_cache_usage(r) > limit && image_store_gc_freed(r, &freed, e) < 0)
		return -1;
	while (!done && image_cache_usage(r) > limit) {
		if (evict_one(r, keep, evicted, &done, e) < 0)
			return -1;
		if (!done && image_store_gc_freed(r, &freed, e) < 0)
			return -1;
	}
	return 0;
}
