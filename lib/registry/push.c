/* registry_push: blobs the registry lacks, then the manifest. */
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
#include "registry/client.h"
#include "registry/progress.h"
#include "registry/pull.h"
#include "registry/sig.h"
#include "util/fs.h"

#define CHUNK_DEFAULT (16 << 20)

struct push {
	struct root *r;
	struct reg_client *c;
	struct image_ref ref;
	struct image *img;
	char *scope;
	struct reg_progress pg;
	struct strv mount_from; /* other repositories of this registry that hold the image */
	int64_t chunk;
};

/* Compression of a stored layer, from its first bytes. */
static const char *layer_media_type(const char *path, struct err *e)
{
	unsigned char b[4] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0) {
		err_sys(e, errno, "reading blob '%s'", path);
		return NULL;
	}
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "application/vnd.oci.image.layer.v1.tar+gzip";
	if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		return "application/vnd.oci.image.layer.v1.tar+zstd";
	return "application/vnd.oci.image.layer.v1.tar";
}

static int blob_size(struct push *p, const char *digest, int64_t *size, struct err *e)
{
	char *path = image_blob_path(p->r, digest);
	struct stat st;
	int rc = stat(path, &st);
	free(path);
	if (rc < 0)
		return err_sys(e, errno, "blob %s of the image is missing from the store", digest);
	*size = st.st_size;
	return 0;
}

/* The stored manifest when it describes exactly this image, else a new OCI
 * manifest for the stored blobs. */
static int manifest_for(struct push *p, char **buf, size_t *len, char **mt, bool *generated, struct err *e)
{
	struct image *img = p->img;
	json_t *j, *layers;
	*generated = false;
	if (img->manifest_digest) {
		char *path = image_blob_path(p->r, img->manifest_digest), *b = NULL;
		size_t n;
		struct image_manifest m = {0};
		struct err ig = ERR_INIT;
		if (fs_exists(path) && fs_read_file(path, IMAGE_JSON_MAX, &b, &n, &ig) == 0 &&
		    image_manifest_parse(b, n, &m, &ig) == 0 && !strcmp(m.config.digest, img->id) &&
		    m.n_layers == img->layers.n) {
			bool same = true;
			json_t *doc = json_loadb(b, n, 0, NULL);
			const char *t = json_string_value(json_object_get(doc, "mediaType"));
			for (size_t i = 0; i < m.n_layers; i++)
				same &= !strcmp(m.layers[i].digest, img->layers.v[i]);
			if (same) {
				*mt = xstrdup(t ? t : MT_OCI_MANIFEST);
				*buf = b;
				*len = n;
				json_decref(doc);
				image_manifest_release(&m);
				free(path);
				return 0;
			}
			json_decref(doc);
		}
		image_manifest_release(&m);
		free(b);
		free(path);
	}
	layers = json_array();
	for (size_t i = 0; i < img->layers.n; i++) {
		char *path = image_blob_path(p->r, img->layers.v[i]);
		const char *lmt = layer_media_type(path, e);
		int64_t size;
		free(path);
		if (!lmt || blob_size(p, img->layers.v[i], &size, e) < 0) {
			json_decref(layers);
			return -1;
		}
		json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", lmt, "digest", img->layers.v[i],
							"size", (json_int_t)size));
	}
	{
		int64_t csize;
		if (blob_size(p, img->id, &csize, e) < 0) {
			json_decref(layers);
			return -1;
		}
		j = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType", MT_OCI_MANIFEST,
			      "config", "mediaType", MT_OCI_CONFIG, "digest", img->id, "size", (json_int_t)csize,
			      "layers", layers);
	}
	*buf = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!*buf)
		abort();
	*len = strlen(*buf);
	*mt = xstrdup(MT_OCI_MANIFEST);
	*generated = true;
	return 0;
}

/* Location of an upload, with extra query parameters. */
static char *with_query(const char *loc, const char *q)
{
	return xasprintf("%s%c%s", loc, strchr(loc, '?') ? '&' : '?', q);
}

