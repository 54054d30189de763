/*
 * The VM engine behind an operations table, so another VMM can be added;
 * QEMU microvm is the one that ships (lib/vmm/qemu.c).
 */
#ifndef A3S_VMM_VMM_H
#define A3S_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"
#include "vmm/accel.h"

/* A host file or directory the guest reaches through the 9p share. */
struct vm_share {
	const char *source; /* absolute host path (directory or file) */
	bool ro; /* the host refuses writes, whatever the guest does */
};

/* The 9p mount tag of the one share device (docs/volumes.md). */
#define VM_SHARE_TAG "a3s.shares"

struct vm_config {
	const char *kernel; /* uncompressed vmlinux (PVH entry) */
	const char *initrd;
	const char *cmdline_extra; /* appended to the kernel command line, may be NULL */
	enum accel accel; /* resolved: ACCEL_KVM or ACCEL_TCG */
	unsigned cpus;
	uint64_t mem_mib;
	const char *root_disk; /* read-only root filesystem image */
	const char *rw_disk; /* writable layer, or NULL for a tmpfs upper */
	bool net_user; /* zero-config NAT (QEMU user networking) */
	const char *net_hostfwd; /* ",hostfwd=..." published ports, or NULL */
	int ctl_fd; /* connected stream socket: the a3s.ctl serial port */
	int qmp_fd; /* connected stream socket: QMP */
	/*
	 * vhost-user socket of the vsock device (lib/vsock), or -1 for none.
	 * With it, guest RAM is a shared memfd so the back-end can map it.
	 */
	int vsock_fd;
	const char *console_log; /* serial console output */
	const char *engine_log; /* the engine's own stderr */
	/*
	 * Host paths for the guest: share i is bind-mounted on
	 * <share_dir>/<i> in the engine's own mount namespace (so the mounts
	 * vanish with it) and share_dir is exported as one virtio-9p device
	 * tagged VM_SHARE_TAG. No device when nshares is 0.
	 */
	const char *share_dir;
	const struct vm_share *shares;
	size_t nshares;
};

struct vm {
	const struct vmm_ops *ops;
	pid_t pid;
	int pidfd; /* readable when the engine process ends, or -1 */
	int qmp_fd; /* host end of QMP, or -1 */
	int status; /* wait status once reaped */
	bool reaped;
};

struct vmm_ops {
	const char *name;
	int (*start)(struct vm *vm, const struct vm_config *cfg, struct err *e);
	/* Ask the engine to end at once (QMP quit), then SIGKILL after timeout_ms. */
	void (*stop)(struct vm *vm, int timeout_ms);
	/* Reap the engine process if it ended (block: wait). 1 = ended, 0 = running. */
	int (*reap)(struct vm *vm, bool block);
};

extern const struct vmm_ops vmm_qemu_ops;

static inline int vm_start(struct vm *vm, const struct vmm_ops *ops, const struct vm_config *cfg, struct err *e)
{
	vm->ops = ops;
	vm->pid = 0;
	vm->pidfd = -1;
	vm->qmp_fd = -1;
	vm->reaped = false;
	return ops->start(vm, cfg, e);
}
static inline void vm_stop(struct vm *vm, int timeout_ms)
{
	vm->ops->stop(vm, timeout_ms);
}
static inline int vm_reap(struct vm *vm, bool block)
{
	return vm->ops->reap(vm, block);
}

#endif
