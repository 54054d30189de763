/* The mounts of a new box: flags, workspace, --volumes-from, image VOLUMEs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "box/mounts.h"
#include "box/record.h"
#include "box/spec.h"
#include "box/store.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "volume/store.h"

static bool has_destination(const json_t *list, const char *dst)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m)
		if (!strcmp(json_string_value(json_object_get(m, "Destination")), dst))
			return true;
	return false;
}

/* --volumes-from BOX[:ro|rw]: the box's binds and volumes, with its modes
 * unless one is given. */
static int volumes_from(struct root *r, const char *spec, json_t *list, struct err *e)
{
	const char *colon = strrchr(spec, ':');
	char *name = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	const char *mode = colon ? colon + 1 : NULL;
	struct box_record *b = NULL;
	size_t i;
	json_t *m;
	if (mode && strcmp(mode, "ro") && strcmp(mode, "rw")) {
		err_setk(e, ERR_USAGE, "invalid mode for --volumes-from: %s: use ro or rw", mode);
		free(name);
		return -1;
	}
	if (box_store_find(r, name, &b, e) < 0) {
		err_wrap(e, "--volumes-from");
		free(name);
		return -1;
	}
	free(name);
	json_array_foreach(json_object_get(b->config, "Mounts"), i, m) {
		const char *dst = json_string_value(json_object_get(m, "Destination"));
		json_t *c;
		if (!box_mount_is_share(m) || json_is_true(json_object_get(m, "Workspace")) || !dst ||
		    has_destination(list, dst))
			continue;
		c = json_deep_copy(m);
		/* the owner alone removes its anonymous volumes (and only unused) */
		json_object_del(c, "Anonymous");
		json_object_del(c, "Create");
		if (mode) {
			json_object_set_new(c, "RW", json_boolean(!strcmp(mode, "rw")));
			json_object_set_new(c, "Mode", json_string(mode));
		}
		json_array_append_new(list, c);
	}
	box_record_free(b);
	return 0;
}

static void image_volumes(const json_t *image_config, json_t *list)
{
	const json_t *vols = json_object_get(json_object_get(image_config, "config"), "Volumes");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)vols, k, v) {
		char *dst = box_path_clean(k);
		(void)v;
		if (dst && strcmp(dst, "/") && !has_destination(list, dst))
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "Type", "volume",
							      "Name", "", "Source", "", "Destination", dst, "RW", 1,
							      "Mode", "", "Propagation", "", "Driver", "local"));
		free(dst);
	}
}

static int check_binds(const json_t *list, struct err *e)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		const char *src = json_string_value(json_object_get(m, "Source"));
		struct stat st;
		if (strcmp(json_string_value(json_object_get(m, "Type")), "bind") ||
		    json_is_true(json_object_get(m, "Create")))
			continue;
		if (stat(src, &st) < 0)
			return err_setk(e, ERR_USAGE,
					"invalid mount config for type \"bind\": bind source path does not exist: %s", src);
	}
	return 0;
}

/* Create (or find) each volume and point its entry at the data. */
static int make_volumes(struct root *r, json_t *list, struct err *e)
{
	size_t i;
	json_t *m;
	json_array_foreach(list, i, m) {
		const char *name = json_string_value(json_object_get(m, "Name"));
		struct volume *v = NULL;
		bool anon;
		char id[65];
		if (strcmp(json_string_value(json_object_get(m, "Type")), "volume"))
			continue;
		anon = !name || !*name;
		if (anon) {
			box_new_id(id);
			name = id;
			json_object_set_new(m, "Name", json_string(id));
			json_object_set_new(m, "Anonymous", json_true());
		}
		if (volume_create(r, name, "local", json_object_get(m, "VolumeLabels"),
				  json_object_get(m, "VolumeOptions"), anon, NULL, &v, e) < 0)
			return -1;
		json_object_del(m, "VolumeLabels");
		json_object_del(m, "VolumeOptions");
		json_object_set_new(m, "Source", json_string(v->mountpoint));
		if (v->tmpfs_options) {
			bool rw = json_is_true(json_object_get(m, "RW"));
			char *o = xasprintf("%s%s%s", v->tmpfs_options, *v->tmpfs_options && !rw ? "," : "", rw ? "" : "ro");
			json_object_set_new(m, "Options", json_string(o));
			free(o);
		}
		volume_free(v);
	}
	return 0;
}

