/* docker tag / rmi semantics, and garbage collection of blobs and rootfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/ref.h"
#include "image/store.h"
#include "util/io.h"

int image_store_tag(struct root *r, const char *src, const char *dst, struct err *e)
{
	struct image *img;
	struct image_ref ref;
	char *name;
	if (image_store_lookup(r, src, &img, e) < 0)
		return -1;
	if (image_ref_parse_tagged(dst, &ref, e) < 0) {
		image_free(img);
		return -1;
	}
	if (ref.digest) {
		image_ref_release(&ref);
		image_free(img);
		return err_setk(e, ERR_USAGE, "refusing to create a tag with a digest reference");
	}
	name = image_ref_string(&ref);
	image_ref_release(&ref);
	if (root_begin(r, e) < 0 || image_store_set_tag(r, name, img->id, io_wall_ns(), NULL, e) < 0 ||
	    root_commit(r, e) < 0) {
		root_rollback(r);
		free(name);
		image_free(img);
		return -1;
	}
	free(name);
	image_free(img);
	return 0;
}

struct user {
	char *box; /* box id */
	bool running;
};

/* The first box using image id, preferring a running one. */
static int find_user(struct root *r, const char *id, struct user *u, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	memset(u, 0, sizeof(*u));
	if (sqlite3_prepare_v2(r->db,
			       "SELECT id, state IN ('running', 'paused', 'restarting') AS live FROM boxes"
			       " WHERE image_id = ? ORDER BY live DESC, created_at LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading boxes");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		u->box = xstrdup((const char *)sqlite3_column_text(st, 0));
		u->running = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return root_dberr(r, e, "reading boxes");
	return 0;
}

static int exec1(struct root *r, const char *sql, const char *arg, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "removing image");
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : root_dberr(r, e, "removing image");
}

static int untag(struct root *r, const char *name, struct strv *lines, struct err *e)
{
	char *f;
	if (exec1(r, "DELETE FROM tags WHERE name = ?", name, e) < 0)
		return -1;
	f = image_ref_familiarize(name);
	strv_push_owned(lines, xasprintf("Untagged: %s", f));
	free(f);
	return 0;
}

static int delete_image(struct root *r, const struct image *img, struct strv *lines, struct err *e)
{
	for (size_t i = 0; i < img->tags.n; i++)
		if (untag(r, img->tags.v[i], lines, e) < 0)
			return -1;
	if (exec1(r, "DELETE FROM images WHERE id = ?", img->id, e) < 0)
		return -1;
	strv_push_owned(lines, xasprintf("Deleted: %s", img->id));
	return 0;
}

/* The normalised tag of img that name refers to, or NULL when name is an
 * id, a digest reference or not one of its tags. */
static char *tag_of(const struct image *img, const char *name)
{
	struct image_ref ref;
	struct err e = ERR_INIT;
	char *full;
	if (!strncmp(name, DIGEST_PREFIX, 7) || image_ref_parse_tagged(name, &ref, &e) < 0)
		return NULL;
	full = ref.digest ? NULL : image_ref_string(&ref);
	image_ref_release(&ref);
	for (size_t i = 0; full && i < img->tags.n; i++)
		if (!strcmp(img->tags.v[i], full))
			return full;
	free(full);
	return NULL;
}

static int remove_locked(struct root *r, const char *name, bool force, struct strv *lines, struct err *e)
{
	struct image *img;
	struct user u;
	char id12[13], box12[13] = "";
	char *tag;
	int rc = -1;

	if (image_store_lookup(r, name, &img, e) < 0)
		return -1;
	if (find_user(r, img->id, &u, e) < 0) {
		image_free(img);
		return -1;
	}
	image_short_id(img->id, id12);
	if (u.box)
		image_short_id(u.box, box12);
	tag = tag_of(img, name);
	if (tag) {
		if (img->tags.n > 1) {
			rc = untag(r, tag, lines, e);
		} else if (u.box && !force) {
			rc = err_setk(e, ERR_CONFLICT,
				      "conflict: unable to remove repository reference \"%s\" (must force) - container %s is using its referenced image %s",
				      name, box12, id12);
		} else if (u.box && u.running) {
			rc = untag(r, tag, lines, e); /* the image stays, untagged */
		} else {
			rc = delete_image(r, img, lines, e);
		}
	} else if (u.box && u.running) {
		rc = err_setk(e, ERR_CONFLICT,
			      "conflict: unable to delete %s (cannot be forced) - image is being used by running container %s",
			      id12, box12);
	} else if (!force && img->tags.n > 1) {
		rc = err_setk(e, ERR_CONFLICT,
			      "conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories",
			      id12);
	} else if (!force && u.box) {
		rc = err_setk(e, ERR_CONFLICT,
			      "conflict: unable to delete %s (must be forced) - image is being used by stopped container %s",
			      id12, box12);
	} else {
		rc = delete_image(r, img, lines, e);
	}
	free(tag);
	free(u.box);
	image_free(img);
	return rc;
}

