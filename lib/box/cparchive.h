/*
 * The host end of `cp` archives (docs/cp.md), with libarchive: a tar of a
 * host path to send into a box, and the extraction of a box's tar (which
 * is untrusted: the guest may send anything) below a host directory.
 */
#ifndef A3S_BOX_CPARCHIVE_H
#define A3S_BOX_CPARCHIVE_H

#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

/* Receives tar bytes; 0 or -1 with e. */
typedef int (*cp_write_fn)(void *arg, const void *p, size_t n, struct err *e);
/* Supplies tar bytes: their count (and *p), 0 at the end, -1 with e. */
typedef ssize_t (*cp_read_fn)(void *arg, const void **p, struct err *e);

/*
 * Write a tar of the host path src (a symlink is archived as itself), its
 * top entry named top ("." or a base name; a directory's entries follow as
 * "top/..."). Sockets are left out, as docker does.
 */
int cp_tar_host(const char *src, const char *top, cp_write_fn fn, void *arg, struct err *e);

/*
 * Extract a tar stream below the directory dir. An entry whose first
 * component is from is renamed to start with to (from NULL: no renaming).
 * Refused: names with ".." or absolute ones, anything reached through a
 * symlink, relative symlinks that lead out of dir (docker's rule), a
 * directory replacing a non-directory or the reverse, device nodes (unlike
 * docker: the archive comes from an untrusted guest). Owners are not
 * restored (files belong to the caller, as docker's); modes and times are.
 */
int cp_untar_host(cp_read_fn fn, void *arg, const char *dir, const char *from, const char *to, struct err *e);

/*
 * Rewrite a compressed tar (gzip, bzip2, xz, zstd...) read through fn as a
 * plain pax tar written to out: the guest reads plain tar only, docker's
 * `cp -` takes compressed ones. Entries pass unchanged (sparse files are
 * written whole); the guest checks them. 0 or -1 with e.
 */
int cp_retar(cp_read_fn fn, void *arg, cp_write_fn out, void *out_arg, struct err *e);

/* Do these first bytes start a compressed stream (a known magic)? Pure. */
int cp_is_compressed(const unsigned char *p, size_t n);

/* Docker's check for a symlink at name (cleaned, relative) to target. Pure. */
int cp_link_inside(const char *name, const char *target);

#endif
