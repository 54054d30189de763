#include "box/record.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fs.h"
#include "util/io.h"
#include "util/xalloc.h"

#define COLS                                                                                               \
	"id, name, image_id, image_ref, config, state, pid, monitor_pid, exit_code, created_at, started_at, " \
	"finished_at, labels, restart_policy, restart_max, restart_count, stopped_by_user, error"

static const char *col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	json_error_t je;
	json_t *j = json_loads(col(st, i), 0, &je);
	return j ? j : json_object();
}

static struct box_record *from_row(sqlite3_stmt *st)
{
	struct box_record *b = xcalloc(1, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%s", col(st, 0));
	b->name = xstrdup(col(st, 1));
	b->image_id = xstrdup(col(st, 2));
	b->image_ref = xstrdup(col(st, 3));
	b->config = col_json(st, 4);
	snprintf(b->state, sizeof(b->state), "%s", col(st, 5));
	b->pid = (pid_t)sqlite3_column_int64(st, 6);
	b->monitor_pid = (pid_t)sqlite3_column_int64(st, 7);
	b->exit_code = sqlite3_column_int(st, 8);
	b->created_at = sqlite3_column_int64(st, 9);
	b->started_at = sqlite3_column_int64(st, 10);
	b->finished_at = sqlite3_column_int64(st, 11);
	b->labels = col_json(st, 12);
	b->restart_policy = xstrdup(col(st, 13));
	b->restart_max = sqlite3_column_int(st, 14);
	b->restart_count = sqlite3_column_int(st, 15);
	b->stopped_by_user = sqlite3_column_int(st, 16) != 0;
	b->error = xstrdup(col(st, 17));
	return b;
}

void box_record_free(struct box_record *b)
{
	if (!b)
		return;
	free(b->name);
	free(b->image_id);
	free(b->image_ref);
	json_decref(b->config);
	json_decref(b->labels);
	free(b->restart_policy);
	free(b->error);
	free(b);
}

void box_record_list_free(struct box_record **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		box_record_free(v[i]);
	free(v);
}

/* The NUL-separated command line of a live process; NULL when gone. */
static char *read_cmdline(pid_t pid, size_t *len)
{
	char path[64], *cmdline = NULL;
	struct err e = ERR_INIT;
	if (pid <= 0 || kill(pid, 0) < 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (fs_read_file(path, 1 << 20, &cmdline, len, &e) < 0)
		return NULL;
	return cmdline;
}

bool box_engine_alive(pid_t pid, const char *id)
{
	size_t len = 0;
	char *cmdline = read_cmdline(pid, &len);
	bool ok = false;
	/* a zombie's command line is empty */
	for (size_t i = 0; cmdline && i < len && !ok; i += strlen(cmdline + i) + 1)
		ok = strstr(cmdline + i, id) != NULL;
	free(cmdline);
	return ok;
}

bool box_monitor_alive(pid_t pid, const char *id)
{
	size_t len = 0;
	char *cmdline = read_cmdline(pid, &len);
	bool ok = false;
	/* argv is NUL-separated: look for "__monitor" followed by the id */
	for (size_t i = 0; cmdline && i + 1 < len; i += strlen(cmdline + i) + 1) {
		if (!strcmp(cmdline + i, "__monitor")) {
			size_t j = i + strlen(cmdline + i) + 1;
			ok = j < len && !strcmp(cmdline + j, id);
			break;
		}
	}
	free(cmdline);
	return ok;
}

int box_reconcile(struct root *r, struct box_record *b, struct err *e)
{
	sqlite3_stmt *st;
	int rc;
	if (strcmp(b->state, "running") && strcmp(b->state, "paused") && strcmp(b->state, "restarting"))
		return 0;
	if (box_monitor_alive(b->monitor_pid, b->id))
		return 0;
	if (b->monitor_pid == 0 && b->pid > 0 && kill(b->pid, 0) == 0)
		return 0; /* a foreground run owns it */
	/* the monitor is gone: its QEMU went with it (PR_SET_PDEATHSIG) */
	if (sqlite3_prepare_v2(r->db,
			       "UPDATE boxes SET state = 'exited', pid = 0, monitor_pid = 0, exit_code = 137, "
			       "finished_at = ?, error = 'the box monitor was lost' WHERE id = ? AND monitor_pid = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reconciling the box");
	sqlite3_bind_int64(st, 1, io_wall_ns());
	sqlite3_bind_text(st, 2, b->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, b->monitor_pid);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return root_dberr(r, e, "reconciling the box");
	snprintf(b->state, sizeof(b->state), "exited");
	b->pid = b->monitor_pid = 0;
	b->exit_code = 137;
	b->finished_at = io_wall_ns();
	free(b->error);
	b->error = xstrdup("the box monitor was lost");
	return 1;
}

static int query(struct root *r, const char *where, const char *arg, struct box_record ***out, size_t *n,
		 struct err *e)
{
	sqlite3_stmt *st;
	char *sql = xasprintf("SELECT " COLS " FROM boxes %s ORDER BY created_at DESC", where);
	struct box_record **v = NULL;
	size_t cnt = 0;
	int rc;
	rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return root_dberr(r, e, "listing boxes");
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		v[cnt++] = from_row(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		box_record_list_free(v, cnt);
		return root_dberr(r, e, "listing boxes");
	}
	for (size_t i = 0; i < cnt; i++)
		if (box_reconcile(r, v[i], e) < 0) {
			box_record_list_free(v, cnt);
			return -1;
		}
	*out = v;
	*n = cnt;
	return 0;
}

int box_store_list(struct root *r, struct box_record ***out, size_t *n, struct err *e)
{
	return query(r, "", NULL, out, n, e);
}

static bool is_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

int box_store_find(struct root *r, const char *key, struct box_record **out, struct err *e)
{
	struct box_record **v = NULL;
	size_t n = 0;
	const char *k = key[0] == '/' ? key + 1 : key; /* docker accepts "/name" */
	if (query(r, "WHERE name = ?1", k, &v, &n, e) < 0)
		return -1;
	if (n == 0 && is_hex(k) && strlen(k) <= 64) {
		char *like = xasprintf("%s%%", k);
		box_record_list_free(v, n);
		v = NULL;
		int rc = query(r, "WHERE id LIKE ?1", like, &v, &n, e);
		free(like);
		if (rc < 0)
			return -1;
	}
	if (n == 0) {
		box_record_list_free(v, n);
		return err_setk(e, ERR_NOT_FOUND, "No such box: %s", key);
	}
	if (n > 1) {
		box_record_list_free(v, n);
		return err_set(e, "box id prefix '%s' is ambiguous: give more characters", key);
	}
	*out = v[0];
	free(v);
	return 0;
}
