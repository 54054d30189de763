/*
 * a3s-init: PID 1 of a box's VM (docs/guest-init.md).
 *
 * Boot: mount /dev /proc /sys, open the control port and say HELLO, wait
 * for CONFIG, build the root filesystem and switch into it, configure the
 * network and /etc, resolve the user, start the workload, forward its stdio
 * until it exits, report EXIT, reboot (which ends QEMU: -no-reboot and
 * reboot=t). Any failure before the workload starts is an EXIT 125 with a
 * one-line message; without a control stream there is nobody to tell, so
 * the init logs to the console and reboots.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a3s/proto.h"
#include "cfg.h"
#include "ctl.h"
#include "etc.h"
#include "log.h"
#include "loop.h"
#include "maint.h"
#include "net.h"
#include "rootfs.h"
#include "shares.h"
#include "user.h"
#include "util.h"
#include "vsrv.h"
#include "workload.h"

#define PORT_TIMEOUT_MS 10000
#define CONFIG_TIMEOUT_MS 60000
#define ACK_TIMEOUT_MS 5000
#define REAP_TIMEOUT_MS 1000

/* the SIGCHLD signalfd, for reaping at power-off */
static int sigfd = -1;

/*
 * Kill whatever is left and reap it, so that no process still holds files
 * open on the writable layer when it is remounted read-only. Bounded: a
 * process stuck in the kernel must not keep the VM up.
 */
static void kill_all(void)
{
	uint64_t deadline = now_ms() + REAP_TIMEOUT_MS;
	struct pollfd p = { .fd = sigfd, .events = POLLIN };
	struct signalfd_siginfo si;
	pid_t pid;

	kill(-1, SIGKILL);
	while ((pid = waitpid(-1, NULL, WNOHANG)) >= 0 && sigfd >= 0) {
		uint64_t now = now_ms();

		if (pid > 0)
			continue;
		if (now >= deadline) {
			log_err("processes still alive %d ms after SIGKILL", REAP_TIMEOUT_MS);
			break;
		}
		if (poll(&p, 1, (int)(deadline - now)) > 0)
			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				;
	}
}

static void __attribute__((noreturn)) power_off(void)
{
	log_dbg("rebooting");
	kill_all();
	rootfs_shutdown();
	reboot(RB_AUTOBOOT);
	/* not reached unless reboot failed; exiting would panic (panic=-1 reboots too) */
	for (;;)
		pause();
}

/* A failure before the workload started: tell the host, then end the VM. */
static void __attribute__((noreturn)) fail(struct ctl *c, int code, const char *msg)
{
	if (code == 125)
		log_err("%s", msg);
	ctl_exit(c, (uint32_t)code, msg, ACK_TIMEOUT_MS);
	power_off();
}

/* The kernel gives init /dev/console as fds 0-2 when it can; make sure. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		n = open("/dev/console", O_RDWR | O_NOCTTY);
		if (n < 0)
			n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* SIGCHLD arrives through a signalfd, handled in the loop. */
static int child_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int main(void)
{
	struct ierr e = { { 0 } }, lower_err = { { 0 } };
	struct loop_hooks hooks = { .kill_all = 1, .on_listen = vsrv_accept };
	struct user_ids u;
	struct workload w;
	struct vsrv v;
	struct ctl c;
	struct cfg cfg;
	const char *workdir;
	char *raw, msg[sizeof(e.msg) + 32];
	size_t len;
	int code, port, lower;

	umask(0);
	if (rootfs_early(&e) < 0) {
		log_err("%s", e.msg);
		power_off();
	}
	ensure_stdio();
	log_init();
	log_dbg("init started");
	sigfd = child_signals();
	if (sigfd < 0) {
		log_err("signalfd: %m");
		power_off();
	}

	/*
	 * What needs no config is done while the control port comes up and
	 * the host answers HELLO: on one emulated CPU these waits are the
	 * only slack in the boot. Errors are reported once CONFIG is in.
	 */
	port = ctl_open(&c, 0, &e);
	lower = rootfs_lower(&lower_err);
	if (lower == 0)
		lower = net_lo_up(&lower_err);
	if (port < 0 && ctl_open(&c, PORT_TIMEOUT_MS, &e) < 0) {
		log_err("%s", e.msg);
		power_off();
	}
	raw = ctl_wait_payload(&c, A3S_FRAME_CONFIG, CONFIG_TIMEOUT_MS, &len);
	if (!raw)
		power_off();
	log_dbg("config received (%zu bytes)", len);
	if (lower < 0)
		fail(&c, 125, lower_err.msg);
	if (cfg_parse(raw, len, &cfg) < 0) {
		snprintf(msg, sizeof(msg), "invalid config: %s", cfg.error);
		fail(&c, 125, msg);
	}
	if (!cfg.stdin_open) {
		bbuf_release(&c.in);
		c.in_eof = 1;
	}

	if (cfg.net_ip && net_eth_up(cfg.net_ip, cfg.net_gw, &e) < 0)
		fail(&c, 125, e.msg);
	if (rootfs_upper(cfg.rw, cfg.read_only, &e) < 0 || etc_setup(&cfg, ROOTFS_ROOT, &e) < 0 ||
	    shares_attach(&cfg, &e) < 0 || rootfs_switch(&e) < 0 || shares_mount(&cfg, &e) < 0)
		fail(&c, 125, e.msg);
	if (cfg.maint) { /* a maintenance boot (cp into a stopped box): docs/cp.md */
		vsrv_listen(&v, &cfg, sigfd);
		ctl_exit(&c, (uint32_t)maint_run(&c, &v, sigfd), NULL, ACK_TIMEOUT_MS);
		power_off();
	}
	if (user_resolve_files(cfg.user, &u, &e) < 0)
		fail(&c, 125, e.msg);
	workdir = cfg.workdir && *cfg.workdir ? cfg.workdir : "/";
	if (mkdir_p(workdir, 0755) < 0) {
		ierr_sys(&e, errno, "creating workdir '%s'", workdir);
		fail(&c, 125, e.msg);
	}
	if (cfg.read_only && shares_root_readonly(&e) < 0)
		fail(&c, 125, e.msg);

	if (workload_start(&cfg, &u, workdir, &w, &code, &e) < 0)
		fail(&c, code, e.msg);
	vsrv_listen(&v, &cfg, sigfd);
	hooks.listen_fds = v.fds;
	hooks.nlisten = v.n;
	hooks.arg = &v;
	code = loop_run(&c, &w, sigfd, &hooks);
	if (code < 0)
		power_off();
	ctl_exit(&c, (uint32_t)code, NULL, ACK_TIMEOUT_MS);
	power_off();
}