static int expect(struct reg_resp *r, long status, const char *what, const char *digest, struct err *e)
{
	if (r->status == status)
		return 0;
	{
		char w[200];
		snprintf(w, sizeof(w), "%s %s: ", what, digest);
		reg_resp_error(r, w, e);
	}
	return -1;
}

/* Upload one blob from the store into an upload session at loc. */
static int upload(struct push *p, char *loc, const char *digest, int64_t size, struct err *e)
{
	char *path = image_blob_path(p->r, digest);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct reg_resp r;
	int64_t off = 0;
	int rc = -1;
	free(path);
	if (fd < 0) {
		free(loc);
		return err_sys(e, errno, "reading blob %s", digest);
	}
	if (size > p->chunk) {
		/* chunked: PATCH pieces, each answered with the next Location */
		while (off < size) {
			int64_t n = size - off > p->chunk ? p->chunk : size - off;
			char range[96];
			const char *hdr[] = {range, "Content-Type: application/octet-stream", NULL};
			struct reg_body b = {.fd = fd, .off = off, .n = n};
			snprintf(range, sizeof(range), "Content-Range: %lld-%lld", (long long)off, (long long)(off + n - 1));
			if (reg_request(p->c, "PATCH", loc, p->scope, hdr, &b, 4096, &r, e) < 0)
				goto out;
			if (expect(&r, 202, "uploading blob", digest, e) < 0 || !r.location) {
				if (r.status == 202)
					err_set(e, "uploading blob %s: the registry sent no Location", digest);
				reg_resp_release(&r);
				goto out;
			}
			free(loc);
			loc = xstrdup(r.location);
			reg_resp_release(&r);
			off += n;
			reg_progress_bytes(&p->pg, digest, "Pushing", off, size);
		}
		{
			char *q = xasprintf("digest=%s", digest), *url = with_query(loc, q);
			free(q);
			rc = reg_request(p->c, "PUT", url, p->scope, NULL, NULL, 4096, &r, e);
			free(url);
		}
	} else {
		char *q = xasprintf("digest=%s", digest), *url = with_query(loc, q);
		const char *hdr[] = {"Content-Type: application/octet-stream", NULL};
		struct reg_body b = {.fd = fd, .off = 0, .n = size};
		free(q);
		rc = reg_request(p->c, "PUT", url, p->scope, hdr, &b, 4096, &r, e);
		free(url);
	}
	if (rc < 0)
		goto out;
	rc = expect(&r, 201, "uploading blob", digest, e);
	if (rc == 0 && r.digest && strcmp(r.digest, digest))
		rc = err_set(e, "uploading blob %s: the registry stored it as %s", digest, r.digest);
	reg_resp_release(&r);
out:
	close(fd);
	free(loc);
	return rc;
}

