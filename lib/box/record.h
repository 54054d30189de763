/* Reading box rows, and reconciling them with the processes that exist. */
#ifndef A3S_BOX_RECORD_H
#define A3S_BOX_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "state/root.h"

struct box_record {
	char id[65];
	char *name;
	char *image_id; /* sha256:<hex> */
	char *image_ref; /* as the user typed it */
	json_t *config; /* the resolved spec (box_spec_to_json) */
	char state[16]; /* created|running|paused|restarting|exited|dead */
	pid_t pid; /* the engine (QEMU), 0 when none */
	pid_t monitor_pid; /* 0 when none */
	int exit_code;
	int64_t created_at, started_at, finished_at; /* unix ns, 0 = never */
	json_t *labels; /* object */
	char *restart_policy;
	int restart_max, restart_count;
	bool stopped_by_user;
	char *error;
};

void box_record_free(struct box_record *b);
void box_record_list_free(struct box_record **v, size_t n);

/*
 * Find a box by exact name, full id, or unique id prefix. Not found:
 * ERR_NOT_FOUND "No such box: NAME". Ambiguous prefix: an error naming it.
 * The record is reconciled (box_reconcile) before it is returned.
 */
int box_store_find(struct root *r, const char *name_or_id, struct box_record **out, struct err *e);
/* Every box, newest first, each reconciled. */
int box_store_list(struct root *r, struct box_record ***out, size_t *n, struct err *e);

/*
 * A box whose row says a monitor runs (running, paused, restarting) but
 * whose monitor is gone is marked exited (137 unless an exit code was
 * recorded) with an error; the row and b are updated. Returns 1 when it
 * changed something, 0 when not, -1 on a database error.
 */
int box_reconcile(struct root *r, struct box_record *b, struct err *e);
/* Is pid a live engine (QEMU) of box id (its command line names the box)? */
bool box_engine_alive(pid_t pid, const char *id);
/* Is pid a live a3s-box monitor of box id? */
bool box_monitor_alive(pid_t pid, const char *id);

#endif
