/*
 * Path rules of `cp` (docs/cp.md), as docker's archive package has them:
 * a trailing "/" or "/." is meaningful and kept through cleaning.
 * All pure; returned strings are the caller's.
 */
#ifndef A3S_BOX_CPPATH_H
#define A3S_BOX_CPPATH_H

#include <stdbool.h>

/* Lexical cleaning (Go's filepath.Clean): "" becomes ".". */
char *cp_path_clean(const char *p);
/* The last element (Go's filepath.Base): "/a/b/" -> "b", "/" -> "/". */
char *cp_path_base(const char *p);
/* All but the last element, cleaned (Go's filepath.Dir). */
char *cp_path_dir(const char *p);
bool cp_path_trailing_sep(const char *p);
/* Does p name "." as its last element ("/a/." or "/a/./")? */
bool cp_path_current_dir(const char *p);
/* Must p be a directory (trailing "/" or "/.")? */
bool cp_path_asserts_dir(const char *p);
/* Clean p, then put back a trailing "/." or "/" that p had. */
char *cp_path_norm(const char *p);
/* docker's SplitPathDirEntry: "/a/b/." -> ("/a/b", "."), "/a/b/" -> ("/a", "b"). */
void cp_path_split(const char *p, char **dir, char **base);
/* p joined to dir when relative, cleaned (relative link targets). */
char *cp_path_join(const char *dir, const char *p);
/*
 * docker's GetRebaseName: resolved gets p's trailing "/." or "/", and
 * *rebase is p's base name when the resolution changed it (else NULL).
 */
char *cp_path_rebase_name(const char *p, const char *resolved, char **rebase);

#endif
