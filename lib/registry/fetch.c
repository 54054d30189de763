/* Concurrent, resumable, verified blob downloads. */
#include "registry/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/digest.h"
#include "registry/diffid.h"
#include "util/io.h"
#include "util/xalloc.h"

#define ERR_BODY_MAX 4096
#define SYNC_CHUNK (8 << 20)

enum state { WAITING, RUNNING, DONE };

volatile sig_atomic_t reg_interrupted;

struct job {
	struct reg_blob_job *j;
	struct reg_diffid dd;
	int64_t synced; /* bytes handed to writeback */
	enum state st;
	int fd;
	struct sha256 h;
	bool hashing;
	int64_t got; /* bytes written and hashed */
	int attempts;
	long long not_before_ms;
	bool checked; /* status of the current response seen */
	bool skip_body; /* an error response: collected, not written */
	char ebuf[ERR_BODY_MAX + 1];
	size_t elen;
	bool overflow, bad_range, io_error;
	CURL *h_easy;
	struct curl_slist *hl;
	char errbuf[CURL_ERROR_SIZE];
	struct reg_progress *pg;
};

struct ctx {
	struct reg_client *c;
	const char *repo;
	char *auth;
	const char *scope;
	struct reg_progress *pg;
};

static void restart_hash(struct job *jb)
{
	if (jb->hashing)
		sha256_abort(&jb->h);
	sha256_init(&jb->h);
	jb->hashing = true;
	jb->got = 0;
	jb->synced = 0;
	if (jb->j->layer) {
		reg_diffid_release(&jb->dd);
		reg_diffid_init(&jb->dd);
	}
	if (ftruncate(jb->fd, 0) < 0 || lseek(jb->fd, 0, SEEK_SET) < 0)
		jb->io_error = true;
}

/* First bytes of a response: decide whether they continue the file. */
static bool check_status(struct job *jb)
{
	long code = 0;
	curl_easy_getinfo(jb->h_easy, CURLINFO_RESPONSE_CODE, &code);
	jb->checked = true;
	if (code == 200) {
		if (jb->got)
			restart_hash(jb); /* the server ignored the Range: start over */
		return true;
	}
	if (code == 206)
		return true; /* curl checks Content-Range against the requested start */
	jb->skip_body = true;
	return true;
}

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
	struct job *jb = ud;
	size_t n = sz * nm;
	if (!jb->checked && !check_status(jb))
		return 0;
	if (jb->skip_body) {
		size_t k = n > ERR_BODY_MAX - jb->elen ? ERR_BODY_MAX - jb->elen : n;
		memcpy(jb->ebuf + jb->elen, p, k);
		jb->elen += k;
		jb->ebuf[jb->elen] = 0;
		return n;
	}
	if (jb->got + (int64_t)n > jb->j->size) {
		jb->overflow = true;
		return 0;
	}
	if (io_write_all(jb->fd, p, n) < 0) {
		jb->io_error = true;
		return 0;
	}
	sha256_update(&jb->h, p, n);
	if (jb->j->layer)
		reg_diffid_update(&jb->dd, p, n);
	jb->got += (int64_t)n;
	if (jb->got - jb->synced >= SYNC_CHUNK) {
		/* start writeback now so that the fsync before commit is short */
		(void)sync_file_range(jb->fd, jb->synced, jb->got - jb->synced, SYNC_FILE_RANGE_WRITE);
		jb->synced = jb->got;
	}
	reg_progress_bytes(jb->pg, jb->j->digest, "Downloading", jb->got, jb->j->size);
	return n;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
	struct job *jb = ud;
	size_t n = sz * nm;
	/* a redirect's headers come first: the status is re-read per response */
	if (n >= 5 && !strncmp(p, "HTTP/", 5))
		jb->checked = jb->skip_body = false, jb->elen = 0;
	return n;
}

