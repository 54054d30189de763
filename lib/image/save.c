/* image_save: docker save, writing docker's and the OCI layout at once. */
#include "image/save.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"
#include "image/manifest.h"
#include "image/ref.h"
#include "image/store.h"
#include "util/fs.h"

#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"

/* One image to write, with everything read or opened under the lock. */
struct item {
	struct image *img;
	struct strv tags; /* normalised names to record */
	char *config; /* the config blob */
	size_t config_len;
	char *manifest; /* the stored manifest, or one made here */
	size_t manifest_len;
	char *manifest_type;
	char manifest_digest[DIGEST_LEN + 1];
	int *fds; /* one per layer */
	int64_t *sizes;
};

struct job {
	struct item *v;
	size_t n;
};

static void job_release(struct job *j)
{
	for (size_t i = 0; i < j->n; i++) {
		struct item *it = &j->v[i];
		for (size_t k = 0; it->fds && k < it->img->layers.n; k++)
			if (it->fds[k] >= 0)
				close(it->fds[k]);
		image_free(it->img);
		strv_release(&it->tags);
		free(it->config);
		free(it->manifest);
		free(it->manifest_type);
		free(it->fds);
		free(it->sizes);
	}
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

/* The item for img (merged by id); takes img. */
static struct item *item_for(struct job *j, struct image *img)
{
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->v[i].img->id, img->id)) {
			image_free(img);
			return &j->v[i];
		}
	j->v = xrealloc(j->v, (j->n + 1) * sizeof(*j->v));
	memset(&j->v[j->n], 0, sizeof(j->v[0]));
	j->v[j->n].img = img;
	return &j->v[j->n++];
}

static void add_tag(struct item *it, const char *tag)
{
	for (size_t i = 0; i < it->tags.n; i++)
		if (!strcmp(it->tags.v[i], tag))
			return;
	strv_push(&it->tags, tag);
}

/* "repo" without tag: every tag of that repository. Returns how many. */
static int add_repository(struct root *r, struct job *j, const char *repo, struct err *e)
{
	struct image **all;
	size_t n, found = 0, rlen = strlen(repo);
	if (image_store_list(r, &all, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct strv mine = STRV_INIT;
		for (size_t t = 0; t < all[i]->tags.n; t++) {
			const char *tag = all[i]->tags.v[t];
			if (!strncmp(tag, repo, rlen) && tag[rlen] == ':')
				strv_push(&mine, tag);
		}
		if (mine.n) {
			struct item *it = item_for(j, all[i]);
			all[i] = NULL;
			for (size_t t = 0; t < mine.n; t++)
				add_tag(it, mine.v[t]);
			found += mine.n;
		}
		strv_release(&mine);
	}
	image_list_free(all, n);
	return (int)(found > 0);
}

static int resolve(struct root *r, struct job *j, const char *name, struct err *e)
{
	struct image_ref ref;
	struct image *img;
	struct item *it;
	char *full = NULL;

	if (image_ref_parse(name, &ref, e) == 0) {
		if (!ref.tag && !ref.digest && strncmp(name, DIGEST_PREFIX, 7)) {
			char *repo = image_ref_name(&ref);
			int rc = add_repository(r, j, repo, e);
			free(repo);
			if (rc != 0) {
				image_ref_release(&ref);
				return rc < 0 ? -1 : 0;
			}
		} else if (ref.tag && !ref.digest) {
			full = image_ref_string(&ref);
		}
		image_ref_release(&ref);
	}
	err_clear(e);
	if (image_store_lookup(r, name, &img, e) < 0) {
		free(full);
		return -1;
	}
	it = item_for(j, img);
	for (size_t t = 0; full && t < it->img->tags.n; t++)
		if (!strcmp(it->img->tags.v[t], full))
			add_tag(it, full);
	free(full);
	return 0;
}

static const char *sniff_layer_type(int fd)
{
	unsigned char m[4];
	if (pread(fd, m, sizeof(m), 0) == (ssize_t)sizeof(m)) {
		if (m[0] == 0x1f && m[1] == 0x8b)
			return MT_OCI_LAYER "+gzip";
		if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
			return MT_OCI_LAYER "+zstd";
	}
	return MT_OCI_LAYER;
}

/* An OCI manifest for an image loaded without one (docker save archives). */
static void make_manifest(struct item *it)
{
	json_t *layers = json_array(), *m;
	for (size_t k = 0; k < it->img->layers.n; k++)
		json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", sniff_layer_type(it->fds[k]),
							"digest", it->img->layers.v[k], "size",
							(json_int_t)it->sizes[k]));
	m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
		      "config", "mediaType", MT_OCI_CONFIG, "digest", it->img->id, "size",
		      (json_int_t)it->config_len, "layers", layers);
	it->manifest = json_dumps(m, JSON_COMPACT);
	it->manifest_len = strlen(it->manifest);
	it->manifest_type = xstrdup(MT_OCI_MANIFEST);
	json_decref(m);
}

