/*
 * The guest's vsock services (include/a3s/proto.h, docs/guest-protocol.md):
 * exec (A3S_VSOCK_PORT_EXEC), exec with a terminal (A3S_VSOCK_PORT_PTY) and
 * the attestation status (A3S_VSOCK_PORT_ATTEST). PID 1 listens and
 * accepts; each connection is served by a process of its own, so a slow or
 * hostile peer can only stall itself.
 */
#ifndef A3S_GUEST_VSRV_H
#define A3S_GUEST_VSRV_H

#include <stddef.h>

#include "cfg.h"
#include "loop.h"

struct vsrv {
	int fds[3]; /* listening sockets, -1 where the port could not be opened */
	int ports[3];
	size_t n; /* how many are open (packed at the front) */
	const struct cfg *box; /* the main process's config: exec defaults */
	int sigfd; /* the SIGCHLD signalfd, for the serving processes */
};

/*
 * Listen on the three ports. A guest without a vsock device serves none
 * (logged, not an error). box must outlive the services.
 */
void vsrv_listen(struct vsrv *v, const struct cfg *box, int sigfd);

/* loop_hooks.on_listen: accept one connection and fork its server. */
void vsrv_accept(int lfd, void *arg);

#endif
