/* Box bookkeeping that touches only the state database and box files:
 * rename and prune (docker rename, docker container prune). */
#ifndef A3S_BOX_ADMIN_H
#define A3S_BOX_ADMIN_H

#include <stdint.h>

#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

/*
 * docker rename: give box `old` (name, id or id prefix) the name `new_name`
 * (a leading "/" is ignored). In one transaction: the name is checked free
 * (ERR_CONFLICT with docker's wording), the row updated and a "rename"
 * event recorded with {"name": NEW, "oldName": "/OLD"}. An invalid or
 * unchanged name is ERR_USAGE; an unknown box ERR_NOT_FOUND.
 */
int box_rename(struct root *r, const char *old, const char *new_name, struct err *e);

/*
 * docker container prune: remove every box in state created, exited or dead
 * (row, "destroy" event, then <root>/boxes/<id>). The full ids removed are
 * appended to deleted, and *reclaimed receives the bytes their directories
 * held (st_blocks * 512). A box whose state changes meanwhile is skipped.
 */
int box_prune(struct root *r, struct strv *deleted, uint64_t *reclaimed, struct err *e);

/* Bytes a tree holds on disk (st_blocks * 512, not following symlinks);
 * 0 for a missing path. */
uint64_t box_disk_usage(const char *path);

#endif
