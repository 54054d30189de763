#include "maint.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "log.h"

/* What the host sent: 1 when it asks to stop (or is gone), 0 otherwise. */
static int control(struct ctl *c)
{
	struct frame f;
	int r;

	if (frame_reader_fill(&c->rd) <= 0)
		return 1;
	while ((r = frame_reader_next(&c->rd, &f)) > 0)
		if (f.type == A3S_FRAME_SIGNAL)
			return 1;
	return r < 0;
}

int maint_run(struct ctl *c, struct vsrv *v, int sigfd)
{
	log_dbg("maintenance boot: serving %zu vsock ports, no workload", v->n);
	for (;;) {
		struct pollfd p[2 + LOOP_MAX_LISTEN];
		struct signalfd_siginfo si;
		nfds_t np = 0;

		p[np++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (size_t i = 0; i < v->n; i++)
			p[np++] = (struct pollfd){ .fd = v->fds[i], .events = POLLIN };
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("maintenance boot: poll: %m");
			return 125;
		}
		if (p[0].revents && control(c))
			return 0;
		if (p[1].revents & POLLIN) {
			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				;
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		}
		for (nfds_t i = 2; i < np; i++)
			if (p[i].revents & POLLIN)
				vsrv_accept(p[i].fd, v);
	}
}
