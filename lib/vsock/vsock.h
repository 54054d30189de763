/*
 * The host side of a box's vsock device: a vhost-user-vsock back-end that
 * QEMU's vhost-user-vsock-device talks to over a socketpair, exposing the
 * guest's ports to host programs with Firecracker's "hybrid vsock"
 * convention (docs/vsock.md):
 *
 *  - host -> guest: connect to uds_path, send "CONNECT <port>\n"; the device
 *    asks the guest; on acceptance it answers "OK <hostport>\n" (the host
 *    port it allocated) and the socket then carries the stream; on refusal
 *    or after VSOCK_CONNECT_TIMEOUT_MS the socket is closed.
 *  - guest -> host: a guest connection to CID 2 port P is forwarded to the
 *    Unix socket "<uds_path>_P" (refused with a reset when nobody listens).
 *
 * Streams are full-duplex with half-close (shutdown(2) both ways) and
 * resets; flow control follows the guest's credit, so a guest that stops
 * reading stops the device reading the host socket (bounded memory).
 * The guest is untrusted: see lib/vsock/vring.h.
 */
#ifndef A3S_VSOCK_VSOCK_H
#define A3S_VSOCK_VSOCK_H

#include <stdint.h>

#include "util/err.h"

#define VSOCK_HOST_CID 2
/* How long a host CONNECT waits for the guest's answer. */
#define VSOCK_CONNECT_TIMEOUT_MS 5000
/* Connections (both directions, pending ones included) per device. */
#define VSOCK_MAX_CONNS 1024
/* The receive buffer each connection advertises to the guest (buf_alloc). */
#define VSOCK_BUF_ALLOC (256u * 1024)

struct vsock_dev;

struct vsock_dev_config {
	uint64_t guest_cid; /* e.g. 3 */
	/*
	 * Hybrid-vsock Unix socket; created (bound and listening, mode 0600) by
	 * start, removed by stop. Keep it in a directory only its owner can
	 * enter (0700): the socket is the box's control entry point.
	 */
	const char *uds_path;
	/*
	 * Our end of a socketpair; QEMU gets the other (vm_config.vsock_fd).
	 * Owned by the device from a successful start on.
	 */
	int vhost_fd;
};

/*
 * Run the device in its own thread. Returns once the listener exists. On
 * failure nothing is left behind (the caller still owns vhost_fd). Set
 * A3S_BOX_VSOCK_TRACE=1 to log the vhost-user messages on stderr.
 */
int vsock_dev_start(struct vsock_dev **out, const struct vsock_dev_config *cfg, struct err *e);
/*
 * Reset every connection (host sockets are closed), close vhost_fd, unlink
 * uds_path, join the thread and free. Safe on NULL.
 */
void vsock_dev_stop(struct vsock_dev *d);

/*
 * Host client: connect to uds_path, send "CONNECT <port>\n", expect
 * "OK <n>\n" within timeout_ms; returns the connected fd (blocking,
 * CLOEXEC), or -1 with e filled (refused, timed out, no such socket).
 */
int vsock_connect(const char *uds_path, uint32_t port, int timeout_ms, struct err *e);

/* Parse "CONNECT <port>" (line without its '\n'); 0 or -1. */
int vsock_parse_connect(const char *line, size_t n, uint32_t *port);

#endif
