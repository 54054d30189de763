/*
 * The events table read back as docker's event stream (docker events):
 * reading rows in order, completing their attributes, filters, and the
 * two output shapes (docker's text line and its JSON message). Formatting
 * and filtering are pure and unit-tested.
 */
#ifndef A3S_BOX_EVENTS_H
#define A3S_BOX_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "state/root.h"
#include "util/err.h"

struct box_event_rec {
	int64_t seq;
	int64_t time_ns; /* unix nanoseconds */
	char *type; /* container|image */
	char *action; /* create|start|die|... */
	char *actor_id;
	json_t *attrs; /* object of strings (numbers are stringified) */
};

void box_event_rec_release(struct box_event_rec *ev);

/*
 * Call fn for every event with seq > after_seq and time >= since_ns, in
 * seq order; fn returning < 0 stops the walk (and that value is returned).
 * *last_seq receives the highest seq seen (unchanged when none). Attribute
 * values are turned into strings, as docker's are. ev is released after fn.
 */
int box_events_read(struct root *r, int64_t after_seq, int64_t since_ns, int64_t *last_seq,
		    int (*fn)(void *arg, struct box_event_rec *ev), void *arg, struct err *e);
/* The highest seq in the table (0 when it is empty). */
int box_events_last_seq(struct root *r, int64_t *seq, struct err *e);
/*
 * Add the attributes a row lacks but docker always shows: "name" and
 * "image" from the latest earlier event of the same box that had them,
 * else from the box's row when the box still exists; the box's labels (row
 * only). Attributes already present are kept. Best effort.
 */
void box_event_complete(struct root *r, struct box_event_rec *ev);

/*
 * Filters (-f KEY=VALUE): type, event, container (id or name, prefixes
 * match), image (with or without its tag), label (KEY or KEY=VALUE). As in
 * docker, values of one key are alternatives, different keys must all
 * match, and every label given must match.
 */
struct box_event_filter {
	json_t *terms; /* key -> array of values */
};

#define BOX_EVENT_FILTER_INIT {NULL}

/* Add "KEY=VALUE"; an unknown key or a missing "=" is ERR_USAGE. */
int box_event_filter_add(struct box_event_filter *f, const char *kv, struct err *e);
bool box_event_filter_match(const struct box_event_filter *f, const struct box_event_rec *ev);
void box_event_filter_release(struct box_event_filter *f);

/* docker's line: "TIME TYPE ACTION ID (k=v, k=v)", attributes sorted by
 * key, the time local as time_format_rfc3339nano_fixed; no newline.
 * Caller frees. */
char *box_event_format_line(const struct box_event_rec *ev);
/* docker's JSON message: status, id, from (container events), Type,
 * Action, Actor {ID, Attributes}, scope, time, timeNano. New reference. */
json_t *box_event_to_json(const struct box_event_rec *ev);
/* A template lookup over box_event_to_json() output by Go field names
 * (.Status .ID .From .Type .Action .Actor .Scope .Time .TimeNano). */
int box_event_template_lookup(void *data, const char *field, json_t **out);

#endif
