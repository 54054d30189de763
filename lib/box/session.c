#include "box/session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "box/frame.h"
#include "util/fs.h"
#include "vmm/qmp.h"
#include "vsock/vsock.h"
#include "util/io.h"
#include "util/xalloc.h"

#define CHUNK (64 * 1024)
#define OUTBUF_HIGH (1024 * 1024)
/* pollfds for session_io.poll_fill */
#define EXTRA_POLL 80
/* the guest's vsock address (host is 2) */
#define GUEST_CID 3

struct session {
	struct vm vm;
	int ctl;
	struct frame_reader rd;
	const struct session_io *io;
	struct frame_queue out; /* pending bytes to the guest */
	bool hello, exited, stdin_open, ctl_eof, qmp_ready;
	int exit_code;
	char *message;
	int signals;
	long long stop_deadline; /* force a stop at this time; 0 = none */
	struct err *e;
};

static void queue(struct session *s, uint8_t type, const void *p, uint32_t len)
{
	frame_queue_push(&s->out, type, p, len);
}

void session_send(struct session *s, uint8_t type, const void *p, uint32_t len)
{
	if (type == A3S_FRAME_SIGNAL && len >= 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		if (a3s_le32(v) == SIGKILL) { /* nothing in the guest can take it: the VM goes */
			s->signals++;
			s->stop_deadline = io_now_ms();
			if (!s->exited)
				s->exit_code = 137;
			return;
		}
	}
	if (s->exited)
		return;
	queue(s, type, p, len);
}

static int on_frame(void *arg, uint8_t type, const uint8_t *p, uint32_t len)
{
	struct session *s = arg;
	uint32_t code;
	switch (type) {
	case A3S_FRAME_HELLO:
		s->hello = true;
		if (s->io->booted)
			s->io->booted(s->io->arg);
		return 0;
	case A3S_FRAME_STDOUT:
	case A3S_FRAME_STDERR:
		if (s->io->output)
			s->io->output(s->io->arg, type == A3S_FRAME_STDOUT ? 1 : 2, p, len);
		else /* a closed stdout (e.g. `| head`) must not stop the box */
			(void)io_write_all(type == A3S_FRAME_STDOUT ? s->io->out_fd : s->io->err_fd, p, len);
		return 0;
	case A3S_FRAME_STATS:
		if (s->io->stats)
			s->io->stats(s->io->arg, (const char *)p, len);
		return 0;
	case A3S_FRAME_EXIT:
		if (len < 4 || s->exited)
			return err_set(s->e, "guest sent a malformed exit frame");
		memcpy(&code, p, 4);
		s->exit_code = (int)(a3s_le32(code) & 0xff);
		if (len > 4) {
			size_t ml = len - 4;
			if (ml > 4096)
				ml = 4096;
			s->message = xstrndup((const char *)p + 4, ml);
		}
		s->exited = true;
		queue(s, A3S_FRAME_ACK, NULL, 0);
		return 0;
	}
	return err_set(s->e, "guest sent an unexpected frame (type %u)", type);
}

/* Last non-empty line of the engine's log, for error messages. */
static char *engine_log_tail(const char *path)
{
	char buf[4096], *last = NULL;
	FILE *f = path ? fopen(path, "re") : NULL;
	if (!f)
		return NULL;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		if (*buf) {
			free(last);
			last = xstrdup(buf);
		}
	}
	fclose(f);
	return last;
}

static int vm_gone_error(struct session *s, const struct vm_config *cfg)
{
	char *tail = engine_log_tail(cfg->engine_log);
	if (!s->hello)
		err_set(s->e, "the VM failed to boot%s%s", tail ? ": " : "", tail ? tail : "");
	else
		err_set(s->e, "the VM stopped before the workload finished%s%s", tail ? ": " : "", tail ? tail : "");
	free(tail);
	return -1;
}