int box_mounts_resolve(struct root *r, const struct box_opts *o, const json_t *image_config, const char *box_id,
		       json_t **out, struct err *e)
{
	json_t *list = json_array();
	for (size_t i = 0; i < o->volumes.n; i++)
		if (box_mount_parse_volume(o->volumes.v[i], list, e) < 0)
			goto fail;
	for (size_t i = 0; i < o->mounts.n; i++)
		if (box_mount_parse_mount(o->mounts.v[i], list, e) < 0)
			goto fail;
	for (size_t i = 0; i < o->tmpfs.n; i++)
		if (box_mount_parse_tmpfs(o->tmpfs.v[i], list, e) < 0)
			goto fail;
	if (o->workspace) {
		char *src = box_path_clean(o->workspace);
		if (!src) {
			err_setk(e, ERR_USAGE, "invalid --workspace '%s': the path must be absolute", o->workspace);
			goto fail;
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:b}", "Type", "bind", "Source",
						      src, "Destination", BOX_WORKSPACE_PATH, "Mode", "", "RW", 1,
						      "Propagation", "rprivate", "Create", 1, "Workspace", 1));
		free(src);
	}
	if (box_mounts_check(list, e) < 0)
		goto fail;
	if (!o->workspace && !has_destination(list, BOX_WORKSPACE_PATH)) {
		char *dir = box_dir(r, box_id), *src = xasprintf("%s/workspace", dir);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b, s:b}", "Type", "bind", "Source",
						      src, "Destination", BOX_WORKSPACE_PATH, "Mode", "", "RW", 1,
						      "Propagation", "rprivate", "Create", 1, "Workspace", 1));
		free(src);
		free(dir);
	}
	for (size_t i = 0; i < o->volumes_from.n; i++)
		if (volumes_from(r, o->volumes_from.v[i], list, e) < 0)
			goto fail;
	image_volumes(image_config, list);
	if (box_mounts_check(list, e) < 0 || check_binds(list, e) < 0)
		goto fail;
	if (make_volumes(r, list, e) < 0) {
		box_mounts_discard(r, list);
		goto fail;
	}
	*out = list;
	return 0;
fail:
	json_decref(list);
	return -1;
}

void box_mounts_discard(struct root *r, const json_t *mounts)
{
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m) {
		const char *name = json_string_value(json_object_get(m, "Name"));
		struct err e = ERR_INIT;
		if (json_is_true(json_object_get(m, "Anonymous")) && name && *name)
			(void)volume_remove(r, name, &e); /* refused while a box uses it */
	}
}

int box_mounts_prepare(const json_t *mounts, struct err *e)
{
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m) {
		const char *src = json_string_value(json_object_get(m, "Source"));
		struct stat st;
		if (!box_mount_is_share(m) || !src)
			continue;
		if (json_is_true(json_object_get(m, "Create")) && stat(src, &st) < 0 && errno == ENOENT &&
		    fs_mkdir_p(src, 0755, e) < 0)
			return err_wrap(e, "creating the host directory for '%s'",
					json_string_value(json_object_get(m, "Destination")));
		if (stat(src, &st) < 0) {
			if (!strcmp(json_string_value(json_object_get(m, "Type")), "volume"))
				return err_sys(e, errno, "volume '%s' is gone",
					       json_string_value(json_object_get(m, "Name")));
			return err_sys(e, errno, "bind source path '%s'", src);
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			return err_setk(e, ERR_USAGE, "bind source path '%s' is neither a directory nor a regular file", src);
	}
	return 0;
}
