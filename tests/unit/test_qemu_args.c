#include "unit.h"
#include "vmm/qemu_args.h"

static int has(const struct strv *v, const char *opt, const char *val)
{
	for (size_t i = 0; i + 1 < v->n; i++)
		if (!strcmp(v->v[i], opt) && (!val || !strcmp(v->v[i + 1], val)))
			return 1;
	return 0;
}

static int count(const struct strv *v, const char *opt)
{
	int n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += !strcmp(v->v[i], opt);
	return n;
}

TEST(box_command_line)
{
	struct vm_config c = {.kernel = "/k", .initrd = "/i", .accel = ACCEL_TCG, .cpus = 2, .mem_mib = 300,
			      .root_disk = "/r.erofs", .rw_disk = "/rw.img", .net_user = true, .ctl_fd = 7,
			      .qmp_fd = 8, .vsock_fd = -1, .console_log = "/c.log"};
	struct strv v = STRV_INIT;
	qemu_build_argv(&c, &v);
	CHECK(has(&v, "-M", QEMU_MACHINE));
	CHECK(has(&v, "-accel", "tcg"));
	CHECK(has(&v, "-smp", "2"));
	CHECK(has(&v, "-m", "300M"));
	CHECK(has(&v, "-no-reboot", NULL) || count(&v, "-no-reboot") == 1);
	CHECK(has(&v, "-nodefaults", NULL) || count(&v, "-nodefaults") == 1);
	CHECK(has(&v, "-chardev", "socket,id=ctl,fd=7"));
	CHECK(has(&v, "-chardev", "socket,id=qmp,fd=8"));
	CHECK(has(&v, "-device", "virtio-blk-device,drive=root,serial=a3s-root"));
	CHECK(has(&v, "-device", "virtio-blk-device,drive=rw,serial=a3s-rw"));
	CHECK(has(&v, "-device", "virtio-net-device,netdev=n0"));
	/* the machine has 8 virtio-mmio slots */
	CHECK(count(&v, "-device") - 1 /* virtserialport is not a transport */ <= 8);
	strv_release(&v);
}

TEST(none_network_and_kvm)
{
	struct vm_config c = {.kernel = "/k", .initrd = "/i", .accel = ACCEL_KVM, .root_disk = "/r",
			      .ctl_fd = 3, .qmp_fd = 4, .vsock_fd = -1};
	struct strv v = STRV_INIT;
	qemu_build_argv(&c, &v);
	CHECK(has(&v, "-accel", "kvm"));
	CHECK(has(&v, "-cpu", "host"));
	CHECK(!has(&v, "-netdev", NULL));
	CHECK(!has(&v, "-device", "virtio-blk-device,drive=rw,serial=a3s-rw"));
	CHECK(!has(&v, "-object", NULL));
	CHECK(!has(&v, "-device", "vhost-user-vsock-device,chardev=vsock"));
	strv_release(&v);
}

TEST(vsock_device)
{
	struct vm_config c = {.kernel = "/k", .initrd = "/i", .accel = ACCEL_TCG, .mem_mib = 256, .root_disk = "/r",
			      .ctl_fd = 3, .qmp_fd = 4, .vsock_fd = 9};
	struct strv v = STRV_INIT;
	qemu_build_argv(&c, &v);
	CHECK(has(&v, "-M", QEMU_MACHINE ",memory-backend=mem"));
	CHECK(has(&v, "-object", "memory-backend-memfd,id=mem,size=256M,share=on"));
	CHECK(has(&v, "-m", "256M"));
	CHECK(has(&v, "-chardev", "socket,id=vsock,fd=9"));
	CHECK(has(&v, "-device", "vhost-user-vsock-device,chardev=vsock"));
	strv_release(&v);
}

TEST(one_share_device_for_all_host_paths)
{
	struct vm_share sh[20];
	struct vm_config c = {.kernel = "/k", .initrd = "/i", .accel = ACCEL_TCG, .root_disk = "/r",
			      .rw_disk = "/rw", .net_user = true, .ctl_fd = 3, .qmp_fd = 4, .vsock_fd = 9,
			      .share_dir = "/b/shares", .shares = sh, .nshares = 20};
	struct strv v = STRV_INIT;
	for (int i = 0; i < 20; i++)
		sh[i] = (struct vm_share){"/src", i % 2};
	qemu_build_argv(&c, &v);
	CHECK(count(&v, "-fsdev") == 1);
	CHECK(has(&v, "-fsdev", "local,id=shares,path=/b/shares,security_model=passthrough,multidevs=remap"));
	CHECK(has(&v, "-device", "virtio-9p-device,fsdev=shares,mount_tag=" VM_SHARE_TAG));
	/* root, rw, net, 9p, vsock, serial: within the 8 slots */
	CHECK(count(&v, "-device") - 1 <= 8);
	strv_release(&v);
	c.nshares = 0;
	qemu_build_argv(&c, &v);
	CHECK(!has(&v, "-fsdev", NULL));
	strv_release(&v);
}

int main(void)
{
	RUN(box_command_line);
	RUN(none_network_and_kvm);
	RUN(vsock_device);
	RUN(one_share_device_for_all_host_paths);
	return unit_done();
}
