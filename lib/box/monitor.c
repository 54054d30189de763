#include "box/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "box/admin.h"
#include "box/attach.h"
#include "box/boot.h"
#include "box/logfile.h"
#include "box/publish.h"
#include "box/record.h"
#include "box/session.h"
#include "box/spec.h"
#include "box/store.h"
#include "image/rootfs.h"
#include "util/fs.h"
#include "util/io.h"
#include "util/memtrim.h"
#include "util/xalloc.h"

#define BACKOFF_START_MS 100
#define BACKOFF_MAX_MS 60000

/* $A3S_BOX_MONITOR, or a3s-box-monitor next to the running executable. */
static char *monitor_path(void)
{
	const char *env = getenv("A3S_BOX_MONITOR");
	char *dir, *p;
	if (env && *env)
		return xstrdup(env);
	dir = fs_exe_dir();
	p = xasprintf("%s/a3s-box-monitor", dir);
	free(dir);
	return p;
}

int box_monitor_spawn(struct root *r, const char *id, int attach_fd, struct err *e)
{
	int p[2];
	pid_t pid;
	char buf[ERR_MSG_MAX];
	size_t n = 0;
	char *monitor = monitor_path();
	if (access(monitor, X_OK) < 0) {
		err_sys(e, errno, "the box monitor '%s' is missing; rebuild a3s-box", monitor);
		free(monitor);
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(monitor);
		return err_sys(e, errno, "starting the box monitor");
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		free(monitor);
		return err_sys(e, errno, "starting the box monitor");
	}
	if (pid == 0) {
		char fd[16], afd[16] = "-1", *dir = box_dir(r, id), *log = xasprintf("%s/monitor.log", dir);
		int null = open("/dev/null", O_RDWR), lfd;
		setsid();
		if (fork() != 0)
			_exit(0);
		lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(null, 0);
		dup2(null, 1);
		dup2(lfd >= 0 ? lfd : null, 2);
		fcntl(p[1], F_SETFD, 0);
		snprintf(fd, sizeof(fd), "%d", p[1]);
		if (attach_fd >= 0) {
			fcntl(attach_fd, F_SETFD, 0);
			snprintf(afd, sizeof(afd), "%d", attach_fd);
		}
		execl(monitor, "a3s-box-monitor", "--root", r->path, "__monitor", id, fd, afd, (char *)NULL);
		_exit(127);
	}
	free(monitor);
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	for (;;) {
		ssize_t k = read(p[0], buf + n, sizeof(buf) - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (n >= sizeof(buf) - 1 || memchr(buf, '\n', n))
			break;
	}
	close(p[0]);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "ok"))
		return 0;
	return err_set(e, "%s", n ? buf : "the box monitor died before starting the box");
}

struct mon {
	struct root *r;
	const char *id;
	struct box_log_writer log;
	struct attach_srv attach;
	int ready_fd;
	bool vm_started; /* this round's VM got as far as starting */
};

static void ready(struct mon *m, const char *msg)
{
	if (m->ready_fd < 0)
		return;
	(void)io_write_all(m->ready_fd, msg, strlen(msg));
	(void)io_write_all(m->ready_fd, "\n", 1);
	close(m->ready_fd);
	m->ready_fd = -1;
}

static void on_output(void *arg, int stream, const void *p, size_t n)
{
	struct mon *m = arg;
	box_log_write(&m->log, stream, p, n);
	attach_srv_output(&m->attach, stream, p, n);
}

static int on_poll_fill(void *arg, struct pollfd *p, int max)
{
	struct mon *m = arg;
	return attach_srv_poll_fill(&m->attach, p, max);
}

static void to_guest(void *arg, uint8_t type, const void *p, uint32_t len)
{
	session_send(arg, type, p, len);
}

static void on_poll_done(void *arg, struct session *s, const struct pollfd *p, int n)
{
	struct mon *m = arg;
	attach_srv_poll_done(&m->attach, p, n, to_guest, s);
}