/* The stored manifest when it is there and names exactly our blobs. */
static bool stored_manifest(struct root *r, struct item *it)
{
	struct image_manifest m = {0};
	struct err ignore = ERR_INIT;
	char *path, *buf;
	size_t len;
	bool ok;
	json_t *doc;

	if (!it->img->manifest_digest)
		return false;
	path = image_blob_path(r, it->img->manifest_digest);
	if (fs_read_file(path, IMAGE_JSON_MAX, &buf, &len, &ignore) < 0) {
		free(path);
		return false;
	}
	free(path);
	ok = image_manifest_parse(buf, len, &m, &ignore) == 0 && !strcmp(m.config.digest, it->img->id) &&
	     m.n_layers == it->img->layers.n;
	for (size_t k = 0; ok && k < m.n_layers; k++)
		ok = !strcmp(m.layers[k].digest, it->img->layers.v[k]);
	image_manifest_release(&m);
	if (!ok) {
		free(buf);
		return false;
	}
	doc = json_loadb(buf, len, 0, NULL);
	it->manifest_type = xstrdup(doc && json_is_string(json_object_get(doc, "mediaType"))
					    ? json_string_value(json_object_get(doc, "mediaType"))
					    : MT_OCI_MANIFEST);
	json_decref(doc);
	it->manifest = buf;
	it->manifest_len = len;
	return true;
}

/* Read the config and manifest, open every layer. */
static int open_item(struct root *r, struct item *it, struct err *e)
{
	const struct image *img = it->img;
	char *path = image_blob_path(r, img->id);
	int rc = fs_read_file(path, IMAGE_JSON_MAX, &it->config, &it->config_len, e);
	free(path);
	if (rc < 0)
		return err_wrap(e, "reading the config of image '%s'", img->id);
	it->fds = xcalloc(img->layers.n ? img->layers.n : 1, sizeof(int));
	it->sizes = xcalloc(img->layers.n ? img->layers.n : 1, sizeof(int64_t));
	for (size_t k = 0; k < img->layers.n; k++)
		it->fds[k] = -1;
	for (size_t k = 0; k < img->layers.n; k++) {
		struct stat st;
		path = image_blob_path(r, img->layers.v[k]);
		it->fds[k] = open(path, O_RDONLY | O_CLOEXEC);
		if (it->fds[k] < 0 || fstat(it->fds[k], &st) < 0) {
			err_sys(e, errno, "opening layer '%s' of image '%s'", img->layers.v[k], img->id);
			free(path);
			return -1;
		}
		free(path);
		it->sizes[k] = st.st_size;
	}
	if (!stored_manifest(r, it))
		make_manifest(it);
	digest_buf(it->manifest, it->manifest_len, it->manifest_digest);
	return 0;
}

