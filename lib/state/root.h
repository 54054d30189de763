/*
 * The data root: /var/lib/a3s-box for root, or --root DIR / A3S_BOX_ROOT.
 *
 * Layout (docs/data-root.md):
 *   a3s.db               SQLite state (WAL)
 *   blobs/sha256/<hex>   content-addressed blobs (layers, configs, manifests)
 *   rootfs/<hex>.erofs   read-only root filesystem per image id
 *   boxes/<id>/          per-box files (writable layer, logs, workspace)
 *   volumes/<name>/_data volume data
 *   tmp/                 staging; anything here older than a run is garbage
 */
#ifndef A3S_STATE_ROOT_H
#define A3S_STATE_ROOT_H

#include <sqlite3.h>

#include "util/err.h"

struct root {
	char *path; /* absolute */
	sqlite3 *db;
};

#define ROOT_DEFAULT "/var/lib/a3s-box"

/* Path of the data root chosen by flag, environment or default. Static. */
const char *root_default_path(const char *flag);
/* Create (if needed) and open the data root; opens the database with the
 * schema applied. On failure *out is untouched. */
int root_open(const char *path, struct root **out, struct err *e);
void root_close(struct root *r);
/* "<root>/<rel>", caller frees. */
char *root_path(const struct root *r, const char *rel);
/* Make a fresh private staging directory under tmp/; caller frees and must
 * remove it (fs_rmtree). */
int root_mktemp_dir(const struct root *r, const char *prefix, char **out, struct err *e);

/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int root_begin(struct root *r, struct err *e);
int root_commit(struct root *r, struct err *e);
void root_rollback(struct root *r);
/* Wrap a SQLite failure into e ("what: sqlite message"). Returns -1. */
int root_dberr(struct root *r, struct err *e, const char *what);

#endif
