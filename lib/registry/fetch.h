/*
 * Downloading blobs: several at once (a few threads, one libcurl transfer
 * each), each streamed into its
 * file and hashed as it arrives, resumed with an HTTP Range after a broken or
 * stalled connection, retried with back-off on 5xx/429 and network errors,
 * and verified (size and sha256) before it counts as fetched. A token that
 * expires mid-way is renewed. On failure the files are left for the caller
 * to remove (they live in its staging directory).
 */
#ifndef A3S_REGISTRY_FETCH_H
#define A3S_REGISTRY_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "image/digest.h"

#include "registry/client.h"
#include "registry/progress.h"
#include "util/err.h"

#define REG_FETCH_PARALLEL 6
#define REG_FETCH_ATTEMPTS 5

/* Set (by a signal handler) to stop transfers: reg_fetch_blobs then fails
 * with "interrupted" within 100 ms and the caller cleans up as on any
 * error. */
extern volatile sig_atomic_t reg_interrupted;

struct reg_blob_job {
	const char *digest; /* "sha256:<hex>" */
	int64_t size; /* from the descriptor */
	const char *path; /* file to write (created) */
	bool layer; /* compute the diff_id while downloading */
	/* out, for layers: the diff_id and uncompressed size when the stream
	 * could be decompressed as it came (else the caller checks the file) */
	bool have_diff_id;
	char diff_id[DIGEST_LEN + 1];
	int64_t usize;
};

/* Fetch blobs of repository repo ("library/alpine") into their files. */
int reg_fetch_blobs(struct reg_client *c, const char *repo, struct reg_blob_job *jobs, size_t n,
		    struct reg_progress *pg, struct err *e);

#endif
