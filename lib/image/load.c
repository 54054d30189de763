/* image_load: unpack, verify everything, then commit in one transaction. */
#include "image/load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/cache.h"
#include "image/digest.h"
#include "image/layer.h"
#include "image/load_int.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "util/fs.h"

struct pending *pending_new(struct pending_list *l)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

void pending_list_release(struct pending_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct pending *p = &l->v[i];
		free(p->img.id);
		free(p->img.manifest_digest);
		json_decref(p->img.config);
		strv_release(&p->img.layers);
		strv_release(&p->img.diff_ids);
		strv_release(&p->img.tags);
		strv_release(&p->names);
		strv_release(&p->blobs);
		strv_release(&p->files);
		free(p->top_digest);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void pending_add_blob(struct pending *p, const char *digest, const char *file)
{
	strv_push(&p->blobs, digest);
	strv_push(&p->files, file);
}

int pending_add_layer(struct pending *p, const char *file, const char *what, const char *want_digest,
		      int64_t want_size, const char *diff_id, struct err *e)
{
	char digest[DIGEST_LEN + 1], did[DIGEST_LEN + 1];
	int64_t usize;
	/* the compressed digest first: a damaged blob is reported as such */
	if (want_digest && digest_verify_file(file, what, want_digest, want_size, e) < 0)
		return -1;
	if (layer_digests(file, digest, did, NULL, &usize, e) < 0)
		return err_wrap(e, "%s", what);
	if (strcmp(did, diff_id))
		return err_set(e, "%s does not match the image config: its uncompressed digest is %s, rootfs.diff_ids says %s",
			       what, did, diff_id);
	strv_push(&p->img.layers, digest);
	strv_push(&p->img.diff_ids, did);
	p->img.size += usize;
	pending_add_blob(p, digest, file);
	return 0;
}

void pending_set_config(struct pending *p, const char *id, struct image_config *c)
{
	p->img.id = xstrdup(id);
	p->img.config = c->json;
	p->img.created = c->created;
	c->json = NULL;
}

/* Move a verified staged file into the blob store (under the write lock). */
static int commit_blob(struct root *r, const char *file, const char *digest, struct strv *added, struct err *e)
{
	char *dst = image_blob_path(r, digest);
	int fd;
	if (fs_exists(dst)) {
		free(dst);
		return 0;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		int en = errno;
		if (fd >= 0)
			close(fd);
		free(dst);
		return err_sys(e, en, "storing blob %s", digest);
	}
	close(fd);
	if (rename(file, dst) < 0) {
		int en = errno;
		free(dst);
		return err_sys(e, en, "storing blob %s", digest);
	}
	strv_push_owned(added, dst);
	return 0;
}

static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int commit_one(struct root *r, struct pending *p, struct strv *added, struct strv *lines, struct err *e)
{
	for (size_t i = 0; i < p->blobs.n; i++)
		if (commit_blob(r, p->files.v[i], p->blobs.v[i], added, e) < 0)
			return -1;
	if (image_store_insert(r, &p->img, e) < 0)
		return -1;
	for (size_t i = 0; i < p->names.n; i++) {
		char *prev = NULL, *familiar = image_ref_familiarize(p->names.v[i]);
		if (image_store_set_tag(r, p->names.v[i], p->img.id, 0, &prev, e) < 0) {
			free(familiar);
			return -1;
		}
		if (prev && strcmp(prev, p->img.id))
			strv_push_owned(lines, xasprintf("The image %s already exists, renaming the old one with ID %s to empty string",
							 familiar, prev));
		strv_push_owned(lines, xasprintf("Loaded image: %s", familiar));
		free(prev);
		free(familiar);
	}
	if (!p->names.n)
		strv_push_owned(lines, xasprintf("Loaded image ID: %s", p->img.id));
	return 0;
}

static int commit(struct root *r, struct pending_list *l, struct strv *lines, struct err *e)
{
	struct strv added = STRV_INIT;
	char *blobs = root_path(r, "blobs/sha256");
	int rc = 0;
	if (root_begin(r, e) < 0) {
		free(blobs);
		return -1;
	}
	for (size_t i = 0; i < l->n && rc == 0; i++)
		rc = commit_one(r, &l->v[i], &added, lines, e);
	if (rc == 0) {
		sync_dir(blobs);
		rc = root_commit(r, e);
	} else {
		root_rollback(r);
	}
	if (rc < 0)
		for (size_t i = 0; i < added.n; i++)
			unlink(added.v[i]);
	strv_release(&added);
	free(blobs);
	return rc;
}

int image_load(struct root *r, const char *path, struct strv *loaded, struct err *e)
{
	struct stage s = {0};
	struct pending_list l = {0};
	struct strv lines = STRV_INIT;
	struct err ignore = ERR_INIT;
	int rc = -1;

	if (root_mktemp_dir(r, "load", &s.dir, e) < 0)
		return -1;
	if (stage_read(&s, path, e) < 0)
		goto out;
	if (stage_find(&s, "oci-layout") && stage_find(&s, "index.json"))
		rc = load_oci(&s, &l, e);
	else if (stage_find(&s, "manifest.json"))
		rc = load_docker(&s, &l, e);
	else
		rc = err_set(e, "'%s' is neither a docker save archive (no manifest.json) nor an OCI image layout (no oci-layout and index.json)",
			     strcmp(path, "-") ? path : "stdin");
	if (rc == 0)
		rc = commit(r, &l, &lines, e);
	if (rc == 0 && loaded)
		for (size_t i = 0; i < lines.n; i++)
			strv_push(loaded, lines.v[i]);
	if (rc == 0) {
		/* the load stands; the cap is best effort (rmi-like eviction) */
		struct strv ids = STRV_INIT;
		for (size_t i = 0; i < l.n; i++)
			strv_push(&ids, l.v[i].img.id);
		image_cache_enforce(r, &ids, NULL, &ignore);
		strv_release(&ids);
		err_clear(&ignore);
	}
out:
	fs_rmtree(s.dir, &ignore);
	free(s.dir);
	stage_release(&s);
	pending_list_release(&l);
	strv_release(&lines);
	if (rc < 0)
		image_err_printable(e);
	return rc;
}
