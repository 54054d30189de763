#include "box/update.h"

#include "box/store.h"
#include "util/io.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

struct row {
	char *name, *image, *state;
	json_t *config;
};

static void row_release(struct row *w)
{
	free(w->name);
	free(w->image);
	free(w->state);
	json_decref(w->config);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

/* Inside the transaction: the box's current row. */
static int load(struct root *r, const char *id, struct row *w, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "SELECT name, image_ref, state, config FROM boxes WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading the box");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		json_error_t je;
		w->name = xstrdup(col(st, 0));
		w->image = xstrdup(col(st, 1));
		w->state = xstrdup(col(st, 2));
		w->config = json_loads(col(st, 3), 0, &je);
		if (!json_is_object(w->config)) {
			json_decref(w->config);
			w->config = json_object();
		}
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return err_setk(e, ERR_NOT_FOUND, "No such box: %s", id);
	return rc == SQLITE_ROW ? 0 : root_dberr(r, e, "reading the box");
}

static int store(struct root *r, const char *id, const struct box_update *u, const struct row *w,
		 struct err *e)
{
	sqlite3_stmt *st;
	char *cfg = json_dumps(w->config, JSON_COMPACT);
	int rc;
	if (!cfg)
		abort();
	if (sqlite3_prepare_v2(r->db,
			       "UPDATE boxes SET config = ?, restart_policy = COALESCE(?, restart_policy), "
			       "restart_max = CASE WHEN ? IS NULL THEN restart_max ELSE ? END WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		free(cfg);
		return root_dberr(r, e, "updating the box");
	}
	sqlite3_bind_text(st, 1, cfg, -1, SQLITE_STATIC);
	if (u->restart) {
		sqlite3_bind_text(st, 2, u->restart, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, u->restart, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int(st, 4, u->restart_max);
	sqlite3_bind_text(st, 5, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(cfg);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, "updating the box");

	{
		json_t *a = json_pack("{s:s, s:s}", "image", w->image, "name", w->name);
		rc = box_event_add(r, id, "update", a, e);
		json_decref(a);
		return rc;
	}
}

int box_update(struct root *r, const char *id, const struct box_update *u, struct err *e)
{
	struct row w = {0};
	bool runs;
	if (root_begin(r, e) < 0)
		return -1;
	if (load(r, id, &w, e) < 0)
		goto fail;
	runs = !strcmp(w.state, "running") || !strcmp(w.state, "paused") || !strcmp(w.state, "restarting");
	if ((u->cpus || u->mem_mib) && runs) {
		err_setk(e, ERR_CONFLICT,
			 "cannot change the CPUs or memory of box '%s' while it runs: its VM keeps the size it "
			 "started with; stop it first",
			 w.name);
		goto fail;
	}
	if (u->restart && strcmp(u->restart, "no") && json_is_true(json_object_get(w.config, "AutoRemove"))) {
		err_setk(e, ERR_CONFLICT,
			 "cannot set a restart policy on box '%s': it is removed when it stops (--rm)", w.name);
		goto fail;
	}
	if (u->cpus)
		json_object_set_new(w.config, "Cpus", json_integer(u->cpus));
	if (u->mem_mib)
		json_object_set_new(w.config, "MemoryMiB", json_integer((json_int_t)u->mem_mib));
	if (store(r, id, u, &w, e) < 0 || root_commit(r, e) < 0)
		goto fail;
	row_release(&w);
	return 0;
fail:
	root_rollback(r);
	row_release(&w);
	return -1;
}
