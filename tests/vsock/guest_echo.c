/*
 * Test guest for the vsock device (tests/integration/test_vsock.py): a
 * static PID 1 that serves AF_VSOCK ports, one process per connection.
 *
 *   5000 echo          everything back until EOF
 *   5001 source        reads "N\n", sends N pattern bytes, closes
 *   5002 sink          reads to EOF, checks the pattern, answers "OK n" or "BAD off"
 *   5003 control       "connect P N\n": connects to host port P, sends N pattern
 *                      bytes, half-closes, answers "DONE <reply>" with the
 *                      host's reply (or "FAIL errno"); "poweroff\n" ends the VM
 *   5004 stall         accepts and never reads
 *
 * The pattern is a 1000003-byte block of an LCG, repeated (a prime length,
 * so a lost or repeated packet shows up as a mismatch).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define PLEN 1000003
static unsigned char pat[PLEN];

static void mkpattern(void)
{
	uint32_t x = 12345;
	for (int i = 0; i < PLEN; i++) {
		x = x * 1103515245u + 12345u;
		pat[i] = (unsigned char)(x >> 16);
	}
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_pattern(int fd, unsigned long long n)
{
	unsigned long long off = 0;
	while (off < n) {
		size_t at = (size_t)(off % PLEN), c = PLEN - at;
		if (c > n - off)
			c = (size_t)(n - off);
		if (write_all(fd, pat + at, c) < 0)
			return -1;
		off += c;
	}
	return 0;
}

static int read_line(int fd, char *buf, size_t max)
{
	size_t n = 0;
	while (n + 1 < max) {
		ssize_t r = read(fd, buf + n, 1);
		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return (int)n;
}

static void echo(int fd)
{
	static char buf[65536];
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)r) < 0)
			return;
}

static void source(int fd)
{
	char line[64];
	if (read_line(fd, line, sizeof(line)) < 0)
		return;
	send_pattern(fd, strtoull(line, NULL, 10));
}

static void sink(int fd)
{
	static unsigned char buf[65536];
	unsigned long long off = 0, bad = ~0ull;
	ssize_t r;
	char out[64];
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r && bad == ~0ull;) {
			size_t at = (size_t)((off + (unsigned long long)i) % PLEN), c = PLEN - at;
			if (c > (size_t)(r - i))
				c = (size_t)(r - i);
			if (memcmp(buf + i, pat + at, c))
				bad = off + (unsigned long long)i;
			i += (ssize_t)c;
		}
		off += (unsigned long long)r;
	}
	if (bad == ~0ull)
		snprintf(out, sizeof(out), "OK %llu\n", off);
	else
		snprintf(out, sizeof(out), "BAD %llu\n", bad);
	write_all(fd, out, strlen(out));
}

static void control(int fd)
{
	char line[128], reply[128], out[300];
	unsigned port;
	unsigned long long n;
	while (read_line(fd, line, sizeof(line)) >= 0) {
		if (!strcmp(line, "poweroff")) {
			sync();
			reboot(RB_AUTOBOOT); /* reboot=t -no-reboot: QEMU exits */
		}
		if (sscanf(line, "connect %u %llu", &port, &n) == 2) {
			struct sockaddr_vm sa = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_HOST, .svm_port = port};
			int s = socket(AF_VSOCK, SOCK_STREAM, 0);
			ssize_t r = 0, got = 0;
			if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
				snprintf(out, sizeof(out), "FAIL %d\n", errno);
			} else {
				send_pattern(s, n);
				shutdown(s, SHUT_WR);
				while (got < (ssize_t)sizeof(reply) - 1 &&
				       (r = read(s, reply + got, sizeof(reply) - 1 - (size_t)got)) > 0)
					got += r;
				reply[got] = 0;
				reply[strcspn(reply, "\n")] = 0;
				snprintf(out, sizeof(out), "DONE %s\n", reply);
			}
			if (s >= 0)
				close(s);
			write_all(fd, out, strlen(out));
		}
	}
}

static int listener(unsigned port)
{
	struct sockaddr_vm sa = {.svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port};
	int s = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0) {
		printf("guest_echo: port %u: %s\n", port, strerror(errno));
		return -1;
	}
	return s;
}

int main(void)
{
	static const unsigned ports[] = {5000, 5001, 5002, 5003, 5004};
	void (*serve[])(int) = {echo, source, sink, control, NULL};
	int fds[5];
	signal(SIGCHLD, SIG_IGN); /* PID 1: children reap themselves */
	mkpattern();
	for (int i = 0; i < 5; i++)
		fds[i] = listener(ports[i]);
	printf("guest_echo: ready\n");
	fflush(stdout);
	for (;;) {
		fd_set set;
		int max = -1;
		FD_ZERO(&set);
		for (int i = 0; i < 5; i++)
			if (fds[i] >= 0) {
				FD_SET(fds[i], &set);
				max = fds[i] > max ? fds[i] : max;
			}
		if (select(max + 1, &set, NULL, NULL, NULL) < 0)
			continue;
		for (int i = 0; i < 5; i++) {
			int c;
			if (fds[i] < 0 || !FD_ISSET(fds[i], &set))
				continue;
			c = accept(fds[i], NULL, NULL);
			if (c < 0)
				continue;
			if (fork() == 0) {
				for (int j = 0; j < 5; j++)
					close(fds[j]);
				if (serve[i])
					serve[i](c);
				else
					pause();
				close(c);
				_exit(0);
			}
			close(c);
		}
	}
}