static int collect(struct root *r, char *const *names, size_t n, struct job *j, struct err *e)
{
	int rc = 0;
	if (root_begin(r, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = resolve(r, j, names[i], e);
	for (size_t i = 0; i < j->n && rc == 0; i++)
		rc = open_item(r, &j->v[i], e);
	root_rollback(r); /* read only: the lock kept gc away while blobs were opened */
	return rc;
}

/* ---- the tar ---- */

struct out {
	struct archive *a;
	struct strv written; /* blob names already in the archive */
};

static int aerr(struct out *o, struct err *e)
{
	return err_set(e, "writing the archive: %s",
		       archive_error_string(o->a) ? archive_error_string(o->a) : "unknown error");
}

static int header(struct out *o, const char *name, int64_t size, bool dir, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	int rc;
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(ent, dir ? 0755 : 0644);
	archive_entry_set_size(ent, dir ? 0 : size);
	archive_entry_set_mtime(ent, 0, 0);
	rc = archive_write_header(o->a, ent);
	archive_entry_free(ent);
	return rc == ARCHIVE_OK ? 0 : aerr(o, e);
}

static int put_mem(struct out *o, const char *name, const void *buf, size_t len, struct err *e)
{
	if (header(o, name, (int64_t)len, false, e) < 0)
		return -1;
	if (len && archive_write_data(o->a, buf, len) != (la_ssize_t)len)
		return aerr(o, e);
	return 0;
}

static int put_fd(struct out *o, const char *name, int fd, int64_t size, struct err *e)
{
	char buf[1 << 16];
	int64_t off = 0;
	if (header(o, name, size, false, e) < 0)
		return -1;
	while (off < size) {
		size_t want = size - off < (int64_t)sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		ssize_t got = pread(fd, buf, want, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return err_sys(e, got < 0 ? errno : EIO, "reading blob '%s'", name);
		if (archive_write_data(o->a, buf, (size_t)got) != got)
			return aerr(o, e);
		off += got;
	}
	return 0;
}

/* "blobs/sha256/<hex>"; false when it is already in the archive. */
static bool first_time(struct out *o, const char *digest, char **name)
{
	*name = xasprintf("blobs/sha256/%s", digest_hex(digest));
	for (size_t i = 0; i < o->written.n; i++)
		if (!strcmp(o->written.v[i], *name)) {
			free(*name);
			*name = NULL;
			return false;
		}
	strv_push(&o->written, *name);
	return true;
}

static int put_blobs(struct out *o, const struct item *it, struct err *e)
{
	char *name;
	int rc = 0;
	for (size_t k = 0; k < it->img->layers.n && rc == 0; k++)
		if (first_time(o, it->img->layers.v[k], &name)) {
			rc = put_fd(o, name, it->fds[k], it->sizes[k], e);
			free(name);
		}
	if (rc == 0 && first_time(o, it->img->id, &name)) {
		rc = put_mem(o, name, it->config, it->config_len, e);
		free(name);
	}
	if (rc == 0 && first_time(o, it->manifest_digest, &name)) {
		rc = put_mem(o, name, it->manifest, it->manifest_len, e);
		free(name);
	}
	return rc;
}

static json_t *platform(const struct image *img)
{
	json_t *p = json_object();
	const char *keys[][2] = {{"architecture", "architecture"}, {"os", "os"}, {"variant", "variant"}};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(img->config, keys[i][0]);
		if (json_is_string(v) && json_string_length(v))
			json_object_set(p, keys[i][1], v);
	}
	if (!json_object_get(p, "architecture") || !json_object_get(p, "os")) {
		json_decref(p);
		return NULL;
	}
	return p;
}

static json_t *descriptor(const struct item *it, const char *tag)
{
	json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", it->manifest_type, "digest", it->manifest_digest,
			      "size", (json_int_t)it->manifest_len);
	json_t *p = platform(it->img);
	if (tag) {
		struct image_ref ref;
		struct err ignore = ERR_INIT;
		json_t *a = json_pack("{s:s}", ANNOT_CONTAINERD_NAME, tag);
		if (image_ref_parse(tag, &ref, &ignore) == 0) {
			if (ref.tag)
				json_object_set_new(a, ANNOT_REF_NAME, json_string(ref.tag));
			image_ref_release(&ref);
		}
		json_object_set_new(d, "annotations", a);
	}
	if (p)
		json_object_set_new(d, "platform", p);
	return d;
}

static int put_json(struct out *o, const char *name, json_t *doc, struct err *e)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	int rc = put_mem(o, name, s, strlen(s), e);
	free(s);
	return rc;
}

