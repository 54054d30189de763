/*
 * Volumes (docker volume): rows in the volumes table, data in
 * <root>/volumes/<name>/_data. Only the "local" driver exists; its
 * options (-o) are: none (a directory in the data root), type=none,o=bind,
 * device=/host/dir (the volume is that directory), or type=tmpfs with
 * o=size=...,mode=... (a fresh tmpfs in each box that mounts it).
 * See docs/volumes.md.
 */
#ifndef A3S_VOLUME_STORE_H
#define A3S_VOLUME_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

struct volume {
	char *name;
	char *driver; /* "local" */
	json_t *labels; /* object of strings */
	json_t *options; /* object of strings (-o) */
	bool anonymous;
	int64_t created_at; /* unix ns */
	char *mountpoint; /* <root>/volumes/<name>/_data, or the bind device */
	char *tmpfs_options; /* type=tmpfs: the guest's tmpfs options, else NULL */
};

void volume_free(struct volume *v);
void volume_list_free(struct volume **v, size_t n);

/*
 * Create a volume (docker volume create). An existing volume of that name
 * is kept and returned as is (*created false), as docker does. driver must
 * be "local"; labels and options are borrowed objects of strings (NULL =
 * none). Bad names and options are ERR_USAGE. A "create" event is recorded.
 * out may be NULL.
 */
int volume_create(struct root *r, const char *name, const char *driver, const json_t *labels, const json_t *options,
		  bool anonymous, bool *created, struct volume **out, struct err *e);
/* Look a volume up; ERR_NOT_FOUND "no such volume: NAME". */
int volume_get(struct root *r, const char *name, struct volume **out, struct err *e);
/* Every volume, by name. */
int volume_list(struct root *r, struct volume ***out, size_t *n, struct err *e);
/* The ids of the boxes (any state) whose config mounts the volume. */
int volume_users(struct root *r, const char *name, struct strv *ids, struct err *e);
/*
 * Remove a volume (row, then its directory) unless a box uses it
 * (ERR_CONFLICT "remove NAME: volume is in use - [ID, ...]"). Records a
 * "destroy" event. The check and the delete are one transaction.
 */
int volume_remove(struct root *r, const char *name, struct err *e);
/*
 * docker volume prune: remove unused volumes: anonymous ones only, or all
 * with all; filters (label=K[=V], label!=K[=V]) narrow it. Names removed go
 * to deleted, bytes freed to *reclaimed.
 */
int volume_prune(struct root *r, bool all, const struct strv *filters, struct strv *deleted, uint64_t *reclaimed,
		 struct err *e);
/* volume inspect's JSON for one volume (docker's keys). New reference. */
json_t *volume_to_json(const struct volume *v);
/* docker's -f filters for ls: name=, driver=, label=K[=V], dangling=BOOL.
 * 1 match, 0 not; bad filter: -1 with ERR_USAGE. */
int volume_filter_match(struct root *r, const struct volume *v, const struct strv *filters, struct err *e);

#endif
