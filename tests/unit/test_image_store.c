/* Image store semantics: lookup, tag, rmi conflicts, gc (lib/image/store*.c). */
#include <stdlib.h>
#include <unistd.h>

#include "image/store.h"
#include "unit.h"
#include "util/fs.h"

#define H(c) c c c c c c c c c c c c c c c c /* 16 x a 4-char c: 64 chars */
#define ID_A "sha256:aaaa111100000000000000000000000000000000000000000000000000000000"
#define ID_B "sha256:aaaa222200000000000000000000000000000000000000000000000000000000"
#define LAYER "sha256:" H("cccc")

static struct root *open_root(char **dir)
{
	char tmpl[] = "/tmp/a3s-unit-store-XXXXXX";
	struct root *r;
	struct err e;
	*dir = xstrdup(mkdtemp(tmpl));
	return root_open(*dir, &r, &e) < 0 ? NULL : r;
}

static void close_root(struct root *r, char *dir)
{
	struct err e;
	root_close(r);
	fs_rmtree(dir, &e);
	free(dir);
}

static void touch_blob(struct root *r, const char *digest)
{
	char *p = image_blob_path(r, digest);
	struct err e;
	fs_write_atomic(p, "x", 1, 0644, &e);
	free(p);
}

static int blob_exists(struct root *r, const char *digest)
{
	char *p = image_blob_path(r, digest);
	int x = fs_exists(p);
	free(p);
	return x;
}

static void add_image(struct root *r, const char *id, const char *const *tags)
{
	struct image img = {.id = (char *)id, .config = json_pack("{s:s}", "os", "linux"), .size = 10, .created = 5};
	struct err e = ERR_INIT;
	strv_push(&img.layers, LAYER);
	strv_push(&img.diff_ids, LAYER);
	root_begin(r, &e);
	image_store_insert(r, &img, &e);
	for (; tags && *tags; tags++)
		image_store_set_tag(r, *tags, id, 0, NULL, &e);
	root_commit(r, &e);
	touch_blob(r, id);
	touch_blob(r, LAYER);
	json_decref(img.config);
	strv_release(&img.layers);
	strv_release(&img.diff_ids);
}

static void add_box(struct root *r, const char *image_id, const char *state)
{
	char *sql = xasprintf("INSERT INTO boxes (id, name, image_id, image_ref, config, state, created_at) VALUES"
			      " ('%s', 'b-%s', '%s', 'x', '{}', '%s', 1)",
			      H("bbbb"), state, image_id, state);
	sqlite3_exec(r->db, sql, NULL, NULL, NULL);
	free(sql);
}

static const char *found(struct root *r, const char *name, struct err *e)
{
	static char id[100];
	struct image *img;
	if (image_store_lookup(r, name, &img, e) < 0)
		return NULL;
	snprintf(id, sizeof(id), "%s", img->id);
	image_free(img);
	return id;
}

TEST(lookup)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	CHECK(r);
	add_image(r, ID_A, (const char *const[]){"docker.io/library/busybox:latest", "localhost:5000/x:1", NULL});
	add_image(r, ID_B, NULL);
	CHECK_STR(found(r, "busybox", &e), ID_A);
	CHECK_STR(found(r, "busybox:latest", &e), ID_A);
	CHECK_STR(found(r, "docker.io/library/busybox", &e), ID_A);
	CHECK_STR(found(r, "localhost:5000/x:1", &e), ID_A);
	CHECK_STR(found(r, ID_B, &e), ID_B);
	CHECK_STR(found(r, "aaaa2", &e), ID_B);
	CHECK_STR(found(r, "sha256:aaaa1", &e), ID_A);
	CHECK(!found(r, "aaaa", &e) && strstr(e.msg, "ambiguous"));
	CHECK(!found(r, "aaa", &e) && e.kind == ERR_NOT_FOUND);
	CHECK(!found(r, "busybox:1", &e) && e.kind == ERR_NOT_FOUND);
	CHECK_STR(e.msg, "No such image: busybox:1");
	CHECK(!found(r, "sha256:" H("ffff"), &e) && e.kind == ERR_NOT_FOUND);
	CHECK(!found(r, "Busybox", &e) && strstr(e.msg, "lowercase"));
	close_root(r, dir);
}

