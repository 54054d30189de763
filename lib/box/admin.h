/* Box bookkeeping that touches only the state database and box files:
 * rename and prune (docker rename, docker container prune). */
#ifndef A3S_BOX_ADMIN_H
#define A3S_BOX_ADMIN_H

#include <stdbool.h>
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
/* Remove a box's row (recording a destroy event), then its files. With
 * only_stopped, a box that is not created/exited/dead is left alone.
 * 1 removed, 0 left alone, -1 error. The caller stops it first. */
int box_remove(struct root *r, const char *id, const char *name, const char *image_ref, bool only_stopped,
	       struct err *e);
int box_prune(struct root *r, struct strv *deleted, uint64_t *reclaimed, struct err *e);

/* Bytes a tree holds on disk (st_blocks * 512, not following symlinks);
 * 0 for a missing path. */
uint64_t box_disk_usage(const char *path);

#endif