static void on_event(void *arg, const char *what)
{
	struct mon *m = arg;
	struct err e = ERR_INIT;
	(void)box_store_set_state(m->r, m->id, what, &e);
	box_event(m->r, m->id, !strcmp(what, "paused") ? "pause" : "unpause", NULL);
	mem_trim_idle();
}

/* Publish the guest's answer for `stats` (written whole, then renamed). */
static void on_stats(void *arg, const char *text, size_t len)
{
	struct mon *m = arg;
	struct err e = ERR_INIT;
	char *dir = box_dir(m->r, m->id), *path = xasprintf("%s/stats", dir);
	(void)fs_write_atomic(path, text, len, 0600, &e);
	free(path);
	free(dir);
	mem_trim_idle();
}

static void on_started(void *arg, pid_t pid)
{
	struct mon *m = arg;
	struct err e = ERR_INIT;
	m->vm_started = true;
	(void)box_store_set_started(m->r, m->id, pid, getpid(), &e);
	box_event(m->r, m->id, "start", NULL);
	ready(m, "ok");
}

/* From here the monitor mostly waits: let its cold code go (now, not at
 * start: until the engine has exec'd, its pages are shared and stay). */
static void on_booted(void *arg)
{
	(void)arg;
	mem_trim_idle();
}

/* Should the box run again, and after how long a wait? */
static bool restart_wanted(struct root *r, const char *id, int code)
{
	struct box_record *b = NULL;
	struct err e = ERR_INIT;
	bool again = false;
	if (box_store_find(r, id, &b, &e) < 0)
		return false;
	if (!b->stopped_by_user) {
		if (!strcmp(b->restart_policy, "always") || !strcmp(b->restart_policy, "unless-stopped"))
			again = true;
		else if (!strcmp(b->restart_policy, "on-failure"))
			again = code != 0 && (b->restart_max <= 0 || b->restart_count < b->restart_max);
	}
	box_record_free(b);
	return again;
}

/* Sleep ms unless a stop or kill request comes in (then: false). */
static bool backoff(int ms)
{
	sigset_t set;
	siginfo_t si;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	session_signals(true, &set);
	for (;;) {
		int sig = sigtimedwait(&set, &si, &ts);
		if (sig < 0)
			return errno == EAGAIN; /* the wait ran out: go on */
		if (sig == SIGTERM || sig == SIGUSR1)
			return false;
	}
}

static int run_once(struct mon *m, const struct box_record *b, const struct box_spec *spec, struct boot_paths *boot,
		    const char *rootfs, const char *dir, int *code, struct err *e)
{
	struct box_vm vm;
	struct session_io io = {.in_fd = -1, .out_fd = -1, .err_fd = -1, .output = on_output, .event = on_event, .stats = on_stats, .booted = on_booted,
				.poll_fill = on_poll_fill, .poll_done = on_poll_done, .arg = m, .monitor = true};
	struct session_result res = {0};
	char *rw, *wire = NULL, *hostfwd = NULL, *vsock = box_vsock_path(dir);
	size_t wire_len;
	int rc;
	if (box_publish(m->r, m->id, b->config, &hostfwd, e) < 0)
		return -1;
	rw = xasprintf("%s/rw.img", dir);
	box_spec_wire(spec, true, &wire, &wire_len);
	box_vm_init(&vm, boot, spec, dir, rootfs, rw);
	vm.vc.net_hostfwd = hostfwd;
	io.vsock_path = vsock;
	rc = box_session_run(&vm.vc, wire, wire_len, &io, on_started, m, &res, e);
	box_vm_release(&vm);
	box_log_flush(&m->log);
	if (rc == 0) {
		*code = res.exit_code;
		if (res.message) {
			char *line = xasprintf("%s\n", res.message);
			box_log_write(&m->log, 2, line, strlen(line));
			attach_srv_output(&m->attach, 2, line, strlen(line));
			free(line);
		}
	}
	free(res.message);
	free(vsock);
	free(wire);
	free(rw);
	free(hostfwd);
	return rc;
}