TEST(tag_and_untag)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct strv out = STRV_INIT;
	struct image *img;
	add_image(r, ID_A, (const char *const[]){"docker.io/library/busybox:latest", NULL});
	CHECK(image_store_tag(r, "busybox", "mine:v1", &e) == 0);
	CHECK(image_store_tag(r, "busybox", "mine@sha256:" H("ffff"), &e) < 0);
	CHECK(image_store_tag(r, "nothere", "x", &e) < 0 && e.kind == ERR_NOT_FOUND);
	CHECK(image_store_lookup(r, "mine:v1", &img, &e) == 0);
	CHECK(img->tags.n == 2 && img->last_tag_time > 0);
	image_free(img);
	/* two tags: rmi of one only untags */
	CHECK(image_store_remove(r, "mine:v1", false, &out, &e) == 0);
	CHECK(out.n == 1);
	CHECK_STR(out.v[0], "Untagged: mine:v1");
	CHECK(blob_exists(r, ID_A));
	strv_release(&out);
	/* the last tag: untag and delete, blobs collected */
	CHECK(image_store_remove(r, "busybox", false, &out, &e) == 0);
	CHECK(out.n == 2);
	CHECK_STR(out.v[0], "Untagged: busybox:latest");
	CHECK_STR(out.v[1], "Deleted: " ID_A);
	CHECK(!blob_exists(r, ID_A) && !blob_exists(r, LAYER));
	strv_release(&out);
	CHECK(image_store_remove(r, "busybox", false, &out, &e) < 0 && e.kind == ERR_NOT_FOUND);
	close_root(r, dir);
}

TEST(rmi_by_id)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct strv out = STRV_INIT;
	add_image(r, ID_A, (const char *const[]){"docker.io/library/a:1", "docker.io/library/b:1", NULL});
	add_image(r, ID_B, NULL);
	CHECK(image_store_remove(r, "aaaa1", false, &out, &e) < 0 && e.kind == ERR_CONFLICT);
	CHECK(strstr(e.msg, "conflict: unable to delete aaaa11110000 (must be forced) - image is referenced in multiple repositories"));
	CHECK(image_store_remove(r, "aaaa1", true, &out, &e) == 0);
	CHECK(out.n == 3);
	CHECK_STR(out.v[2], "Deleted: " ID_A);
	/* the layer is still used by B */
	CHECK(blob_exists(r, LAYER) && blob_exists(r, ID_B) && !blob_exists(r, ID_A));
	strv_release(&out);
	close_root(r, dir);
}

TEST(rmi_conflicts_with_boxes)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct strv out = STRV_INIT;
	add_image(r, ID_A, (const char *const[]){"docker.io/library/busybox:latest", NULL});
	add_box(r, ID_A, "exited");
	CHECK(image_store_remove(r, "busybox", false, &out, &e) < 0 && e.kind == ERR_CONFLICT);
	CHECK_STR(e.msg, "conflict: unable to remove repository reference \"busybox\" (must force) - container "
			 "bbbbbbbbbbbb is using its referenced image aaaa11110000");
	CHECK(image_store_remove(r, ID_A, false, &out, &e) < 0);
	CHECK(strstr(e.msg, "(must be forced) - image is being used by stopped container bbbbbbbbbbbb"));
	CHECK(out.n == 0);
	CHECK(image_store_remove(r, "busybox", true, &out, &e) == 0);
	CHECK(out.n == 2);
	strv_release(&out);
	close_root(r, dir);
}

TEST(running_box_cannot_be_forced)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct strv out = STRV_INIT;
	struct image *img;
	add_image(r, ID_A, (const char *const[]){"docker.io/library/busybox:latest", NULL});
	add_box(r, ID_A, "running");
	CHECK(image_store_remove(r, ID_A, true, &out, &e) < 0);
	CHECK(strstr(e.msg, "(cannot be forced) - image is being used by running container bbbbbbbbbbbb"));
	/* forcing by tag untags but keeps the image the box runs */
	CHECK(image_store_remove(r, "busybox", true, &out, &e) == 0);
	CHECK(out.n == 1);
	CHECK(image_store_get(r, ID_A, &img, &e) == 0 && img->tags.n == 0);
	image_free(img);
	strv_release(&out);
	close_root(r, dir);
}

TEST(gc_keeps_referenced_and_rootfs_of_boxes)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	char *junk = image_blob_path(r, "sha256:" H("dddd"));
	char *fs_b = xasprintf("%s/rootfs/%s.erofs", r->path, &ID_B[7]);
	char *fs_x = xasprintf("%s/rootfs/%s.erofs", r->path, H("eeee"));
	char *other = xasprintf("%s/blobs/sha256/not-a-digest", r->path);
	add_image(r, ID_A, NULL);
	add_box(r, ID_B, "exited"); /* a box whose image is gone keeps its rootfs */
	fs_write_atomic(junk, "x", 1, 0644, &e);
	fs_write_atomic(fs_b, "x", 1, 0644, &e);
	fs_write_atomic(fs_x, "x", 1, 0644, &e);
	fs_write_atomic(other, "x", 1, 0644, &e);
	CHECK(image_store_gc(r, &e) == 0);
	CHECK(!fs_exists(junk) && !fs_exists(fs_x));
	CHECK(fs_exists(fs_b) && fs_exists(other) && blob_exists(r, ID_A) && blob_exists(r, LAYER));
	free(junk);
	free(fs_b);
	free(fs_x);
	free(other);
	close_root(r, dir);
}

int main(void)
{
	RUN(lookup);
	RUN(tag_and_untag);
	RUN(rmi_by_id);
	RUN(rmi_conflicts_with_boxes);
	RUN(running_box_cannot_be_forced);
	RUN(gc_keeps_referenced_and_rootfs_of_boxes);
	return unit_done();
}
