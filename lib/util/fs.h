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
/*
 * A name for the Unix socket at path that fits sockaddr_un (with
 * FS_SOCK_SUFFIX_ROOM to spare): path itself when short enough, else "/proc/self/fd/N/<base>" through an O_PATH
 * descriptor of its directory, returned in *dirfd (-1 when not needed; the
 * caller closes it once done with the name, and must keep it open while the
 * name is used). NULL with e set if the directory cannot be opened.
 */
char *fs_sock_path(const char *path, int *dirfd, struct err *e);
/* Room fs_sock_path() leaves for a suffix ("_<port>", as hybrid vsock
 * names the guest's connections). */
#define FS_SOCK_SUFFIX_ROOM 12
int fs_exists(const char *path);

#endif
