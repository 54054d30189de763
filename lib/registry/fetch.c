/*
 * Concurrent, resumable, verified blob downloads: a few worker threads,
 * each taking the next blob and running its transfer (libcurl easy handle)
 * with retries; hashing and decompression happen in the thread that
 * receives the bytes, so several layers use several cores.
 */
#include "registry/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/digest.h"
#include "registry/diffid.h"
#include "util/io.h"
#include "util/xalloc.h"

#define ERR_BODY_MAX 4096
#define SYNC_CHUNK (8 << 20)

volatile sig_atomic_t reg_interrupted;

enum state { WAITING, DONE };

struct shared;

struct job {
	struct reg_blob_job *j;
	struct shared *sh;
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
	bool overflow, io_error;
	int io_errno;
	CURL *h_easy;
	char errbuf[CURL_ERROR_SIZE];
};

/* What the workers share; mu guards the client (tokens), the progress
 * output, next, rc and e. */
struct shared {
	pthread_mutex_t mu;
	struct reg_client *c;
	const char *repo, *scope;
	char *auth;
	struct reg_progress *pg;
	struct job *v;
	size_t n, next;
	int rc;
	struct err e;
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
	if (ftruncate(jb->fd, 0) < 0 || lseek(jb->fd, 0, SEEK_SET) < 0) {
		jb->io_error = true;
		jb->io_errno = errno;
	}
}

/* First bytes of a response: do they continue the file? */
static void check_status(struct job *jb)
{
	long code = 0;
	curl_easy_getinfo(jb->h_easy, CURLINFO_RESPONSE_CODE, &code);
	jb->checked = true;
	if (code == 200 && jb->got)
		restart_hash(jb); /* the server ignored the Range: start over */
	else if (code != 200 && code != 206) /* curl checks a 206's Content-Range */
		jb->skip_body = true;
}

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
	struct job *jb = ud;
	size_t n = sz * nm;
	if (!jb->checked)
		check_status(jb);
	if (jb->skip_body) {
		size_t k = n > ERR_BODY_MAX - jb->elen ? ERR_BODY_MAX - jb->elen : n;
		memcpy(jb->ebuf + jb->elen, p, k);
		jb->elen += k;
		jb->ebuf[jb->elen] = 0;
		return n;
	}
	if (jb->io_error)
		return 0;
	if (jb->got + (int64_t)n > jb->j->size) {
		jb->overflow = true;
		return 0;
	}
	if (io_write_all(jb->fd, p, n) < 0) {
		jb->io_error = true;
		jb->io_errno = errno;
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
	if (jb->sh->pg->tty) {
		pthread_mutex_lock(&jb->sh->mu);
		reg_progress_bytes(jb->sh->pg, jb->j->digest, "Downloading", jb->got, jb->j->size);
		pthread_mutex_unlock(&jb->sh->mu);
	}
	return n;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
	struct job *jb = ud;
	size_t n = sz * nm;
	/* a redirect's headers come first: the status is read again per response */
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		jb->checked = jb->skip_body = false;
		jb->elen = 0;
	}
	return n;
}

/* Stop when interrupted or when another blob failed. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct job *jb = ud;
	return reg_interrupted || __atomic_load_n(&jb->sh->rc, __ATOMIC_RELAXED) < 0;
}

/* One transfer of jb, from its current offset. */
static CURLcode transfer(struct job *jb)
{
	struct shared *sh = jb->sh;
	char *path = xasprintf("/v2/%s/blobs/%s", sh->repo, jb->j->digest), *url;
	struct curl_slist *hl = NULL;
	CURL *h = curl_easy_init();
	CURLcode cc;
	if (!h)
		abort();
	pthread_mutex_lock(&sh->mu);
	url = reg_client_url(sh->c, path);
	if (sh->auth)
		hl = curl_slist_append(hl, sh->auth);
	pthread_mutex_unlock(&sh->mu);
	free(path);
	jb->h_easy = h;
	jb->checked = jb->skip_body = jb->overflow = false;
	jb->elen = 0;
	jb->errbuf[0] = 0;
	reg_client_setup(sh->c, h);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, jb);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, jb->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, jb);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, jb);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L << 10); /* fewer, larger writes */
	if (jb->got > 0)
		curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)jb->got);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(h);
	free(url);
	curl_slist_free_all(hl);
	return cc;
}

