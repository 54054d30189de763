/* A small QMP client over a connected stream socket (QEMU's -mon mode=control). */
#ifndef A3S_VMM_QMP_H
#define A3S_VMM_QMP_H

#include <jansson.h>

#include "util/err.h"

/* Read the greeting and negotiate capabilities; waits at most timeout_ms. */
int qmp_handshake(int fd, int timeout_ms, struct err *e);
/*
 * Run one command (args may be NULL) and wait at most timeout_ms for its
 * reply, skipping asynchronous events. On success *ret (if not NULL) owns the
 * "return" member. A QMP error reply becomes an error with QEMU's desc.
 */
int qmp_execute(int fd, const char *command, json_t *args, json_t **ret, int timeout_ms, struct err *e);
/* Fire-and-forget: capabilities + quit, without reading (for teardown). */
void qmp_quit_nowait(int fd);

#endif
