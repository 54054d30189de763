#include "loop.h"
#include "stats.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "log.h"

/* one read from an output pipe, one frame */
#define CHUNK (256 * 1024)
/* stop reading the control stream while this much stdin waits for the workload */
#define STDIN_HIGH (8u * 1024 * 1024)
/* how long output may take to reach EOF once the workload has exited */
#define DRAIN_MS 2000

struct state {
	struct ctl *c;
	struct workload *w;
	const struct loop_hooks *h;
	int exited, status;
	uint64_t drain_deadline;
	char chunk[CHUNK];
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void on_workload_exit(struct state *s, int status)
{
	s->exited = 1;
	s->status = status;
	log_dbg("process %d exited, status 0x%x", (int)s->w->pid, status);
	/* the main process: whatever it left behind goes too, so its pipes
	 * reach EOF; an exec'd process's children live on, as in docker */
	if (s->h->kill_all)
		kill(-1, SIGKILL);
	close_fd(&s->w->in_fd);
	bbuf_release(&s->c->in);
	s->drain_deadline = now_ms() + DRAIN_MS;
}

static void reap(struct state *s, int sigfd)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == s->w->pid && !s->exited)
			on_workload_exit(s, status);
}

static void on_frame(struct state *s, const struct frame *f)
{
	uint32_t signo;

	switch (f->type) {
	case A3S_FRAME_STDIN:
		if (s->w->in_fd >= 0)
			ctl_stdin(s->c, f);
		break;
	case A3S_FRAME_SIGNAL:
		if (f->len < 4 || s->exited)
			break;
		memcpy(&signo, f->payload, 4);
		signo = a3s_le32(signo);
		if (signo > 0 && signo < NSIG && kill(s->w->pid, (int)signo) < 0)
			log_err("delivering signal %u: %m", signo);
		break;
	case A3S_FRAME_RESIZE: {
		uint16_t rc[2];

		if (f->len < 4 || s->exited)
			break;
		memcpy(rc, f->payload, 4);
		workload_resize(s->w->tty_fd, a3s_le16(rc[0]), a3s_le16(rc[1]));
		break;
	}
	case A3S_FRAME_STATS_REQ: {
		char text[512];
		size_t n = stats_collect(text, sizeof(text));
		if (frame_write(s->c->fd, A3S_FRAME_STATS, text, n) < 0)
			log_err("sending stats: %m");
		break;
	}
	default:
		break; /* nothing else is meant for us now */
	}
}

/* Move queued stdin into the pipe as far as it takes it. */
static void feed_stdin(struct state *s)
{
	struct bbuf *q = &s->c->in;

	while (q->len) {
		ssize_t n = write(s->w->in_fd, bbuf_data(q), q->len < CHUNK ? q->len : CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* EPIPE: the workload closed its stdin; the rest is dropped */
			bbuf_release(q);
			close_fd(&s->w->in_fd);
			return;
		}
		bbuf_consume(q, (size_t)n);
	}
	if (s->c->in_eof)
		close_fd(&s->w->in_fd);
}

/* Forward one read of an output pipe. Returns -1 if the control stream broke. */
static int forward(struct state *s, int *fd, uint8_t type)
{
	ssize_t n = read(*fd, s->chunk, sizeof(s->chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(fd);
		return 0;
	}
	return frame_write(s->c->fd, type, s->chunk, (size_t)n);
}

static int broken(struct state *s, const char *what)
{
	if (s->h->kill_all) {
		log_err("control stream %s; stopping the workload", what);
		kill(-1, SIGKILL);
	} else {
		log_dbg("exec stream %s; process %d left running", what, (int)s->w->pid);
	}
	return -1;
}

int loop_run(struct ctl *c, struct workload *w, int sigfd, const struct loop_hooks *h)
{
	static struct state st;
	struct state *s = &st;
	struct frame f;

	s->c = c;
	s->w = w;
	s->h = h;
	for (;;) {
		struct pollfd p[5 + LOOP_MAX_LISTEN];
		int np = 0, r, timeout = -1;
		int ip = -1, ic = -1, io = -1, ie = -1, il = -1;

		/* frames that came with an earlier read (or during start-up) */
		while ((r = frame_reader_next(&c->rd, &f)) > 0)
			on_frame(s, &f);
		if (r < 0)
			return broken(s, "is corrupt");
		if (w->in_fd >= 0)
			feed_stdin(s);

		if (s->exited) {
			uint64_t now = now_ms();

			if (w->out_fd < 0 && w->err_fd < 0)
				break;
			if (now >= s->drain_deadline) {
				log_err("workload output still open %d ms after exit", DRAIN_MS);
				break;
			}
			timeout = (int)(s->drain_deadline - now);
		}

		p[np] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		np++;
		if (c->in.len < STDIN_HIGH) {
			ic = np;
			p[np++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		}
		if (w->out_fd >= 0) {
			io = np;
			p[np++] = (struct pollfd){ .fd = w->out_fd, .events = POLLIN };
		}
		if (w->err_fd >= 0) {
			ie = np;
			p[np++] = (struct pollfd){ .fd = w->err_fd, .events = POLLIN };
		}
		if (w->in_fd >= 0 && c->in.len) {
			ip = np;
			p[np++] = (struct pollfd){ .fd = w->in_fd, .events = POLLOUT };
		}
		if (!s->exited && h->nlisten) {
			il = np;
			for (size_t i = 0; i < h->nlisten; i++)
				p[np++] = (struct pollfd){ .fd = h->listen_fds[i], .events = POLLIN };
		}
		r = poll(p, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR)
			return broken(s, "poll failed");
		if (r <= 0)
			continue;

		if (p[0].revents)
			reap(s, sigfd);
		/* output before input: the host sees what happened before EOF */
		if (io >= 0 && p[io].revents && forward(s, &w->out_fd, A3S_FRAME_STDOUT) < 0)
			return broken(s, "write failed");
		if (ie >= 0 && p[ie].revents && forward(s, &w->err_fd, A3S_FRAME_STDERR) < 0)
			return broken(s, "write failed");
		if (ic >= 0 && p[ic].revents && frame_reader_fill(&c->rd) <= 0)
			return broken(s, "closed");
		if (ip >= 0 && p[ip].revents & (POLLERR | POLLHUP)) {
			bbuf_release(&c->in);
			close_fd(&w->in_fd);
		}
		for (size_t i = 0; il >= 0 && i < h->nlisten; i++)
			if (p[il + (int)i].revents)
				h->on_listen(h->listen_fds[i], h->arg);
	}
	close_fd(&w->out_fd);
	close_fd(&w->err_fd);
	w->tty_fd = -1; /* was out_fd */
	if (WIFSIGNALED(s->status))
		return 128 + WTERMSIG(s->status);
	return WEXITSTATUS(s->status);
}
