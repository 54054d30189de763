#include "box/admin.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "box/record.h"
#include "box/store.h"
#include "util/fs.h"
#include "util/io.h"



/* Run an UPDATE/DELETE with text parameters; returns the rows changed. */
static int exec_text(struct root *r, const char *sql, const char *a, const char *b, const char *what,
		     struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, what);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, what);
	return sqlite3_changes(r->db);
}

int box_rename(struct root *r, const char *old, const char *new_name, struct err *e)
{
	struct box_record *b = NULL;
	char owner[65];
	json_t *attrs;
	int rc;

	if (new_name[0] == '/')
		new_name++;
	if (!box_name_valid(new_name))
		return err_setk(e, ERR_USAGE, "invalid box name '%s': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				new_name);
	if (box_store_find(r, old, &b, e) < 0)
		return -1;
	if (!strcmp(b->name, new_name)) {
		box_record_free(b);
		return err_setk(e, ERR_USAGE, "renaming a box with the same name as its current name");
	}
	if (root_begin(r, e) < 0) {
		box_record_free(b);
		return -1;
	}
	rc = box_store_name_owner(r, new_name, owner, e);
	if (rc > 0)
		rc = err_setk(e, ERR_CONFLICT,
			 "Conflict. The box name \"/%s\" is already in use by box \"%s\". You have to remove (or rename) that box to be able to reuse that name",
			 new_name, owner);
	if (rc == 0) {
		rc = exec_text(r, "UPDATE boxes SET name = ?2 WHERE id = ?1", b->id, new_name, "renaming the box", e);
		if (rc == 0)
			err_setk(e, ERR_NOT_FOUND, "No such box: %s", old); /* removed meanwhile */
		rc = rc == 1 ? 0 : -1;
	}
	if (rc == 0) {
		char *oldname = xasprintf("/%s", b->name);
		attrs = json_pack("{s:s, s:s}", "name", new_name, "oldName", oldname);
		rc = box_event_add(r, b->id, "rename", attrs, e);
		json_decref(attrs);
		free(oldname);
	}
	if (rc == 0)
		rc = root_commit(r, e);
	else
		root_rollback(r);
	box_record_free(b);
	return rc < 0 ? -1 : 0;
}

static uint64_t usage_total;

static int add_usage(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	usage_total += (uint64_t)st->st_blocks * 512;
	return 0;
}

uint64_t box_disk_usage(const char *path)
{
	usage_total = 0;
	if (nftw(path, add_usage, 16, FTW_PHYS) < 0)
		return 0;
	return usage_total;
}

static bool prunable(const char *state)
{
	return !strcmp(state, "created") || !strcmp(state, "exited") || !strcmp(state, "dead");
}

/* Delete one box row if its state still allows it; 1 deleted, 0 skipped. */
int box_remove(struct root *r, const char *id, const char *name, const char *image_ref, bool only_stopped,
	       struct err *e)
{
	json_t *attrs;
	char *dir;
	int rc;
	if (root_begin(r, e) < 0)
		return -1;
	rc = exec_text(r,
		       only_stopped ? "DELETE FROM boxes WHERE id = ? AND state IN ('created', 'exited', 'dead')"
				    : "DELETE FROM boxes WHERE id = ?",
		       id, NULL, "removing the box", e);
	if (rc == 1) {
		attrs = json_pack("{s:s, s:s}", "name", name, "image", image_ref);
		if (box_event_add(r, id, "destroy", attrs, e) < 0)
			rc = -1;
		json_decref(attrs);
	}
	if (rc < 0) {
		root_rollback(r);
		return -1;
	}
	if (root_commit(r, e) < 0)
		return -1;
	if (rc == 0)
		return 0;
	/* the row is gone first: nothing can start the box while its files go */
	dir = box_dir(r, id);
	rc = fs_rmtree(dir, e);
	free(dir);
	return rc < 0 ? -1 : 1;
}

int box_prune(struct root *r, struct strv *deleted, uint64_t *reclaimed, struct err *e)
{
	struct box_record **v;
	size_t n;
	int rc = 0;
	*reclaimed = 0;
	if (box_store_list(r, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *dir;
		uint64_t bytes;
		int gone;
		if (!prunable(v[i]->state))
			continue;
		dir = box_dir(r, v[i]->id);
		bytes = box_disk_usage(dir);
		free(dir);
		gone = box_remove(r, v[i]->id, v[i]->name, v[i]->image_ref, true, e);
		if (gone < 0) {
			err_wrap(e, "removing box '%s'", v[i]->name);
			rc = -1;
		} else if (gone) {
			strv_push(deleted, v[i]->id);
			*reclaimed += bytes;
		}
	}
	box_record_list_free(v, n);
	return rc;
}
