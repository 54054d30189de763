#include "box/store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/xalloc.h"
#include "util/io.h"

void box_new_id(char out[65])
{
	unsigned char b[32];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r > 0)
			got += (size_t)r;
	}
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

char *box_random_name(void)
{
	static const char *const adj[] = {"brave", "calm", "eager", "fervent", "gallant", "happy", "jolly",
					  "keen", "lucid", "modest", "nifty", "quirky", "serene", "tender",
					  "upbeat", "vibrant", "wizardly", "zealous", "bold", "crisp"};
	static const char *const who[] = {"turing", "hopper", "lovelace", "ritchie", "thompson", "torvalds",
					  "knuth", "dijkstra", "liskov", "lamport", "hamilton", "shannon",
					  "babbage", "noether", "curie", "feynman", "goodall", "kare", "yonath",
					  "wozniak"};
	unsigned r[2];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r[0] = r[1] = (unsigned)time(NULL);
	return xasprintf("%s_%s", adj[r[0] % 20], who[r[1] % 20]);
}

int box_name_valid(const char *n)
{
	if (!n || !isalnum((unsigned char)n[0]) || strlen(n) < 2 || strlen(n) > 253)
		return 0;
	for (const char *p = n + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return 0;
	return 1;
}

char *box_dir(const struct root *r, const char *id)
{
	return xasprintf("%s/boxes/%s", r->path, id);
}

int box_store_name_owner(struct root *r, const char *name, char owner[65], struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "SELECT id FROM boxes WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "looking up a box name");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(owner, 65, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return root_dberr(r, e, "looking up a box name");
	return rc == SQLITE_ROW;
}

int box_store_create(struct root *r, const char *id, const char *name, const char *image_id, const char *image_ref,
		     const char *config_json, char **name_out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char owner[65];
	char *chosen = NULL;
	int rc;

	if (name && !box_name_valid(name))
		return err_setk(e, ERR_USAGE, "invalid box name '%s': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	if (root_begin(r, e) < 0)
		return -1;
	if (name) {
		rc = box_store_name_owner(r, name, owner, e);
		if (rc < 0)
			goto fail;
		if (rc) {
			err_setk(e, ERR_CONFLICT,
				 "Conflict. The box name \"/%s\" is already in use by box \"%s\". You have to remove (or rename) that box to be able to reuse that name",
				 name, owner);
			goto fail;
		}
		chosen = xstrdup(name);
	} else {
		for (int tries = 0; !chosen; tries++) {
			char *cand = box_random_name();
			if (tries > 10) {
				char *c2 = xasprintf("%s_%.6s", cand, id);
				free(cand);
				cand = c2;
			}
			rc = box_store_name_owner(r, cand, owner, e);
			if (rc < 0) {
				free(cand);
				goto fail;
			}
			if (!rc)
				chosen = cand;
			else
				free(cand);
		}
	}
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO boxes (id, name, image_id, image_ref, config, state, created_at) "
			       "VALUES (?, ?, ?, ?, ?, 'created', ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		root_dberr(r, e, "recording the box");
		goto fail;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chosen, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, image_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, image_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, config_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, io_wall_ns());
	if (sqlite3_step(st) != SQLITE_DONE) {
		root_dberr(r, e, "recording the box");
		goto fail;
	}
	sqlite3_finalize(st);
	if (root_commit(r, e) < 0) {
		free(chosen);
		return -1;
	}
	if (name_out)
		*name_out = chosen;
	else
		free(chosen);
	return 0;
fail:
	sqlite3_finalize(st);
	root_rollback(r);
	free(chosen);
	return -1;
}

/* Run an UPDATE whose parameters are n integers, then the box id. */
static int update(struct root *r, const char *sql, const char *id, int n, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
	va_end(ap);
	sqlite3_bind_text(st, n + 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int checked(struct root *r, int rc, struct err *e)
{
	return rc < 0 ? root_dberr(r, e, "updating the box") : 0;
}

int box_store_set_running(struct root *r, const char *id, pid_t pid, struct err *e)
{
	return box_store_set_started(r, id, pid, 0, e);
}

int box_store_set_started(struct root *r, const char *id, pid_t pid, pid_t monitor_pid, struct err *e)
{
	return checked(r,
		       update(r,
			      "UPDATE boxes SET state = 'running', pid = ?, monitor_pid = ?, started_at = ?, "
			      "error = '' WHERE id = ?",
			      id, 3, (long long)pid, (long long)monitor_pid, io_wall_ns()),
		       e);
}

int box_store_set_exited(struct root *r, const char *id, int exit_code, struct err *e)
{
	return checked(r,
		       update(r, "UPDATE boxes SET state = 'exited', pid = 0, exit_code = ?, finished_at = ? WHERE id = ?",
			      id, 2, (long long)exit_code, io_wall_ns()),
		       e);
}

int box_store_set_state(struct root *r, const char *id, const char *state, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "UPDATE boxes SET state = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "updating the box");
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : root_dberr(r, e, "updating the box");
}

int box_store_set_monitor(struct root *r, const char *id, pid_t monitor_pid, struct err *e)
{
	return checked(r, update(r, "UPDATE boxes SET monitor_pid = ? WHERE id = ?", id, 1, (long long)monitor_pid),
		       e);
}

int box_store_set_stopped_by_user(struct root *r, const char *id, bool stopped, struct err *e)
{
	return checked(r, update(r, "UPDATE boxes SET stopped_by_user = ? WHERE id = ?", id, 1, (long long)stopped),
		       e);
}

int box_store_count_restart(struct root *r, const char *id, struct err *e)
{
	return checked(r,
		       update(r, "UPDATE boxes SET restart_count = restart_count + 1, state = 'restarting' WHERE id = ?",
			      id, 0),
		       e);
}

int box_store_set_policy(struct root *r, const char *id, const char *policy, int max, const char *labels_json,
			 struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "UPDATE boxes SET restart_policy = ?, restart_max = ?, labels = ? WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "updating the box");
	sqlite3_bind_text(st, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, max);
	sqlite3_bind_text(st, 3, labels_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : root_dberr(r, e, "updating the box");
}

int box_event_add(struct root *r, const char *id, const char *action, const json_t *attrs, struct err *e)
{
	sqlite3_stmt *st;
	char *a = json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;
	if (sqlite3_prepare_v2(r->db,
			       "INSERT INTO events (time, type, action, actor_id, attributes) "
			       "VALUES (?, 'container', ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		free(a);
		return root_dberr(r, e, "recording an event");
	}
	sqlite3_bind_int64(st, 1, io_wall_ns());
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(a);
	return rc == SQLITE_DONE ? 0 : root_dberr(r, e, "recording an event");
}

void box_event(struct root *r, const char *id, const char *action, json_t *attrs)
{
	struct err e = ERR_INIT;
	if (!attrs)
		attrs = json_object();
	(void)box_event_add(r, id, action, attrs, &e);
	json_decref(attrs);
}

int box_store_delete(struct root *r, const char *id, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(r->db, "DELETE FROM boxes WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "removing the box");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, "removing the box");
	return 0;
}

char *box_vsock_path(const char *box_dir)
{
	return xasprintf("%s/vsock.sock", box_dir);
}