static void forward_signal(struct session *s, int sig)
{
	uint32_t v = a3s_le32((uint32_t)sig);
	s->signals++;
	if (!s->hello || s->signals > 1) {
		/* nothing to forward to yet, or the user insists: stop now */
		s->stop_deadline = io_now_ms();
		if (!s->exited)
			s->exit_code = 128 + sig;
		return;
	}
	queue(s, A3S_FRAME_SIGNAL, &v, sizeof(v));
	s->stop_deadline = io_now_ms() + SESSION_STOP_GRACE_MS;
	s->exit_code = 128 + sig;
}

/* Stop request: the signal now, the VM after timeout_s (0: at once). */
static void request_stop(struct session *s, int sig, int timeout_s)
{
	uint32_t v = a3s_le32((uint32_t)sig);
	s->signals++;
	if (!s->exited)
		s->exit_code = 137; /* what the box ends with if the timeout runs out */
	if (!s->hello || timeout_s <= 0 || sig == SIGKILL) {
		s->stop_deadline = io_now_ms();
		return;
	}
	queue(s, A3S_FRAME_SIGNAL, &v, sizeof(v));
	s->stop_deadline = io_now_ms() + timeout_s * 1000LL;
}

static void pause_vm(struct session *s, bool pause)
{
	struct err e = ERR_INIT;
	if (!s->qmp_ready) {
		if (qmp_handshake(s->vm.qmp_fd, 5000, &e) < 0)
			return;
		s->qmp_ready = true;
	}
	if (qmp_execute(s->vm.qmp_fd, pause ? "stop" : "cont", NULL, NULL, 5000, &e) == 0 && s->io->event)
		s->io->event(s->io->arg, pause ? "paused" : "running");
}

static void monitor_signal(struct session *s, const struct signalfd_siginfo *si)
{
	int value = si->ssi_code == SI_QUEUE ? si->ssi_int : -1;
	switch (si->ssi_signo) {
	case SIGTERM:
		request_stop(s, SIGTERM, value >= 0 ? value : SESSION_STOP_GRACE_MS / 1000);
		break;
	case SIGUSR1:
		if (value <= 0 || value >= 65)
			break;
		if (value == SIGKILL || !s->hello) {
			request_stop(s, SIGKILL, 0);
			s->exit_code = 128 + value;
		} else {
			uint32_t v = a3s_le32((uint32_t)value);
			queue(s, A3S_FRAME_SIGNAL, &v, sizeof(v));
		}
		break;
	case SIGUSR2:
		if (value == 2) {
			if (s->hello && !s->exited)
				queue(s, A3S_FRAME_STATS_REQ, NULL, 0);
		} else {
			pause_vm(s, value != 0);
		}
		break;
	}
}

void session_signals(bool monitor, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	if (monitor) {
		sigaddset(set, SIGUSR1);
		sigaddset(set, SIGUSR2);
	} else {
		sigaddset(set, SIGINT);
		sigaddset(set, SIGHUP);
		sigaddset(set, SIGQUIT);
	}
}

