#include "box/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/frame.h"
#include "util/io.h"
#include "util/term.h"
#include "util/xalloc.h"

/* stop reading stdin while this much waits to go out */
#define OUT_HIGH (1024 * 1024)

struct st {
	const struct stream_opts *o;
	struct stream_result *res;
	struct frame_reader rd;
	struct frame_queue out;
	bool exited, started, out_broken, err_broken;
	bool stop_after_start;
	struct err *e;
};

static void queue(struct st *s, uint8_t type, const void *p, uint32_t len)
{
	frame_queue_push(&s->out, type, p, len);
}

int stream_send_frame(int fd, uint8_t type, const void *p, uint32_t len)
{
	uint8_t h[sizeof(struct a3s_frame_hdr)];
	frame_hdr_encode(type, len, h);
	if (io_write_all(fd, h, sizeof(h)) < 0)
		return -1;
	return len ? io_write_all(fd, p, len) : 0;
}

static void send_size(struct st *s)
{
	unsigned short rc[2];
	if (s->o->tty_fd < 0 || !term_size(s->o->tty_fd, &rc[0], &rc[1]))
		return;
	rc[0] = a3s_le16(rc[0]);
	rc[1] = a3s_le16(rc[1]);
	queue(s, A3S_FRAME_RESIZE, rc, sizeof(rc));
}

static void write_out(struct st *s, int stream, const uint8_t *p, uint32_t len)
{
	bool *broken = stream == 1 ? &s->out_broken : &s->err_broken;
	if (s->o->output) {
		s->o->output(s->o->arg, stream, p, len);
		return;
	}
	/* a closed stdout (`| head`) must not end the process early */
	if (!*broken && io_write_all(stream == 1 ? s->o->out_fd : s->o->err_fd, p, len) < 0)
		*broken = true;
}

static int on_frame(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	struct st *s = arg;
	uint32_t v;
	switch (type) {
	case A3S_FRAME_STARTED:
		if (len < 4 || s->started)
			return err_set(s->e, "%s sent a malformed STARTED frame", s->o->peer);
		memcpy(&v, p, 4);
		s->res->pid = a3s_le32(v);
		s->started = true;
		return s->stop_after_start ? 1 : 0;
	case A3S_FRAME_STDOUT:
	case A3S_FRAME_STDERR:
		write_out(s, type == A3S_FRAME_STDOUT ? 1 : 2, p, len);
		return 0;
	case A3S_FRAME_EXIT:
		if (len < 4)
			return err_set(s->e, "%s sent a malformed EXIT frame", s->o->peer);
		memcpy(&v, p, 4);
		s->res->exit_code = (int)(a3s_le32(v) & 0xff);
		if (len > 4)
			s->res->message = xstrndup((const char *)p + 4, len - 4 > 4096 ? 4096 : len - 4);
		s->exited = true;
		return 1;
	}
	return err_set(s->e, "%s sent an unexpected frame (type %u)", s->o->peer, type);
}

static void signal_set(const struct stream_opts *o, sigset_t *set)
{
	sigemptyset(set);
	if (o->tty_fd >= 0)
		sigaddset(set, SIGWINCH);
	if (o->proxy_signals) {
		sigaddset(set, SIGINT);
		sigaddset(set, SIGTERM);
		sigaddset(set, SIGHUP);
		sigaddset(set, SIGQUIT);
		sigaddset(set, SIGUSR1);
		sigaddset(set, SIGUSR2);
	}
}

static int loop(struct st *s, int fd, int sigfd)
{
	const struct stream_opts *o = s->o;
	long long deadline = o->timeout_ms ? io_now_ms() + o->timeout_ms : 0;
	int in_fd = o->in_fd;
	uint8_t *buf = xmalloc(64 * 1024);
	int rc = -1;

	for (;;) {
		struct pollfd p[3];
		int np = 0, ifd, iin = -1, isig = -1, wait = -1, r;
		if (deadline) {
			long long now = io_now_ms();
			if (now >= deadline) {
				err_set(s->e, "timed out after %d ms", o->timeout_ms);
				goto out;
			}
			wait = (int)(deadline - now);
		}
		ifd = np;
		p[np++] = (struct pollfd){.fd = fd, .events = POLLIN | (s->out.len ? POLLOUT : 0)};
		if (in_fd >= 0 && s->out.len < OUT_HIGH && (s->started || !o->started)) {
			iin = np;
			p[np++] = (struct pollfd){.fd = in_fd, .events = POLLIN};
		}
		if (sigfd >= 0) {
			isig = np;
			p[np++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		}
		if (poll(p, (nfds_t)np, wait) < 0) {
			if (errno == EINTR)
				continue;
			err_sys(s->e, errno, "waiting for the %s", o->peer);
			goto out;
		}
		if (p[ifd].revents & POLLOUT)
			(void)frame_queue_flush(&s->out, fd); /* a peer gone shows when reading */
		if (p[ifd].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(fd, buf, 64 * 1024);
			if (n > 0) {
				r = frame_reader_feed(&s->rd, buf, (size_t)n, on_frame, s, s->e);
				if (r < 0)
					goto out;
				if (r > 0) {
					rc = s->exited ? STREAM_EXITED : STREAM_STARTED;
					goto out;
				}
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				err_set(s->e, "the connection to the %s closed before the process exited", o->peer);
				goto out;
			}
		}
		if (iin >= 0 && (p[iin].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(in_fd, buf, DETACH_KEYS_BUF);
			if (n > 0) {
				size_t keep = (size_t)n;
				if (o->keys && detach_keys_feed(o->keys, buf, (size_t)n, &keep)) {
					if (keep)
						queue(s, A3S_FRAME_STDIN, buf, (uint32_t)keep);
					rc = STREAM_DETACHED;
					goto flush;
				}
				if (keep)
					queue(s, A3S_FRAME_STDIN, buf, (uint32_t)keep);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				if (o->stdin_eof)
					queue(s, A3S_FRAME_STDIN, NULL, 0);
				in_fd = -1;
			}
		}
		if (isig >= 0 && (p[isig].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					send_size(s);
				} else {
					uint32_t v = a3s_le32(si.ssi_signo);
					queue(s, A3S_FRAME_SIGNAL, &v, sizeof(v));
				}
			}
		}
	}
flush:
	/* what was typed before the detach keys still goes (best effort) */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (s->out.len)
		(void)io_write_all(fd, s->out.p, s->out.len);
out:
	free(buf);
	return rc;
}

int stream_run(int fd, const struct stream_opts *o, bool detach_after_start, struct stream_result *res,
	       struct err *e)
{
	struct st s = {.o = o, .res = res, .e = e, .stop_after_start = detach_after_start};
	sigset_t set, old;
	int sigfd = -1, rc;

	memset(res, 0, sizeof(*res));
	s.rd.allow = FRAME_BIT(A3S_FRAME_STARTED) | FRAME_BIT(A3S_FRAME_STDOUT) | FRAME_BIT(A3S_FRAME_STDERR) |
		     FRAME_BIT(A3S_FRAME_EXIT);
	s.rd.peer = o->peer;
	signal_set(o, &set);
	if (!sigisemptyset(&set)) {
		sigprocmask(SIG_BLOCK, &set, &old);
		sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	send_size(&s);
	rc = loop(&s, fd, sigfd);
	if (rc < 0 && s.exited)
		rc = STREAM_EXITED;
	if (sigfd >= 0) {
		close(sigfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	frame_reader_release(&s.rd);
	frame_queue_release(&s.out);
	return rc;
}
