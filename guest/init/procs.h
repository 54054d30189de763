/*
 * The process table of the box, for `a3s-box top`: an EXEC request with the
 * record "op" = "ps" (include/a3s/proto.h) whose argv is "ps" and the user's
 * ps options. The init answers it itself from /proc, so that it works on
 * images without a ps, for the options it knows (see procs_columns()); for
 * any other options the request is an ordinary exec of the image's own ps.
 * docs/health.md.
 */
#ifndef A3S_GUEST_PROCS_H
#define A3S_GUEST_PROCS_H

#include <stddef.h>

#include "cfg.h"

/* Does the EXEC payload (records "key\0value\0") carry "op" = "ps"? */
int procs_wanted(const char *raw, size_t len);

#define PROCS_MAX_COLS 32

/* Column kinds (what procs_columns() fills in). */
enum procs_col {
	PC_PID, PC_PPID, PC_PGID, PC_SID, PC_UID, PC_USER, PC_GID, PC_GROUP, PC_COMM, PC_ARGS, PC_TTY,
	PC_TIME, PC_BSDTIME, PC_STIME, PC_ETIME, PC_RSS, PC_VSZ, PC_STAT, PC_STATE, PC_PCPU, PC_PMEM, PC_C,
	PC_NLWP, PC_NI,
};

struct procs_fmt {
	size_t n;
	enum procs_col col[PROCS_MAX_COLS];
	const char *title[PROCS_MAX_COLS]; /* static strings */
};

/*
 * Turn ps options (argv without "ps") into columns. Understood: no options
 * (as -ef), UNIX -e -A -f -o LIST (also -eo, -ef...), BSD a u x w and o LIST.
 * Returns 0, or -1 for anything else (the caller runs the image's ps). Pure.
 */
int procs_columns(char *const *args, size_t n, struct procs_fmt *out);

/*
 * Serve the request on conn: when x's options are understood, write the
 * table as one STDOUT frame and EXIT 0, and end the process; otherwise
 * return (the caller execs x->argv, i.e. the image's ps).
 */
void procs_serve(int conn, const struct cfg *x);

#endif
