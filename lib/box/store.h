/* Box records in the state database (table boxes). */
#ifndef A3S_BOX_STORE_H
#define A3S_BOX_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "state/root.h"

/* 64 random hex chars; out must hold 65 bytes. */
void box_new_id(char out[65]);
/* A docker-style "adjective_name"; caller frees. */
char *box_random_name(void);
/* 1 and the owner's id when name is taken, 0 when free, -1 on error. */
int box_store_name_owner(struct root *r, const char *name, char owner[65], struct err *e);
/* Valid box name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (docker's rule). */
int box_name_valid(const char *name);

/*
 * Insert a box in state "created". A taken name is an ERR_CONFLICT error
 * with docker's wording. name NULL: a random unused name is chosen (written
 * to *name_out if not NULL, caller frees).
 */
int box_store_create(struct root *r, const char *id, const char *name, const char *image_id, const char *image_ref,
		     const char *config_json, char **name_out, struct err *e);
/* A foreground run: the box runs with engine pid and no monitor. */
int box_store_set_running(struct root *r, const char *id, pid_t pid, struct err *e);
/* state running, engine and monitor pids, started now, error cleared */
int box_store_set_started(struct root *r, const char *id, pid_t pid, pid_t monitor_pid, struct err *e);
int box_store_set_state(struct root *r, const char *id, const char *state, struct err *e);
int box_store_set_monitor(struct root *r, const char *id, pid_t monitor_pid, struct err *e);
int box_store_set_stopped_by_user(struct root *r, const char *id, bool stopped, struct err *e);
/* restart_count + 1, state restarting */
int box_store_count_restart(struct root *r, const char *id, struct err *e);
int box_store_set_policy(struct root *r, const char *id, const char *policy, int max, const char *labels_json,
			 struct err *e);
/* Record an event (type container); attrs is borrowed. Usable inside a
 * transaction. */
int box_event_add(struct root *r, const char *id, const char *action, const json_t *attrs, struct err *e);
/* Record an event (type container); takes attrs (may be NULL). Best effort. */
void box_event(struct root *r, const char *id, const char *action, json_t *attrs);
int box_store_set_exited(struct root *r, const char *id, int exit_code, struct err *e);
int box_store_delete(struct root *r, const char *id, struct err *e);
/* Directory of a box's files: <root>/boxes/<id>; caller frees. */
char *box_dir(const struct root *r, const char *id);
/* The box's vsock device socket in its directory (the path may be too long
 * for sockaddr_un: see fs_sock_path()). */
char *box_vsock_path(const char *box_dir);

#endif
