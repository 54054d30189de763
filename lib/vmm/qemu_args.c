#include "vmm/qemu_args.h"

#include <stdio.h>
#include <stdlib.h>

#include "vmm/tsc.h"

const char *qemu_binary(void)
{
	const char *env = getenv("A3S_BOX_QEMU");
	return env && *env ? env : "qemu-system-x86_64";
}

char *qemu_kernel_cmdline(enum accel accel, const char *extra)
{
	char tsc[64] = "";
	unsigned long khz = accel == ACCEL_TCG ? tsc_host_khz() : 0;
	if (khz)
		snprintf(tsc, sizeof(tsc), " tsc_early_khz=%lu tsc=reliable", khz);
	return xasprintf("%s%s%s%s%s", QEMU_KERNEL_CMDLINE, accel == ACCEL_TCG ? " " QEMU_KERNEL_CMDLINE_TCG : "",
			 tsc, extra && *extra ? " " : "", extra && *extra ? extra : "");
}

static void push2(struct strv *v, const char *a, char *b_owned)
{
	strv_push(v, a);
	strv_push_owned(v, b_owned);
}

void qemu_build_argv(const struct vm_config *cfg, struct strv *v)
{
	strv_push(v, qemu_binary());
	uint64_t mem = cfg->mem_mib ? cfg->mem_mib : 512;
	if (cfg->vsock_fd >= 0) {
		/* a vhost-user back-end maps guest RAM: it must be a shareable file */
		push2(v, "-M", xstrdup(QEMU_MACHINE ",memory-backend=mem"));
		push2(v, "-object", xasprintf("memory-backend-memfd,id=mem,size=%lluM,share=on", (unsigned long long)mem));
	} else {
		push2(v, "-M", xstrdup(QEMU_MACHINE));
	}
	if (cfg->accel == ACCEL_KVM) {
		push2(v, "-accel", xstrdup("kvm"));
		push2(v, "-cpu", xstrdup("host"));
	} else {
		push2(v, "-accel", xstrdup("tcg"));
		push2(v, "-cpu", xstrdup("max"));
	}
	push2(v, "-smp", xasprintf("%u", cfg->cpus ? cfg->cpus : 1));
	push2(v, "-m", xasprintf("%lluM", (unsigned long long)mem));
	strv_push(v, "-nodefaults");
	strv_push(v, "-no-user-config");
	push2(v, "-display", xstrdup("none"));
	strv_push(v, "-no-reboot");
	push2(v, "-kernel", xstrdup(cfg->kernel));
	push2(v, "-initrd", xstrdup(cfg->initrd));
	push2(v, "-append", qemu_kernel_cmdline(cfg->accel, cfg->cmdline_extra));
	if (cfg->console_log) {
		push2(v, "-chardev", xasprintf("file,id=con,path=%s", cfg->console_log));
		push2(v, "-serial", xstrdup("chardev:con"));
	}
	/* Devices, in slot order: the machine has 8 virtio-mmio slots. */
	push2(v, "-drive", xasprintf("id=root,file=%s,format=raw,if=none,readonly=on", cfg->root_disk));
	push2(v, "-device", xstrdup("virtio-blk-device,drive=root,serial=a3s-root"));
	if (cfg->rw_disk) {
		push2(v, "-drive", xasprintf("id=rw,file=%s,format=raw,if=none,discard=unmap", cfg->rw_disk));
		push2(v, "-device", xstrdup("virtio-blk-device,drive=rw,serial=a3s-rw"));
	}
	if (cfg->net_user) {
		push2(v, "-netdev", xasprintf("user,id=n0%s", cfg->net_hostfwd ? cfg->net_hostfwd : ""));
		push2(v, "-device", xstrdup("virtio-net-device,netdev=n0"));
	}
	if (cfg->nshares) {
		/* one device for every host path: the machine has 8 slots */
		push2(v, "-fsdev", xasprintf("local,id=shares,path=%s,security_model=passthrough,multidevs=remap",
					     cfg->share_dir));
		push2(v, "-device", xstrdup("virtio-9p-device,fsdev=shares,mount_tag=" VM_SHARE_TAG));
	}
	if (cfg->vsock_fd >= 0) {
		push2(v, "-chardev", xasprintf("socket,id=vsock,fd=%d", cfg->vsock_fd));
		push2(v, "-device", xstrdup("vhost-user-vsock-device,chardev=vsock"));
	}
	push2(v, "-device", xstrdup("virtio-serial-device,max_ports=2"));
	push2(v, "-chardev", xasprintf("socket,id=ctl,fd=%d", cfg->ctl_fd));
	push2(v, "-device", xstrdup("virtserialport,chardev=ctl,name=a3s.ctl"));
	push2(v, "-chardev", xasprintf("socket,id=qmp,fd=%d", cfg->qmp_fd));
	push2(v, "-mon", xstrdup("chardev=qmp,mode=control"));
}