int image_store_delete_unused(struct root *r, const char *id, struct strv *lines, struct err *e)
{
	struct image *img;
	struct user u;
	int rc;
	if (image_store_get(r, id, &img, e) < 0)
		return -1;
	if (find_user(r, id, &u, e) < 0) {
		image_free(img);
		return -1;
	}
	rc = u.box ? 0 : delete_image(r, img, lines, e) < 0 ? -1 : 1;
	free(u.box);
	image_free(img);
	return rc;
}

int image_store_remove(struct root *r, const char *name, bool force, struct strv *out, struct err *e)
{
	struct strv lines = STRV_INIT;
	struct err gc_err = ERR_INIT;
	if (root_begin(r, e) < 0)
		return -1;
	if (remove_locked(r, name, force, &lines, e) < 0 || root_commit(r, e) < 0) {
		root_rollback(r);
		strv_release(&lines);
		return -1;
	}
	for (size_t i = 0; i < lines.n; i++)
		strv_push(out, lines.v[i]);
	strv_release(&lines);
	/* best effort: what stays behind goes at the next collection */
	image_store_gc(r, &gc_err);
	return 0;
}

/* Hex digests of the first column of every row of sql. */
static int collect_hex(struct root *r, const char *sql, const char *what, struct strv *out, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		if (d && digest_valid(d))
			strv_push(out, digest_hex(d));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, what);
	return 0;
}

/* Every blob an image references. */
static int referenced_blobs(struct root *r, struct strv *out, struct err *e)
{
	return collect_hex(r,
			   "SELECT id FROM images UNION SELECT manifest_digest FROM images WHERE manifest_digest IS NOT NULL"
			   " UNION SELECT value FROM images, json_each(images.layers)",
			   "collecting unused blobs", out, e);
}

/* Ids of images, and of images boxes still use (their rootfs stays). */
static int referenced_rootfs(struct root *r, struct strv *out, struct err *e)
{
	return collect_hex(r, "SELECT id FROM images UNION SELECT image_id FROM boxes",
			   "collecting unused root filesystems", out, e);
}

static bool in(const struct strv *s, const char *hex, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == n && !strncmp(s->v[i], hex, n))
			return true;
	return false;
}

/* Unlink entries of dir named "<hex><suffix>" whose hex is not in keep;
 * adds the bytes freed to *freed. */
static void sweep(const struct root *r, const char *rel, const char *suffix, const struct strv *keep,
		  uint64_t *freed)
{
	char *dir = root_path(r, rel);
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	size_t slen = strlen(suffix);
	if (!d) {
		free(dir);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char hex[DIGEST_HEX_LEN + 1];
		if (n != DIGEST_HEX_LEN + slen || strcmp(de->d_name + DIGEST_HEX_LEN, suffix))
			continue;
		memcpy(hex, de->d_name, DIGEST_HEX_LEN);
		hex[DIGEST_HEX_LEN] = '\0';
		if (!digest_hex_valid(hex) || in(keep, hex, DIGEST_HEX_LEN))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			st.st_size = 0;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			*freed += (uint64_t)st.st_size;
	}
	closedir(d);
	free(dir);
}

int image_store_gc(struct root *r, struct err *e)
{
	uint64_t freed;
	return image_store_gc_freed(r, &freed, e);
}

int image_store_gc_freed(struct root *r, uint64_t *freed, struct err *e)
{
	struct strv blobs = STRV_INIT, rootfs = STRV_INIT;
	*freed = 0;
	if (root_begin(r, e) < 0)
		return -1;
	if (referenced_blobs(r, &blobs, e) < 0 || referenced_rootfs(r, &rootfs, e) < 0) {
		root_rollback(r);
		strv_release(&blobs);
		strv_release(&rootfs);
		return -1;
	}
	sweep(r, "blobs/sha256", "", &blobs, freed);
	sweep(r, "rootfs", ".erofs", &rootfs, freed);
	root_rollback(r); /* nothing written: the lock only kept loads out */
	strv_release(&blobs);
	strv_release(&rootfs);
	return 0;
}
