/* Volume store semantics: create, lookup, in use, remove, prune (lib/volume/store.c). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box/store.h"
#include "unit.h"
#include "util/fs.h"
#include "volume/store.h"

static struct root *open_root(char **dir)
{
	char tmpl[] = "/tmp/a3s-unit-volume-XXXXXX";
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

static const char *BOX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(create_get_remove)
{
	char *dir, *data;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct volume *v = NULL;
	bool created;
	json_t *labels = json_pack("{s:s}", "k", "v");
	CHECK(r);
	CHECK(volume_create(r, "data", NULL, labels, NULL, false, &created, &v, &e) == 0 && created);
	data = xasprintf("%s/volumes/data/_data", dir);
	CHECK_STR(v->mountpoint, data);
	CHECK(fs_exists(data));
	volume_free(v);
	/* again: kept as is */
	CHECK(volume_create(r, "data", "local", NULL, NULL, false, &created, NULL, &e) == 0 && !created);
	CHECK(volume_get(r, "data", &v, &e) == 0);
	CHECK_STR(json_string_value(json_object_get(v->labels, "k")), "v");
	volume_free(v);
	CHECK(volume_create(r, "a/b", NULL, NULL, NULL, false, NULL, NULL, &e) < 0 && e.kind == ERR_USAGE);
	CHECK(volume_create(r, "xx", "nfs", NULL, NULL, false, NULL, NULL, &e) < 0 && e.kind == ERR_USAGE);
	CHECK(volume_remove(r, "data", &e) == 0);
	CHECK(!fs_exists(data));
	CHECK(volume_get(r, "data", &v, &e) < 0 && e.kind == ERR_NOT_FOUND);
	CHECK(volume_remove(r, "data", &e) < 0 && e.kind == ERR_NOT_FOUND);
	free(data);
	json_decref(labels);
	close_root(r, dir);
}

TEST(in_use_by_any_box_row)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct strv users = STRV_INIT, deleted = STRV_INIT;
	uint64_t bytes;
	CHECK(r);
	CHECK(volume_create(r, "used", NULL, NULL, NULL, false, NULL, NULL, &e) == 0);
	CHECK(volume_create(r, "anon1", NULL, NULL, NULL, true, NULL, NULL, &e) == 0);
	CHECK(volume_create(r, "free1", NULL, NULL, NULL, false, NULL, NULL, &e) == 0);
	CHECK(box_store_create(r, BOX, "bx", "sha256:x", "img",
			       "{\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"used\",\"Destination\":\"/u\"}]}", NULL,
			       &e) == 0);
	CHECK(volume_users(r, "used", &users, &e) == 0 && users.n == 1 && !strcmp(users.v[0], BOX));
	CHECK(volume_remove(r, "used", &e) < 0 && e.kind == ERR_CONFLICT);
	CHECK(strstr(e.msg, "volume is in use") != NULL);
	/* prune: the anonymous unused one only; -a: every unused one */
	CHECK(volume_prune(r, false, NULL, &deleted, &bytes, &e) == 0);
	CHECK(deleted.n == 1 && !strcmp(deleted.v[0], "anon1"));
	strv_release(&deleted);
	CHECK(volume_prune(r, true, NULL, &deleted, &bytes, &e) == 0);
	CHECK(deleted.n == 1 && !strcmp(deleted.v[0], "free1"));
	CHECK(box_store_delete(r, BOX, &e) == 0);
	CHECK(volume_remove(r, "used", &e) == 0);
	strv_release(&deleted);
	strv_release(&users);
	close_root(r, dir);
}

TEST(options)
{
	char *dir;
	struct root *r = open_root(&dir);
	struct err e = ERR_INIT;
	struct volume *v = NULL;
	json_t *tmpfs = json_pack("{s:s, s:s}", "type", "tmpfs", "o", "size=1m,mode=700");
	json_t *bind = json_pack("{s:s, s:s, s:s}", "type", "none", "o", "bind", "device", "/srv/x");
	json_t *bad = json_pack("{s:s}", "type", "nfs");
	CHECK(r);
	CHECK(volume_create(r, "tv", NULL, NULL, tmpfs, false, NULL, &v, &e) == 0);
	CHECK_STR(v->tmpfs_options, "size=1048576,mode=700");
	volume_free(v);
	CHECK(volume_create(r, "bv", NULL, NULL, bind, false, NULL, &v, &e) == 0);
	CHECK_STR(v->mountpoint, "/srv/x");
	CHECK(!v->tmpfs_options);
	volume_free(v);
	CHECK(volume_create(r, "nv", NULL, NULL, bad, false, NULL, NULL, &e) < 0 && e.kind == ERR_USAGE);
	json_decref(tmpfs);
	json_decref(bind);
	json_decref(bad);
	close_root(r, dir);
}

int main(void)
{
	RUN(create_get_remove);
	RUN(in_use_by_any_box_row);
	RUN(options);
	return unit_done();
}
