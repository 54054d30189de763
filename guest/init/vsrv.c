#include "vsrv.h"

#include <errno.h>
#include <linux/vm_sockets.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "exec.h"
#include "log.h"

static int listen_port(unsigned port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

void vsrv_listen(struct vsrv *v, const struct cfg *box, int sigfd)
{
	static const int ports[] = { A3S_VSOCK_PORT_EXEC, A3S_VSOCK_PORT_PTY,
				     A3S_VSOCK_PORT_ATTEST };

	v->n = 0;
	v->box = box;
	v->sigfd = sigfd;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		int fd = listen_port((unsigned)ports[i]);

		if (fd < 0) {
			log_dbg("vsock port %d: %m (no exec service)", ports[i]);
			continue;
		}
		v->fds[v->n] = fd;
		v->ports[v->n++] = ports[i];
	}
}

/* In the serving process: close everything PID 1 holds except conn and sigfd. */
static void close_others(int conn, int sigfd)
{
	int keep[2] = { conn < sigfd ? conn : sigfd, conn < sigfd ? sigfd : conn };
	int from = 3;

	for (int i = 0; i < 2; i++) {
		if (keep[i] > from)
			close_range((unsigned)from, (unsigned)keep[i] - 1, 0);
		if (keep[i] >= from)
			from = keep[i] + 1;
	}
	close_range((unsigned)from, ~0u, 0);
}

void vsrv_accept(int lfd, void *arg)
{
	struct vsrv *v = arg;
	int port = -1, conn;
	pid_t pid;

	for (size_t i = 0; i < v->n; i++)
		if (v->fds[i] == lfd)
			port = v->ports[i];
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_err("vsock port %d: accept: %m", port);
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_err("vsock port %d: fork: %m", port);
		close(conn);
		return;
	}
	if (pid > 0) {
		close(conn);
		return;
	}
	close_others(conn, v->sigfd);
	if (port == A3S_VSOCK_PORT_ATTEST)
		attest_serve(conn);
	exec_serve(conn, port == A3S_VSOCK_PORT_PTY, v->box, v->sigfd);
}