int box_monitor_main(struct root *r, const char *id, int ready_fd, int attach_fd)
{
	struct mon m = {.r = r, .id = id, .ready_fd = ready_fd, .attach = ATTACH_SRV_INIT};
	struct box_record *b = NULL;
	struct box_spec spec = {0};
	struct boot_paths boot = {0};
	struct err e = ERR_INIT;
	char *dir = NULL, *rootfs = NULL, *logp = NULL;
	bool auto_remove;
	int backoff_ms = BACKOFF_START_MS, status = 1;
	sigset_t set;

	/* the engine must not inherit the readiness pipe (the CLI reads to EOF) */
	if (ready_fd >= 0)
		fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
	if (attach_fd >= 0)
		fcntl(attach_fd, F_SETFD, FD_CLOEXEC);
	session_signals(true, &set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (box_store_find(r, id, &b, &e) < 0 || box_spec_from_json(b->config, &spec, &e) < 0 ||
	    image_rootfs_existing(r, b->image_id, &rootfs, &e) < 0 ||
	    boot_paths_resolve(ACCEL_AUTO, &boot, &e) < 0)
		goto fail;
	dir = box_dir(r, id);
	logp = box_log_path(dir, id);
	if (box_log_open(&m.log, logp, &e) < 0)
		goto fail;
	{
		char *ap = xasprintf("%s/attach.sock", dir);
		int arc = attach_srv_open(&m.attach, ap, &e);
		free(ap);
		if (arc < 0)
			goto fail;
		m.attach.stdin_open = spec.interactive;
		if (attach_fd >= 0) {
			attach_srv_add(&m.attach, attach_fd, true);
			attach_fd = -1;
		}
	}
	auto_remove = json_is_true(json_object_get(b->config, "AutoRemove"));
	(void)box_store_set_stopped_by_user(r, id, false, &e);
	for (;;) {
		int code = 0;
		m.vm_started = false;
		if (run_once(&m, b, &spec, &boot, rootfs, dir, &code, &e) < 0) {
			ready(&m, e.msg);
			/* a VM that died under the workload is a killed box; one
			 * that never started is a runtime failure */
			code = m.vm_started ? 137 : 125;
			box_log_write(&m.log, 2, e.msg, strlen(e.msg));
			box_log_write(&m.log, 2, "\n", 1);
		}
		(void)box_store_set_exited(r, id, code, &e);
		box_event(r, id, "die", json_pack("{s:i}", "exitCode", code));
		if (auto_remove || !restart_wanted(r, id, code)) {
			attach_srv_exit(&m.attach, code, false); /* owners: at the very end */
			break;
		}
		attach_srv_exit(&m.attach, code, true); /* the box goes on without them */
		if (!backoff(backoff_ms))
			break;
		backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
		(void)box_store_count_restart(r, id, &e);
		box_event(r, id, "restart", NULL);
	}
	/* monitor_pid stays: waiters watch the process itself until it is gone */
	if (auto_remove) {
		box_log_close(&m.log);
		(void)box_remove(r, id, b->name, b->image_ref, false, &e);
	}
	status = 0;
	goto out;
fail:
	ready(&m, e.msg);
	(void)box_store_set_monitor(r, id, 0, &e);
out:
	/* last: an owner's EOF tells `run -t` the box is done with (and gone, with --rm) */
	attach_srv_close(&m.attach);
	if (attach_fd >= 0)
		close(attach_fd);
	if (m.log.fd > 0)
		box_log_close(&m.log);
	free(logp);
	free(dir);
	free(rootfs);
	boot_paths_release(&boot);
	box_spec_release(&spec);
	box_record_free(b);
	return status;
}