static int push_blob(struct push *p, const char *digest, struct err *e)
{
	char *path = xasprintf("/v2/%s/blobs/%s", p->ref.path, digest);
	struct reg_resp r;
	int64_t size;
	int rc;
	if (blob_size(p, digest, &size, e) < 0) {
		free(path);
		return -1;
	}
	reg_progress_status(&p->pg, digest, "Preparing");
	rc = reg_request(p->c, "HEAD", path, p->scope, NULL, NULL, 0, &r, e);
	free(path);
	if (rc < 0)
		return -1;
	if (r.status == 200) {
		reg_resp_release(&r);
		reg_progress_status(&p->pg, digest, "Layer already exists");
		return 0;
	}
	reg_resp_release(&r);
	for (size_t i = 0; i < p->mount_from.n; i++) {
		char *url = xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", p->ref.path, digest, p->mount_from.v[i]);
		char *scope = xasprintf("%s repository:%s:pull", p->scope, p->mount_from.v[i]);
		rc = reg_request(p->c, "POST", url, scope, NULL, NULL, 4096, &r, e);
		free(url);
		free(scope);
		if (rc < 0)
			return -1;
		if (r.status == 201) {
			char msg[300];
			reg_resp_release(&r);
			snprintf(msg, sizeof(msg), "Mounted from %s", p->mount_from.v[i]);
			reg_progress_status(&p->pg, digest, msg);
			return 0;
		}
		if (r.status == 202 && r.location) {
			char *loc = xstrdup(r.location);
			reg_resp_release(&r);
			reg_progress_status(&p->pg, digest, "Pushing");
			if (upload(p, loc, digest, size, e) < 0)
				return -1;
			reg_progress_status(&p->pg, digest, "Pushed");
			return 0;
		}
		reg_resp_release(&r);
	}
	{
		char *url = xasprintf("/v2/%s/blobs/uploads/", p->ref.path), *loc;
		rc = reg_request(p->c, "POST", url, p->scope, NULL, NULL, 4096, &r, e);
		free(url);
		if (rc < 0)
			return -1;
		if (expect(&r, 202, "starting the upload of blob", digest, e) < 0 || !r.location) {
			if (r.status == 202)
				err_set(e, "starting the upload of blob %s: the registry sent no Location", digest);
			reg_resp_release(&r);
			return -1;
		}
		loc = xstrdup(r.location);
		reg_resp_release(&r);
		reg_progress_status(&p->pg, digest, "Pushing");
		if (upload(p, loc, digest, size, e) < 0)
			return -1;
		reg_progress_status(&p->pg, digest, "Pushed");
	}
	return 0;
}

/* Remember a generated manifest: its blob and the image's manifest digest. */
static int record_manifest(struct push *p, const char *digest, const char *buf, size_t len, struct err *e)
{
	char *path = image_blob_path(p->r, digest);
	int rc;
	if (root_begin(p->r, e) < 0) {
		free(path);
		return -1;
	}
	rc = fs_exists(path) ? 0 : fs_write_atomic(path, buf, len, 0600, e);
	if (rc == 0) {
		free(p->img->manifest_digest);
		p->img->manifest_digest = xstrdup(digest);
		rc = image_store_insert(p->r, p->img, e);
	}
	if (rc == 0)
		rc = root_commit(p->r, e);
	else
		root_rollback(p->r);
	free(path);
	return rc;
}

