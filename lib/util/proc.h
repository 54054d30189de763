/* Running helper programs (mkfs.erofs, mkfs.ext4, ...). */
#ifndef A3S_UTIL_PROC_H
#define A3S_UTIL_PROC_H

#include "util/err.h"

/* The full path of prog: itself when it holds a '/', else searched in
 * $PATH (a default when unset). NULL when it is not an executable. */
char *proc_find(const char *prog);
/*
 * Run argv (argv[0] a path) with stdin from /dev/null and wait for it. Its
 * stdout and stderr are collected; when it fails, the error is
 * "NAME failed (exit status N): <the end of its output on one line>".
 */
int proc_run(char *const argv[], struct err *e);

#endif
