/* Small filesystem helpers. All return -1 and fill e on failure. */
#ifndef A3S_UTIL_FS_H
#define A3S_UTIL_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

int fs_mkdir_p(const char *path, mode_t mode, struct err *e);
/* Remove a tree without following symlinks; a missing path is success. */
int fs_rmtree(const char *path, struct err *e);
/* Read a whole file (at most max bytes, else error); NUL-terminated. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len, struct err *e);
/* Write a file atomically (temp in the same dir, fsync, rename). */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *e);
/* Copy a file keeping holes (sparse); dst must not exist. */
int fs_copy_sparse(const char *src, const char *dst, struct err *e);
/* Directory of the running executable (from /proc/self/exe); caller frees. */
char *fs_exe_dir(void);
int fs_exists(const char *path);

#endif
