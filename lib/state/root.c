#include "state/root.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state/schema.sql.h"
#include "util/fs.h"
#include "util/xalloc.h"

const char *root_default_path(const char *flag)
{
	const char *env;
	if (flag && *flag)
		return flag;
	env = getenv("A3S_BOX_ROOT");
	if (env && *env)
		return env;
	return ROOT_DEFAULT;
}

int root_dberr(struct root *r, struct err *e, const char *what)
{
	return err_set(e, "%s: %s", what, r->db ? sqlite3_errmsg(r->db) : "no database");
}

static int exec_sql(struct root *r, const char *sql, struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, "state database '%s/a3s.db': %s", r->path, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int apply_schema(struct root *r, struct err *e)
{
	sqlite3_stmt *st;
	int ver = 0;
	if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return root_dberr(r, e, "reading schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		ver = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (ver == ROOT_SCHEMA_VERSION)
		return 0;
	if (ver > ROOT_SCHEMA_VERSION)
		return err_set(e, "state database '%s/a3s.db' is from a newer a3s-box (schema %d); upgrade a3s-box",
			       r->path, ver);
	if (root_begin(r, e) < 0)
		return -1;
	/* each step is idempotent (IF NOT EXISTS): a half-applied one is redone */
	if ((ver < 1 && exec_sql(r, root_schema_v1, e) < 0) || (ver < 2 && exec_sql(r, root_schema_v2, e) < 0) ||
	    exec_sql(r, "PRAGMA user_version = 2", e) < 0) {
		root_rollback(r);
		return -1;
	}
	return root_commit(r, e);
}

int root_open(const char *path, struct root **out, struct err *e)
{
	static const char *const dirs[] = {"blobs", "blobs/sha256", "rootfs", "boxes", "volumes", "tmp"};
	struct root *r;
	char abs[PATH_MAX];

	if (fs_mkdir_p(path, 0711, e) < 0)
		return err_wrap(e, "creating data root '%s'", path);
	if (!realpath(path, abs))
		return err_sys(e, errno, "data root '%s'", path);
	r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(abs);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = root_path(r, dirs[i]);
		int rc = fs_mkdir_p(d, 0700, e);
		free(d);
		if (rc < 0) {
			root_close(r);
			return err_wrap(e, "preparing data root '%s'", abs);
		}
	}
	{
		char *dbp = root_path(r, "a3s.db");
		int rc = sqlite3_open_v2(dbp, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
					 NULL);
		free(dbp);
		if (rc != SQLITE_OK) {
			err_set(e, "opening state database in '%s': %s", abs, sqlite3_errstr(rc));
			root_close(r);
			return -1;
		}
	}
	sqlite3_busy_timeout(r->db, 30000);
	/*
	 * Two commands opening a new data root at once race to switch it to
	 * WAL and to create the schema; SQLite may answer SQLITE_BUSY there
	 * without waiting (it would deadlock), so retry for a while.
	 */
	for (int attempt = 0;; attempt++) {
		if (exec_sql(r, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", e) == 0 &&
		    apply_schema(r, e) == 0)
			break;
		int code = sqlite3_errcode(r->db);
		if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || attempt >= 3000) {
			root_close(r);
			return -1;
		}
		err_clear(e);
		nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
	}
	*out = r;
	return 0;
}

void root_close(struct root *r)
{
	if (!r)
		return;
	if (r->db)
		sqlite3_close(r->db);
	free(r->path);
	free(r);
}

char *root_path(const struct root *r, const char *rel)
{
	return xasprintf("%s/%s", r->path, rel);
}

int root_mktemp_dir(const struct root *r, const char *prefix, char **out, struct err *e)
{
	char *t = xasprintf("%s/tmp/%s.XXXXXX", r->path, prefix);
	if (!mkdtemp(t)) {
		int en = errno;
		free(t);
		return err_sys(e, en, "creating a staging directory in '%s/tmp'", r->path);
	}
	*out = t;
	return 0;
}

int root_begin(struct root *r, struct err *e)
{
	return exec_sql(r, "BEGIN IMMEDIATE", e);
}

int root_commit(struct root *r, struct err *e)
{
	if (exec_sql(r, "COMMIT", e) < 0) {
		root_rollback(r);
		return -1;
	}
	return 0;
}

void root_rollback(struct root *r)
{
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}