static int start(struct ctx *x, CURLM *m, struct job *jb, struct err *e)
{
	char *path = xasprintf("/v2/%s/blobs/%s", x->repo, jb->j->digest), *url = reg_client_url(x->c, path);
	CURL *h = curl_easy_init();
	free(path);
	if (!h)
		abort();
	jb->h_easy = h;
	jb->checked = jb->skip_body = jb->overflow = false;
	jb->elen = 0;
	jb->errbuf[0] = 0;
	reg_client_setup(x->c, h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, jb->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, jb);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, jb);
	curl_easy_setopt(h, CURLOPT_PRIVATE, jb);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L << 10); /* fewer, larger writes */
	if (jb->got > 0)
		curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)jb->got);
	jb->hl = NULL;
	if (x->auth)
		jb->hl = curl_slist_append(jb->hl, x->auth);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, jb->hl);
	if (curl_multi_add_handle(m, h) != CURLM_OK)
		return err_set(e, "starting the download of %s", jb->j->digest);
	jb->st = RUNNING;
	if (jb->attempts)
		reg_progress_status(jb->pg, jb->j->digest, "Retrying");
	return 0;
}

static void finish_easy(CURLM *m, struct job *jb)
{
	curl_multi_remove_handle(m, jb->h_easy);
	curl_easy_cleanup(jb->h_easy);
	curl_slist_free_all(jb->hl);
	jb->h_easy = NULL;
	jb->hl = NULL;
}

/* A transfer ended: done, retry later, or fail. */
static int ended(struct ctx *x, struct job *jb, CURLcode cc, struct err *e)
{
	long code = 0;
	bool retry = false;
	const char *why = NULL;
	char whybuf[256];
	curl_easy_getinfo(jb->h_easy, CURLINFO_RESPONSE_CODE, &code);
	if (jb->io_error)
		return err_sys(e, errno, "writing blob %s", jb->j->digest);
	if (jb->overflow)
		return err_set(e, "blob %s is larger than its descriptor's %lld bytes", jb->j->digest,
			       (long long)jb->j->size);
	if (cc == CURLE_OK && (code == 200 || code == 206)) {
		if (jb->got == jb->j->size) {
			char got[DIGEST_LEN + 1];
			reg_progress_status(jb->pg, jb->j->digest, "Verifying Checksum");
			sha256_final(&jb->h, got);
			jb->hashing = false;
			if (strcmp(got, jb->j->digest))
				return err_set(e, "digest mismatch for blob %s: the registry sent content with digest %s",
					       jb->j->digest, got);
			jb->st = DONE;
			if (jb->j->layer)
				jb->j->have_diff_id = reg_diffid_final(&jb->dd, jb->j->diff_id, &jb->j->usize);
			reg_progress_status(jb->pg, jb->j->digest, "Download complete");
			return 0;
		}
		retry = true; /* the connection closed early */
		snprintf(whybuf, sizeof(whybuf), "the connection closed after %lld of %lld bytes", (long long)jb->got,
			 (long long)jb->j->size);
		why = whybuf;
	} else if (cc == CURLE_OK && code == 401) {
		char *a = NULL;
		free(x->auth);
		x->auth = NULL;
		if (jb->attempts >= 1 || reg_auth_header(x->c, x->scope, true, &a, e) < 0) {
			free(a);
			return jb->attempts >= 1 ? err_set(e, "unauthorized: authentication required to fetch blob %s",
							   jb->j->digest)
						 : -1;
		}
		x->auth = a;
		retry = true;
		why = "unauthorized";
	} else if (cc == CURLE_OK && (code == 429 || code >= 500)) {
		retry = true;
		snprintf(whybuf, sizeof(whybuf), "HTTP %ld", code);
		why = whybuf;
	} else if (cc == CURLE_OK) {
		struct reg_resp r = {.status = code, .body = jb->elen ? jb->ebuf : NULL, .len = jb->elen};
		char what[128];
		snprintf(what, sizeof(what), "fetching blob %s: ", jb->j->digest);
		return reg_resp_error(&r, what, e);
	} else if (cc == CURLE_RANGE_ERROR || cc == CURLE_BAD_DOWNLOAD_RESUME) {
		retry = true;
		why = "the registry cannot resume";
		restart_hash(jb);
	} else if (cc == CURLE_SSL_CACERT || cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_TOO_MANY_REDIRECTS ||
		   cc == CURLE_UNSUPPORTED_PROTOCOL) {
		return err_set(e, "fetching blob %s: %s", jb->j->digest, jb->errbuf[0] ? jb->errbuf : curl_easy_strerror(cc));
	} else {
		retry = true;
		snprintf(whybuf, sizeof(whybuf), "%s", jb->errbuf[0] ? jb->errbuf : curl_easy_strerror(cc));
		why = whybuf;
	}
	if (retry && ++jb->attempts >= REG_FETCH_ATTEMPTS)
		return err_set(e, "fetching blob %s failed %d times, last: %s", jb->j->digest, jb->attempts, why);
	/* back-off: 0.5 s, 1 s, 2 s, 4 s */
	jb->not_before_ms = io_now_ms() + (500LL << (jb->attempts > 4 ? 3 : jb->attempts - 1));
	jb->st = WAITING;
	return 0;
}