/* A transfer ended: done, retry later, or fail. Called with sh->mu held. */
static int ended(struct job *jb, CURLcode cc, struct err *e)
{
	struct shared *sh = jb->sh;
	long code = 0;
	const char *why;
	char whybuf[256];
	curl_easy_getinfo(jb->h_easy, CURLINFO_RESPONSE_CODE, &code);
	if (reg_interrupted)
		return err_set(e, "interrupted");
	if (jb->io_error)
		return err_sys(e, jb->io_errno, "writing blob %s", jb->j->digest);
	if (jb->overflow)
		return err_set(e, "blob %s is larger than its descriptor's %lld bytes", jb->j->digest,
			       (long long)jb->j->size);
	if (cc == CURLE_OK && (code == 200 || code == 206)) {
		if (jb->got == jb->j->size) {
			char got[DIGEST_LEN + 1];
			reg_progress_status(sh->pg, jb->j->digest, "Verifying Checksum");
			sha256_final(&jb->h, got);
			jb->hashing = false;
			if (strcmp(got, jb->j->digest))
				return err_set(e, "digest mismatch for blob %s: the registry sent content with digest %s",
					       jb->j->digest, got);
			jb->st = DONE;
			if (jb->j->layer)
				jb->j->have_diff_id = reg_diffid_final(&jb->dd, jb->j->diff_id, &jb->j->usize);
			reg_progress_status(sh->pg, jb->j->digest, "Download complete");
			return 0;
		}
		snprintf(whybuf, sizeof(whybuf), "the connection closed after %lld of %lld bytes", (long long)jb->got,
			 (long long)jb->j->size);
		why = whybuf;
	} else if (cc == CURLE_OK && code == 401) {
		char *a = NULL;
		if (jb->attempts >= 1)
			return err_set(e, "unauthorized: authentication required to fetch blob %s", jb->j->digest);
		if (reg_auth_header(sh->c, sh->scope, true, &a, e) < 0)
			return -1;
		free(sh->auth);
		sh->auth = a;
		why = "unauthorized";
	} else if (cc == CURLE_OK && (code == 429 || code >= 500)) {
		snprintf(whybuf, sizeof(whybuf), "HTTP %ld", code);
		why = whybuf;
	} else if (cc == CURLE_OK) {
		struct reg_resp r = {.status = code, .body = jb->elen ? jb->ebuf : NULL, .len = jb->elen};
		char what[128];
		snprintf(what, sizeof(what), "fetching blob %s: ", jb->j->digest);
		return reg_resp_error(&r, what, e);
	} else if (cc == CURLE_RANGE_ERROR || cc == CURLE_BAD_DOWNLOAD_RESUME) {
		why = "the registry cannot resume";
		restart_hash(jb);
	} else if (cc == CURLE_SSL_CACERT || cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_TOO_MANY_REDIRECTS ||
		   cc == CURLE_UNSUPPORTED_PROTOCOL) {
		return err_set(e, "fetching blob %s: %s", jb->j->digest,
			       jb->errbuf[0] ? jb->errbuf : curl_easy_strerror(cc));
	} else {
		snprintf(whybuf, sizeof(whybuf), "%s", jb->errbuf[0] ? jb->errbuf : curl_easy_strerror(cc));
		why = whybuf;
	}
	if (++jb->attempts >= REG_FETCH_ATTEMPTS)
		return err_set(e, "fetching blob %s failed %d times, last: %s", jb->j->digest, jb->attempts, why);
	/* back-off: 0.5 s, 1 s, 2 s, 4 s */
	jb->not_before_ms = io_now_ms() + (500LL << (jb->attempts > 4 ? 3 : jb->attempts - 1));
	jb->st = WAITING;
	reg_progress_status(sh->pg, jb->j->digest, "Retrying");
	return 0;
}

