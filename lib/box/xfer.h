/*
 * The host end of `cp` requests on a box's exec port (include/a3s/proto.h:
 * STAT_REQ, ARCHIVE_GET, ARCHIVE_PUT; docs/cp.md), through the box's
 * vsock device socket. Every wait is bounded (XFER_IDLE_MS without a byte
 * moving ends the transfer): the guest is untrusted and may stall.
 */
#ifndef A3S_BOX_XFER_H
#define A3S_BOX_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "box/frame.h"
#include "util/err.h"

#define XFER_IDLE_MS 60000

struct xfer_stat {
	char *name;
	unsigned mode; /* st_mode */
	long long size, mtime;
	char *link; /* symlink target, or NULL */
};

void xfer_stat_release(struct xfer_stat *st);

/*
 * Stat path in the box. Returns 0, or -1 with e; a path the guest cannot
 * find is ERR_NOT_FOUND with e->errnum ENOENT (or ENOTDIR).
 */
int xfer_stat(const char *vsock_path, const char *path, struct xfer_stat *st, struct err *e);

/* An ARCHIVE_GET in progress. */
struct xfer_get {
	int fd;
	struct frame_reader rd;
	struct xfer_stat st; /* of the source, from the guest's STAT */
	uint8_t *data; /* tar bytes received, not yet handed out */
	size_t len, cap;
	bool have_stat, exited, handed; /* handed: data was given out by the last read */
	int code;
	char *message;
	long long total; /* tar bytes handed out */
	struct err *e;
};

/*
 * Ask for a tar of path whose top entry is named name; returns once the
 * guest's STAT of the source is in (g->st), or -1 with e (ERR_NOT_FOUND when
 * the source does not exist).
 */
int xfer_get_open(struct xfer_get *g, const char *vsock_path, const char *path, const char *name, struct err *e);
/*
 * The next tar bytes: returns their count with *p pointing at them (valid
 * until the next call), 0 at the end of the archive, -1 with e.
 */
ssize_t xfer_get_read(struct xfer_get *g, const void **p, struct err *e);
void xfer_get_close(struct xfer_get *g);

/*
 * ARCHIVE_PUT: open a request to extract a tar into the directory path
 * (keep_owner: the entries' uid/gid, otherwise root). Returns the
 * connection, or -1 with e.
 */
int xfer_put_open(const char *vsock_path, const char *path, bool keep_owner, struct err *e);
/* Send tar bytes. 0, or -1 with e (the guest's reason when it refused). */
int xfer_put_write(int fd, const void *p, size_t n, struct err *e);
/* End the archive and wait for the guest's answer; closes fd. 0 or -1 with e. */
int xfer_put_finish(int fd, struct err *e);

#endif