/* index.json, manifest.json, oci-layout, repositories. */
static int put_indexes(struct out *o, const struct job *j, struct err *e)
{
	json_t *manifests = json_array(), *dm = json_array(), *repos = json_object(), *doc;
	int rc;
	for (size_t i = 0; i < j->n; i++) {
		const struct item *it = &j->v[i];
		json_t *tags = it->tags.n ? json_array() : json_null(), *layers = json_array();
		if (!it->tags.n)
			json_array_append_new(manifests, descriptor(it, NULL));
		for (size_t t = 0; t < it->tags.n; t++) {
			struct image_ref ref;
			struct err ignore = ERR_INIT;
			json_array_append_new(manifests, descriptor(it, it->tags.v[t]));
			char *f = image_ref_familiarize(it->tags.v[t]);
			json_array_append_new(tags, json_string(f));
			free(f);
			if (it->img->layers.n && image_ref_parse(it->tags.v[t], &ref, &ignore) == 0) {
				char *repo = image_ref_familiar_name(&ref);
				json_t *r = json_object_get(repos, repo);
				if (!r)
					json_object_set_new(repos, repo, r = json_object());
				if (ref.tag)
					json_object_set_new(r, ref.tag,
							    json_string(digest_hex(it->img->layers.v[it->img->layers.n - 1])));
				free(repo);
				image_ref_release(&ref);
			}
		}
		for (size_t k = 0; k < it->img->layers.n; k++)
			json_array_append_new(layers,
					      json_sprintf("blobs/sha256/%s", digest_hex(it->img->layers.v[k])));
		json_array_append_new(dm, json_pack("{s:o, s:o, s:o}", "Config",
						    json_sprintf("blobs/sha256/%s", digest_hex(it->img->id)),
						    "RepoTags", tags, "Layers", layers));
	}
	doc = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX, "manifests", manifests);
	rc = put_json(o, "index.json", doc, e);
	json_decref(doc);
	if (rc == 0)
		rc = put_json(o, "manifest.json", dm, e);
	if (rc == 0) {
		doc = json_pack("{s:s}", "imageLayoutVersion", MT_OCI_LAYOUT_VERSION);
		rc = put_json(o, "oci-layout", doc, e);
		json_decref(doc);
	}
	if (rc == 0 && json_object_size(repos))
		rc = put_json(o, "repositories", repos, e);
	json_decref(dm);
	json_decref(repos);
	return rc;
}

static int write_tar(const struct job *j, int fd, struct err *e)
{
	struct out o = {archive_write_new(), STRV_INIT};
	int rc = 0;
	/* no padding to a 10 KiB record (Go's archive/tar pads none either), so a
	 * pipe and a file get the same bytes */
	if (archive_write_set_format_pax_restricted(o.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(o.a, 1) != ARCHIVE_OK || archive_write_open_fd(o.a, fd) != ARCHIVE_OK)
		rc = aerr(&o, e);
	if (rc == 0)
		rc = header(&o, "blobs/", 0, true, e);
	if (rc == 0)
		rc = header(&o, "blobs/sha256/", 0, true, e);
	for (size_t i = 0; i < j->n && rc == 0; i++)
		rc = put_blobs(&o, &j->v[i], e);
	if (rc == 0)
		rc = put_indexes(&o, j, e);
	if (rc == 0 && archive_write_close(o.a) != ARCHIVE_OK)
		rc = aerr(&o, e);
	archive_write_free(o.a);
	strv_release(&o.written);
	return rc;
}

int image_save(struct root *r, char *const *names, size_t n, int fd, struct err *e)
{
	struct job j = {0};
	int rc = collect(r, names, n, &j, e);
	if (rc == 0)
		rc = write_tar(&j, fd, e);
	job_release(&j);
	return rc;
}

int image_save_file(struct root *r, char *const *names, size_t n, const char *path, struct err *e)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	mode_t mask = umask(0);
	int fd, rc;
	umask(mask);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_sys(e, errno, "creating '%s'", path);
		free(tmp);
		return -1;
	}
	rc = fchmod(fd, 0666 & ~mask) < 0 ? err_sys(e, errno, "creating '%s'", path) : 0;
	if (rc == 0)
		rc = image_save(r, names, n, fd, e);
	if (rc == 0 && fsync(fd) < 0)
		rc = err_sys(e, errno, "writing '%s'", path);
	if (close(fd) < 0 && rc == 0)
		rc = err_sys(e, errno, "writing '%s'", path);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = err_sys(e, errno, "renaming '%s' to '%s'", tmp, path);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
