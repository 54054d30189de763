/*
 * How docker shows a container, for boxes: status strings, the quoted and
 * truncated command, the VM lifecycle name, and `ps --filter` matching.
 * Pure functions of a box_record (and the current time) so they are unit
 * tested without a data root.
 */
#ifndef A3S_BOX_FORMAT_H
#define A3S_BOX_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "box/record.h"
#include "util/err.h"
#include "util/xalloc.h"

/* docker's State.String(): "Up 5 seconds", "Up 5 seconds (Paused)",
 * "Restarting (1) 2 seconds ago", "Exited (0) 3 seconds ago", "Created",
 * "Dead". now_ns: unix nanoseconds. Writes into buf and returns it. */
char *box_status_string(const struct box_record *b, int64_t now_ns, char *buf, size_t len);
/* Path and arguments joined by spaces (docker's .Command before quoting);
 * caller frees. */
char *box_command_line(const struct box_record *b);
/* docker's formatter.Ellipsis: at most width runes, the last one "…" when
 * cut. Caller frees. */
char *box_ellipsis(const char *s, size_t width);
/* Go's strconv.Quote; caller frees. */
char *box_go_quote(const char *s);
/* The ps COMMAND column: quoted, cut to 20 runes unless no_trunc. */
char *box_command_column(const struct box_record *b, bool no_trunc);
/* Labels as "k=v,k2=v2", keys sorted; caller frees. */
char *box_labels_string(const struct box_record *b);
/* The VM lifecycle behind a docker state: "Created", "Busy" (the workload
 * runs or is paused), "Stopped". */
const char *box_vm_state(const char *state);
/* Is state one of docker's (created, running, paused, restarting, exited,
 * dead)? */
bool box_state_valid(const char *state);

/*
 * docker ps filters. Values of one key are alternatives (any may match),
 * keys must all match; label filters must all match (docker's MatchKVList).
 * name= and id= are regular expressions searched in the name (with and
 * without the leading "/") and id; ancestor= matches the box's image_ref
 * exactly or an image id in ancestor_ids, which the caller resolves from
 * the ancestor values (box_filter.ancestor).
 */
struct box_filter {
	struct strv name, id, label, status, ancestor, exited;
	struct strv ancestor_ids; /* filled by the caller: sha256:<hex> */
};
#define BOX_FILTER_INIT {STRV_INIT, STRV_INIT, STRV_INIT, STRV_INIT, STRV_INIT, STRV_INIT, STRV_INIT}

/* Add "key=value". Bad syntax, an unknown key, a bad status or regex:
 * ERR_USAGE. */
int box_filter_add(struct box_filter *f, const char *spec, struct err *e);
bool box_filter_match(const struct box_filter *f, const struct box_record *b);
void box_filter_release(struct box_filter *f);

#endif
