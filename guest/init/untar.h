/*
 * Extracting a tar stream (parsed by tar.h) below a directory, as `cp` into
 * a box does (docs/cp.md). Every entry is created relative to the
 * destination's fd, one path component at a time with O_NOFOLLOW: an
 * entry can neither name a path outside the destination nor reach one
 * through a symlink (one already there, or one an earlier entry made).
 * Docker's rules: missing parent directories are made (0755); a directory
 * is never replaced by a non-directory nor the reverse; other existing
 * entries are replaced; a relative symlink may not point out of the
 * destination; hard links must name an entry inside it.
 */
#ifndef A3S_GUEST_UNTAR_H
#define A3S_GUEST_UNTAR_H

#include <stddef.h>
#include <stdint.h>

#include "tar.h"
#include "util.h"

struct untar_dir {
	char *name;
	int64_t mtime;
};

struct untar {
	int root; /* the destination directory (borrowed) */
	int keep_owner; /* 1: the entries' uid/gid; 0: root's */
	int fd; /* the file being written, or -1 */
	uint64_t left; /* its bytes still to come */
	struct tar_entry meta; /* its metadata (name and link unused) */
	char *name; /* its cleaned name, for messages */
	struct untar_dir *dirs; /* directory times, set at the end */
	size_t ndirs;
	struct ierr err;
};

void untar_init(struct untar *u, int root, int keep_owner);
/* The tar_sink callbacks: 0, or -1 with u->err set. */
int untar_entry(void *arg, const struct tar_entry *e);
int untar_data(void *arg, const uint8_t *p, size_t n);
extern const struct tar_sink untar_sink;
/* The stream ended: finish the last file, set directory times. 0 or -1. */
int untar_finish(struct untar *u);
void untar_release(struct untar *u);

/*
 * Does a symlink at name (cleaned, relative) pointing to target stay inside
 * the directory it is extracted to? Docker's rule: the target, taken as
 * relative to the link's directory even when absolute, must not climb out
 * of it. Pure.
 */
int untar_link_inside(const char *name, const char *target);

#endif
