/* QEMU microvm as the VM engine: spawn, stop over QMP, reap. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/proc.h"
#include "util/xalloc.h"
#include "vmm/qemu_args.h"
#include "vmm/qmp.h"
#include "vmm/shares.h"
#include "vmm/vmm.h"

static void child_exec(const struct vm_config *cfg, char **argv)
{
	int null = open("/dev/null", O_RDWR);
	int log = cfg->engine_log ? open(cfg->engine_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600) : -1;
	sigset_t all;
	/* own process group: a Ctrl-C on the terminal reaches the CLI only */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	dup2(null, 0);
	dup2(null, 1);
	dup2(log >= 0 ? log : null, 2);
	fcntl(cfg->ctl_fd, F_SETFD, 0);
	fcntl(cfg->qmp_fd, F_SETFD, 0);
	if (vm_shares_stage(cfg) < 0)
		_exit(125);
	if (cfg->vsock_fd >= 0)
		fcntl(cfg->vsock_fd, F_SETFD, 0);
	execvp(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int qemu_start(struct vm *vm, const struct vm_config *cfg, struct err *e)
{
	struct strv argv = STRV_INIT;
	pid_t pid;
	char *found = proc_find(qemu_binary());
	bool have_qemu = found != NULL;
	free(found);
	if (!have_qemu)
		return err_set(e, "'%s' not found: install QEMU with 'apt-get install qemu-system-x86'", qemu_binary());
	if (access(cfg->kernel, R_OK) < 0)
		return err_sys(e, errno, "guest kernel '%s' is not readable; build it with 'kernel/build.sh'", cfg->kernel);
	if (access(cfg->initrd, R_OK) < 0)
		return err_sys(e, errno, "guest initramfs '%s' is not readable; rebuild a3s-box", cfg->initrd);
	qemu_build_argv(cfg, &argv);
	pid = fork();
	if (pid < 0) {
		strv_release(&argv);
		return err_sys(e, errno, "starting QEMU");
	}
	if (pid == 0)
		child_exec(cfg, argv.v);
	strv_release(&argv);
	vm->pid = pid;
	vm->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	vm->qmp_fd = -1;
	return 0;
}

static int qemu_reap(struct vm *vm, bool block)
{
	int st;
	pid_t r;
	if (vm->reaped || vm->pid <= 0)
		return 1;
	do
		r = waitpid(vm->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	vm->reaped = true;
	vm->status = r > 0 ? st : 0;
	if (vm->pidfd >= 0) {
		close(vm->pidfd);
		vm->pidfd = -1;
	}
	return 1;
}

static void qemu_stop(struct vm *vm, int timeout_ms)
{
	if (vm->reaped || vm->pid <= 0)
		return;
	qmp_quit_nowait(vm->qmp_fd);
	if (vm->pidfd >= 0 && timeout_ms > 0) {
		struct pollfd p = {.fd = vm->pidfd, .events = POLLIN};
		while (poll(&p, 1, timeout_ms) < 0 && errno == EINTR)
			;
	}
	if (!qemu_reap(vm, false)) {
		kill(vm->pid, SIGKILL);
		qemu_reap(vm, true);
	}
}

const struct vmm_ops vmm_qemu_ops = {
	.name = "qemu",
	.start = qemu_start,
	.stop = qemu_stop,
	.reap = qemu_reap,
};