static int loop(struct session *s, const struct vm_config *cfg, int sigfd)
{
	long long boot_deadline = io_now_ms() + SESSION_BOOT_TIMEOUT_MS;
	long long exit_deadline = 0;
	uint8_t *buf = xmalloc(CHUNK);
	int rc = -1;

	for (;;) {
		struct pollfd p[4 + EXTRA_POLL];
		int np = 0, ictl = -1, iin = -1, isig, ipid = -1, iextra, nextra = 0;
		long long t = io_now_ms(), deadline = 0;

		if (s->stop_deadline && t >= s->stop_deadline) {
			vm_stop(&s->vm, 2000);
			if (!s->exited) {
				if (!s->signals) {
					err_set(s->e, "timed out waiting for the guest");
					goto out;
				}
				s->exited = true; /* code already 128+sig */
			}
			rc = 0;
			goto out;
		}
		if (!s->hello && t >= boot_deadline) {
			vm_stop(&s->vm, 0);
			err_set(s->e, "the VM did not start within %d s", SESSION_BOOT_TIMEOUT_MS / 1000);
			goto out;
		}
		if (exit_deadline && t >= exit_deadline) {
			vm_stop(&s->vm, 0);
			rc = 0;
			goto out;
		}
		if (!s->ctl_eof) {
			ictl = np;
			p[np++] = (struct pollfd){.fd = s->ctl, .events = POLLIN | (s->out.len ? POLLOUT : 0)};
		}
		if (s->stdin_open && s->hello && s->out.len < OUTBUF_HIGH) {
			iin = np;
			p[np++] = (struct pollfd){.fd = s->io->in_fd, .events = POLLIN};
		}
		isig = np;
		p[np++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		if (s->vm.pidfd >= 0) {
			ipid = np;
			p[np++] = (struct pollfd){.fd = s->vm.pidfd, .events = POLLIN};
		}
		iextra = np;
		if (s->io->poll_fill)
			np += nextra = s->io->poll_fill(s->io->arg, p + np, EXTRA_POLL);
		deadline = s->hello ? 0 : boot_deadline;
		if (s->stop_deadline && (!deadline || s->stop_deadline < deadline))
			deadline = s->stop_deadline;
		if (exit_deadline && (!deadline || exit_deadline < deadline))
			deadline = exit_deadline;
		if (poll(p, (nfds_t)np, deadline ? (int)(deadline > t ? deadline - t : 0) : -1) < 0) {
			if (errno == EINTR)
				continue;
			err_sys(s->e, errno, "waiting for the box");
			goto out;
		}
		if (ictl >= 0 && (p[ictl].revents & POLLOUT))
			(void)frame_queue_flush(&s->out, s->ctl); /* a closed port shows as EOF */
		if (ictl >= 0 && (p[ictl].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(s->ctl, buf, CHUNK);
			if (r > 0) {
				if (frame_reader_feed(&s->rd, buf, (size_t)r, on_frame, s, s->e) < 0) {
					vm_stop(&s->vm, 0);
					err_wrap(s->e, "control channel");
					goto out;
				}
				if (s->exited && !exit_deadline)
					exit_deadline = io_now_ms() + (s->io->discard ? 0 : 5000);
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				s->ctl_eof = true;
			}
		}
		if (iin >= 0 && (p[iin].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(s->io->in_fd, buf, CHUNK);
			if (r > 0) {
				queue(s, A3S_FRAME_STDIN, buf, (uint32_t)r);
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				queue(s, A3S_FRAME_STDIN, NULL, 0); /* EOF */
				s->stdin_open = false;
			}
		}
		if (nextra)
			s->io->poll_done(s->io->arg, s, p + iextra, nextra);
		if (p[isig].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (s->io->monitor)
					monitor_signal(s, &si);
				else
					forward_signal(s, (int)si.ssi_signo);
			}
		}
		if ((ipid >= 0 && (p[ipid].revents & POLLIN)) || (s->ctl_eof && s->vm.pidfd < 0)) {
			/* the engine ended: take what is still buffered, then decide */
			for (;;) {
				ssize_t r = recv(s->ctl, buf, CHUNK, MSG_DONTWAIT);
				if (r <= 0)
					break;
				if (frame_reader_feed(&s->rd, buf, (size_t)r, on_frame, s, s->e) < 0)
					break;
			}
			vm_reap(&s->vm, true);
			if (s->exited || (s->signals && s->stop_deadline)) {
				rc = 0;
				goto out;
			}
			vm_gone_error(s, cfg);
			goto out;
		}
		if (s->ctl_eof && !s->exited && s->vm.pidfd >= 0 && ipid >= 0 && !(p[ipid].revents & POLLIN)) {
			/* the guest closed the port; give the engine a moment to end */
			if (!s->stop_deadline || s->stop_deadline > io_now_ms() + 2000)
				s->stop_deadline = io_now_ms() + 2000;
		}
	}
out:
	free(buf);
	return rc;
}

/* The vsock device socket's name, and what keeps a long one usable (the
 * device resolves "<name>_<port>" for the guest's connections, so both live
 * as long as the device). */
struct vsock_name {
	char *name;
	int dirfd;
};

/* Start the vsock device: vs[0] is its end of the vhost-user socketpair
 * (owned by the device once started), vs[1] QEMU's. */
static int start_vsock(const char *path, struct vsock_name *vn, int vs[2], struct vsock_dev **dev, struct err *e)
{
	struct vsock_dev_config vc = {.guest_cid = GUEST_CID};
	vn->name = fs_sock_path(path, &vn->dirfd, e);
	if (!vn->name)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, vs) < 0)
		return err_sys(e, errno, "creating the vsock device socket");
	vc.uds_path = vn->name;
	vc.vhost_fd = vs[0];
	if (vsock_dev_start(dev, &vc, e) < 0) {
		close(vs[0]);
		close(vs[1]);
		vs[0] = vs[1] = -1;
		return err_wrap(e, "starting the vsock device");
	}
	return 0;
}

