/*
 * a3s-vsock-run: boot a test guest (tests/vsock/guest_echo.c as /init)
 * with the vsock device, for tests/integration/test_vsock.py and
 * bench/vsock.py. Uses the same vm_config path a box does.
 *
 * Usage: a3s-vsock-run UDS KERNEL INITRD WORKDIR [MEM_MIB]
 *
 * Prints "READY <qemu-pid>" once QEMU runs and "EXIT <status>" when it ends;
 * closing stdin (or SIGTERM) stops QEMU and the device, then exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "vmm/vmm.h"
#include "vsock/vsock.h"

int main(int argc, char **argv)
{
	struct err e = ERR_INIT;
	struct vsock_dev *dev = NULL;
	struct vm vm = {0};
	struct vm_config vc = {0};
	int vh[2], ctl[2], qmp[2], sfd;
	sigset_t set;
	char *disk, *console, *elog;
	bool running = true;
	if (argc < 5) {
		fprintf(stderr, "usage: a3s-vsock-run UDS KERNEL INITRD WORKDIR [MEM_MIB]\n");
		return 2;
	}
	disk = xasprintf("%s/disk.img", argv[4]);
	console = xasprintf("%s/console.log", argv[4]);
	elog = xasprintf("%s/engine.log", argv[4]);
	{
		int fd = open(disk, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, 1 << 20) < 0) {
			perror(disk);
			return 1;
		}
		close(fd);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, vh) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp) < 0) {
		perror("socketpair");
		return 1;
	}
	if (vsock_dev_start(&dev, &(struct vsock_dev_config){.guest_cid = 3, .uds_path = argv[1], .vhost_fd = vh[0]},
			    &e) < 0) {
		fprintf(stderr, "a3s-vsock-run: %s\n", e.msg);
		return 1;
	}
	vc = (struct vm_config){.kernel = argv[2],
				.initrd = argv[3],
				.accel = ACCEL_TCG,
				.cpus = 1,
				.mem_mib = argc > 5 ? strtoull(argv[5], NULL, 10) : 256,
				.root_disk = disk,
				.ctl_fd = ctl[1],
				.qmp_fd = qmp[1],
				.vsock_fd = vh[1],
				.console_log = console,
				.engine_log = elog};
	if (vm_start(&vm, &vmm_qemu_ops, &vc, &e) < 0) {
		fprintf(stderr, "a3s-vsock-run: %s\n", e.msg);
		vsock_dev_stop(dev);
		return 1;
	}
	close(vh[1]);
	close(ctl[1]);
	close(qmp[1]);
	vm.qmp_fd = qmp[0];
	printf("READY %d\n", (int)vm.pid);
	fflush(stdout);
	for (;;) {
		struct pollfd p[3] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}, {running ? vm.pidfd : -1, POLLIN, 0}};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents) {
			vm_reap(&vm, true);
			running = false;
			printf("EXIT %d\n", WIFEXITED(vm.status) ? WEXITSTATUS(vm.status) : 128 + WTERMSIG(vm.status));
			fflush(stdout);
		}
		if (p[1].revents)
			break;
		if (p[0].revents) {
			char c;
			if (read(0, &c, 1) <= 0)
				break;
		}
	}
	if (running)
		vm_stop(&vm, 2000);
	vsock_dev_stop(dev);
	close(ctl[0]);
	close(qmp[0]);
	unlink(disk);
	free(disk);
	free(console);
	free(elog);
	return 0;
}
