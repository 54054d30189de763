/*
 * `a3s-box top BOX [ps OPTIONS]`: the box's process table. The guest init
 * builds it from /proc (EXEC request with op "ps", include/a3s/proto.h);
 * this side parses it the way docker's daemon parses ps output and prints
 * it the way docker's CLI does. docs/health.md.
 */
#ifndef A3S_BOX_TOP_H
#define A3S_BOX_TOP_H

#include <stddef.h>

#include "box/record.h"
#include "state/root.h"
#include "util/err.h"
#include "util/xalloc.h"

struct box_top {
	struct strv titles;
	struct strv cells; /* rows * titles.n, row by row */
	size_t rows;
};
#define BOX_TOP_INIT {STRV_INIT, STRV_INIT, 0}

/*
 * docker's parsePSOutput: the titles are the first line's words; each other
 * non-empty line is split on whitespace into titles.n cells, the last cell
 * taking the rest (words joined by one space). There must be a PID title
 * ("Couldn't find PID field in ps output"). Pure.
 */
int box_top_parse(const char *text, struct box_top *out, struct err *e);
/* docker's table: Go tabwriter with minwidth 20, padding 3, spaces; the
 * last column unpadded. Caller frees. Pure. */
char *box_top_table(const struct box_top *t);
void box_top_release(struct box_top *t);

/*
 * Ask the running box b for its table with ps options args (docker joins
 * them with spaces and splits on spaces again; so do we). Fills *out.
 * Errors: the box unreachable, ps failing ("ps: ..."), bad output.
 */
int box_top(struct root *r, const struct box_record *b, char *const *args, size_t n, struct box_top *out,
	    struct err *e);

#endif