int registry_push(struct root *r, const char *name, const struct reg_xfer_opts *o, struct err *e)
{
	struct push p = {.r = r};
	struct reg_opts ro = {.tls_verify = o->tls_verify};
	char *buf = NULL, *mt = NULL, *full = NULL, digest[DIGEST_LEN + 1];
	size_t len;
	bool generated;
	struct reg_resp resp;
	const char *chunk = getenv("A3S_BOX_PUSH_CHUNK");
	int rc = -1;

	reg_progress_init(&p.pg, o->out ? o->out : stdout, o->quiet);
	p.chunk = chunk && atoll(chunk) > 0 ? atoll(chunk) : CHUNK_DEFAULT;
	if (image_ref_parse_tagged(name, &p.ref, e) < 0) {
		reg_progress_release(&p.pg);
		return -1;
	}
	if (p.ref.digest) {
		err_setk(e, ERR_USAGE, "cannot push a digest reference '%s': push a tag", name);
		goto out;
	}
	if (o->sign_key && access(o->sign_key, R_OK) < 0) {
		err_sys(e, errno, "cannot read the signing key '%s'", o->sign_key);
		goto out;
	}
	full = image_ref_string(&p.ref);
	if (image_store_lookup(r, full, &p.img, e) < 0) {
		if (e->kind == ERR_NOT_FOUND) {
			char *fam = image_ref_familiar_string(&p.ref);
			err_setk(e, ERR_NOT_FOUND, "An image does not exist locally with the tag: %s", fam);
			free(fam);
		}
		goto out;
	}
	/* repositories of the same registry that hold this image: mount sources */
	for (size_t i = 0; i < p.img->tags.n; i++) {
		struct image_ref t;
		struct err ig = ERR_INIT;
		if (image_ref_parse(p.img->tags.v[i], &t, &ig) < 0)
			continue;
		if (!strcmp(t.domain, p.ref.domain) && strcmp(t.path, p.ref.path)) {
			bool dup = false;
			for (size_t k = 0; k < p.mount_from.n; k++)
				dup |= !strcmp(p.mount_from.v[k], t.path);
			if (!dup)
				strv_push(&p.mount_from, t.path);
		}
		image_ref_release(&t);
	}
	p.scope = xasprintf("repository:%s:pull,push", p.ref.path);
	if (manifest_for(&p, &buf, &len, &mt, &generated, e) < 0)
		goto out;
	digest_buf(buf, len, digest);
	if (reg_client_new(p.ref.domain, &ro, &p.c, e) < 0)
		goto out;
	{
		char *fam = image_ref_familiar_name(&p.ref);
		reg_progress_printf(&p.pg, "The push refers to repository [%s]", fam);
		free(fam);
	}
	if (reg_client_ping(p.c, e) < 0)
		goto out;
	/* the top layer first, as docker lists them; the config last */
	for (size_t i = p.img->layers.n; i-- > 0;) {
		bool dup = false;
		for (size_t k = i + 1; k < p.img->layers.n; k++)
			dup |= !strcmp(p.img->layers.v[k], p.img->layers.v[i]);
		if (!dup && push_blob(&p, p.img->layers.v[i], e) < 0)
			goto out;
	}
	{
		struct reg_progress q;
		reg_progress_init(&q, p.pg.out, true);
		struct reg_progress saved = p.pg;
		p.pg = q;
		rc = push_blob(&p, p.img->id, e);
		p.pg = saved;
		reg_progress_release(&q);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	{
		char *path = xasprintf("/v2/%s/manifests/%s", p.ref.path, p.ref.tag), *ct = xasprintf("Content-Type: %s", mt);
		const char *hdr[] = {ct, NULL};
		struct reg_body b = {.buf = buf, .len = len};
		int r2 = reg_request(p.c, "PUT", path, p.scope, hdr, &b, 4096, &resp, e);
		free(path);
		free(ct);
		if (r2 < 0)
			goto out;
		if (expect(&resp, 201, "pushing manifest", digest, e) < 0) {
			reg_resp_release(&resp);
			goto out;
		}
		if (resp.digest && strcmp(resp.digest, digest)) {
			err_set(e, "pushing manifest %s: the registry stored it as %s", digest, resp.digest);
			reg_resp_release(&resp);
			goto out;
		}
		reg_resp_release(&resp);
	}
	if (generated && !p.img->manifest_digest && record_manifest(&p, digest, buf, len, e) < 0)
		goto out;
	if (!o->quiet)
		fprintf(p.pg.out, "%s: digest: %s size: %zu\n", p.ref.tag, digest, len);
	if (o->sign_key) {
		char *repo = xasprintf("%s/%s", p.ref.domain, p.ref.path), *tag = NULL;
		int r3 = reg_sig_push(p.c, p.ref.path, repo, digest, o->sign_key, &tag, e);
		if (r3 == 0 && !o->quiet)
			fprintf(p.pg.out, "Signed %s@%s: pushed %s\n", repo, digest, tag);
		free(repo);
		free(tag);
		if (r3 < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0 && e->msg[0] && strncmp(e->msg, "An image does not exist", 23)) {
		char *fam = image_ref_familiar_string(&p.ref);
		if (fam && p.ref.path)
			err_wrap(e, "pushing '%s'", fam);
		free(fam);
	}
	reg_client_free(p.c);
	image_ref_release(&p.ref);
	image_free(p.img);
	strv_release(&p.mount_from);
	reg_progress_release(&p.pg);
	free(p.scope);
	free(buf);
	free(mt);
	free(full);
	if (rc < 0)
		image_err_printable(e);
	return rc;
}