static int run_job(struct job *jb, struct err *e)
{
	struct shared *sh = jb->sh;
	for (;;) {
		CURLcode cc = transfer(jb);
		int rc;
		pthread_mutex_lock(&sh->mu);
		rc = ended(jb, cc, e);
		pthread_mutex_unlock(&sh->mu);
		curl_easy_cleanup(jb->h_easy);
		jb->h_easy = NULL;
		if (rc == 0 && jb->st == DONE && fsync(jb->fd) < 0)
			rc = err_sys(e, errno, "writing '%s'", jb->j->path); /* here: overlaps other transfers */
		if (rc < 0 || jb->st == DONE)
			return rc;
		while (io_now_ms() < jb->not_before_ms) {
			if (reg_interrupted)
				return err_set(e, "interrupted");
			if (__atomic_load_n(&sh->rc, __ATOMIC_RELAXED) < 0)
				return -1;
			nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
		}
	}
}

static void *worker(void *arg)
{
	struct shared *sh = arg;
	for (;;) {
		struct err e = ERR_INIT;
		struct job *jb;
		pthread_mutex_lock(&sh->mu);
		if (sh->rc < 0 || sh->next >= sh->n) {
			pthread_mutex_unlock(&sh->mu);
			return NULL;
		}
		jb = &sh->v[sh->next++];
		pthread_mutex_unlock(&sh->mu);
		if (run_job(jb, &e) < 0) {
			pthread_mutex_lock(&sh->mu);
			if (sh->rc == 0 && e.msg[0]) {
				sh->e = e;
				__atomic_store_n(&sh->rc, -1, __ATOMIC_RELAXED);
			}
			pthread_mutex_unlock(&sh->mu);
			return NULL;
		}
	}
}

int reg_fetch_blobs(struct reg_client *c, const char *repo, struct reg_blob_job *jobs, size_t n,
		    struct reg_progress *pg, struct err *e)
{
	char *scope = xasprintf("repository:%s:pull", repo);
	struct shared sh = {.c = c, .repo = repo, .scope = scope, .pg = pg, .n = n};
	pthread_t th[REG_FETCH_PARALLEL];
	size_t nth = n < REG_FETCH_PARALLEL ? n : REG_FETCH_PARALLEL, started = 0;
	int rc = 0;

	pthread_mutex_init(&sh.mu, NULL);
	sh.v = xcalloc(n ? n : 1, sizeof(*sh.v));
	for (size_t i = 0; i < n; i++) {
		struct job *jb = &sh.v[i];
		jb->j = &jobs[i];
		jb->sh = &sh;
		jb->fd = open(jobs[i].path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (jb->fd < 0) {
			rc = err_sys(e, errno, "creating '%s'", jobs[i].path);
			goto out;
		}
		sha256_init(&jb->h);
		jb->hashing = true;
		jobs[i].have_diff_id = false;
		if (jobs[i].layer)
			reg_diffid_init(&jb->dd);
	}
	if (reg_auth_header(c, scope, false, &sh.auth, e) < 0) {
		rc = -1;
		goto out;
	}
	/* one blob runs in this thread; more get their own */
	for (; started + 1 < nth; started++)
		if (pthread_create(&th[started], NULL, worker, &sh) != 0)
			break;
	worker(&sh);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (sh.rc < 0) {
		*e = sh.e;
		rc = -1;
	} else if (reg_interrupted) {
		rc = err_set(e, "interrupted");
	}
out:
	for (size_t i = 0; i < n; i++) {
		struct job *jb = &sh.v[i];
		if (!jb->j)
			continue;
		if (jb->hashing)
			sha256_abort(&jb->h);
		if (jb->j->layer)
			reg_diffid_release(&jb->dd);
		if (jb->fd >= 0)
			close(jb->fd);
	}
	pthread_mutex_destroy(&sh.mu);
	if (sh.auth)
		explicit_bzero(sh.auth, strlen(sh.auth));
	free(sh.auth);
	free(scope);
	free(sh.v);
	return rc;
}