int reg_fetch_blobs(struct reg_client *c, const char *repo, struct reg_blob_job *jobs, size_t n,
		    struct reg_progress *pg, struct err *e)
{
	char *scope = xasprintf("repository:%s:pull", repo);
	struct ctx x = {.c = c, .repo = repo, .pg = pg, .scope = scope};
	struct job *v = xcalloc(n ? n : 1, sizeof(*v));
	CURLM *m = curl_multi_init();
	size_t done = 0;
	int rc = 0;
	if (!m)
		abort();
	for (size_t i = 0; i < n; i++) {
		v[i].j = &jobs[i];
		v[i].pg = pg;
		v[i].fd = open(jobs[i].path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (v[i].fd < 0) {
			rc = err_sys(e, errno, "creating '%s'", jobs[i].path);
			goto out;
		}
		sha256_init(&v[i].h);
		v[i].hashing = true;
		jobs[i].have_diff_id = false;
		if (jobs[i].layer)
			reg_diffid_init(&v[i].dd);
	}
	if (reg_auth_header(c, scope, false, &x.auth, e) < 0) {
		rc = -1;
		goto out;
	}
	while (done < n) {
		int running = 0, active = 0, msgs;
		long long now = io_now_ms(), wait_ms = 1000;
		CURLMsg *msg;
		if (reg_interrupted) {
			rc = err_set(e, "interrupted");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			active += v[i].st == RUNNING;
		for (size_t i = 0; i < n && active < REG_FETCH_PARALLEL; i++) {
			if (v[i].st != WAITING)
				continue;
			if (v[i].not_before_ms > now) {
				if (v[i].not_before_ms - now < wait_ms)
					wait_ms = v[i].not_before_ms - now;
				continue;
			}
			if (start(&x, m, &v[i], e) < 0) {
				rc = -1;
				goto out;
			}
			active++;
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &msgs))) {
			struct job *jb;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&jb);
			rc = ended(&x, jb, msg->data.result, e);
			finish_easy(m, jb);
			if (rc < 0)
				goto out;
			if (jb->st == DONE)
				done++;
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, (int)(active || wait_ms > 100 ? 100 : wait_ms), NULL);
	}
out:
	for (size_t i = 0; i < n; i++) {
		if (v[i].h_easy)
			finish_easy(m, &v[i]);
		if (v[i].hashing)
			sha256_abort(&v[i].h);
		if (v[i].j && v[i].j->layer)
			reg_diffid_release(&v[i].dd);
		if (v[i].fd >= 0 && v[i].j) {
			if (rc == 0 && fsync(v[i].fd) < 0 && rc == 0)
				rc = err_sys(e, errno, "writing '%s'", jobs[i].path);
			close(v[i].fd);
		}
	}
	curl_multi_cleanup(m);
	if (x.auth)
		explicit_bzero(x.auth, strlen(x.auth));
	free(x.auth);
	free(scope);
	free(v);
	return rc;
}