int box_session_run(struct vm_config *vmcfg, const char *wire, size_t wire_len, const struct session_io *io,
		    session_started_fn started, void *arg, struct session_result *res, struct err *e)
{
	int ctl[2] = {-1, -1}, qmp[2] = {-1, -1}, vs[2] = {-1, -1}, sigfd = -1, rc = -1;
	struct session s = {.ctl = -1, .io = io, .e = e};
	struct vsock_dev *dev = NULL;
	struct vsock_name vn = {NULL, -1};
	sigset_t set;

	if (wire_len > A3S_FRAME_MAX)
		return err_set(e, "box configuration is too large (%zu bytes)", wire_len);
	session_signals(io->monitor, &set);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return err_sys(e, errno, "signalfd");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp) < 0) {
		err_sys(e, errno, "creating the control channel");
		goto out;
	}
	vmcfg->ctl_fd = ctl[1];
	vmcfg->qmp_fd = qmp[1];
	vmcfg->vsock_fd = -1;
	if (io->vsock_path && start_vsock(io->vsock_path, &vn, vs, &dev, e) < 0)
		goto out;
	vmcfg->vsock_fd = vs[1];
	if (vm_start(&s.vm, &vmm_qemu_ops, vmcfg, e) < 0)
		goto out;
	close(ctl[1]);
	close(qmp[1]);
	ctl[1] = qmp[1] = -1;
	if (vs[1] >= 0)
		close(vs[1]);
	vs[1] = -1;
	s.vm.qmp_fd = qmp[0];
	s.ctl = ctl[0];
	fcntl(s.ctl, F_SETFL, O_NONBLOCK);
	if (started)
		started(arg, s.vm.pid);
	s.stdin_open = io->in_fd >= 0;
	queue(&s, A3S_FRAME_CONFIG, wire, (uint32_t)wire_len);
	rc = loop(&s, vmcfg, sigfd);
	if (!s.vm.reaped)
		vm_stop(&s.vm, s.exited ? 3000 : 0);
	if (rc == 0) {
		res->exit_code = s.exit_code;
		res->message = s.message;
		s.message = NULL;
	}
out:
	vsock_dev_stop(dev); /* after the engine is gone: nothing talks to it any more */
	if (vs[1] >= 0)
		close(vs[1]);
	if (vn.dirfd >= 0)
		close(vn.dirfd);
	free(vn.name);
	free(s.message);
	frame_queue_release(&s.out);
	frame_reader_release(&s.rd);
	for (int i = 0; i < 2; i++) {
		if (ctl[i] >= 0)
			close(ctl[i]);
		if (qmp[i] >= 0)
			close(qmp[i]);
	}
	close(sigfd);
	return rc;
}
