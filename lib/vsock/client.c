/* Host side of the hybrid-vsock handshake. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/io.h"
#include "vsock/vsock.h"

int vsock_parse_connect(const char *line, size_t n, uint32_t *port)
{
	static const char verb[] = "CONNECT ";
	uint64_t v = 0;
	size_t i = sizeof(verb) - 1;
	if (n <= i || memcmp(line, verb, i))
		return -1;
	if (n - i > 10)
		return -1;
	for (; i < n; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	if (v > 0xffffffffull)
		return -1;
	*port = (uint32_t)v;
	return 0;
}

int vsock_connect(const char *uds_path, uint32_t port, int timeout_ms, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char req[32], resp[32];
	size_t got = 0;
	long long end = io_now_ms() + timeout_ms;
	int fd, n;
	if (strlen(uds_path) >= sizeof(sa.sun_path))
		return err_set(e, "vsock socket path '%s' is too long", uds_path);
	memcpy(sa.sun_path, uds_path, strlen(uds_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "creating a socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int en = errno;
		close(fd);
		return err_sys(e, en, "connecting to the box's vsock socket '%s'", uds_path);
	}
	n = snprintf(req, sizeof(req), "CONNECT %u\n", port);
	if (io_write_all(fd, req, (size_t)n) < 0) {
		int en = errno;
		close(fd);
		return err_sys(e, en, "connecting to guest port %u", port);
	}
	/* read the answer byte by byte: what follows it belongs to the caller */
	while (got < sizeof(resp) - 1) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = end - io_now_ms();
		ssize_t r;
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			close(fd);
			return err_set(e, "guest port %u did not answer within %d ms", port, timeout_ms);
		}
		r = read(fd, resp + got, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return err_set(e, "guest port %u refused the connection (nothing listens there?)", port);
		}
		if (resp[got++] == '\n')
			break;
	}
	resp[got] = 0;
	if (strncmp(resp, "OK ", 3) || resp[got - 1] != '\n') {
		close(fd);
		return err_set(e, "unexpected answer from the vsock device for guest port %u", port);
	}
	return fd;
}
