#include "box/boot.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <string.h>

#include "box/mounts.h"
#include "box/spec.h"
#include "image/share.h"
#include "util/xalloc.h"

static char *pick(const char *env, const char *file)
{
	const char *v = getenv(env);
	if (v && *v)
		return xstrdup(v);
	return xasprintf("%s/%s", image_share_dir(), file);
}

int boot_paths_resolve(enum accel requested, struct boot_paths *b, struct err *e)
{
	b->kernel = pick("A3S_BOX_KERNEL", "vmlinux");
	b->initrd = pick("A3S_BOX_INITRD", "initramfs.cpio");
	if (access(b->kernel, R_OK) < 0) {
		err_sys(e, errno, "guest kernel '%s' is missing; build it with 'kernel/build.sh' (see README.md)",
			b->kernel);
		goto fail;
	}
	if (access(b->initrd, R_OK) < 0) {
		err_sys(e, errno, "guest initramfs '%s' is missing; rebuild a3s-box with 'ninja -C build'", b->initrd);
		goto fail;
	}
	if (accel_resolve(requested, &b->accel, b->accel_why, sizeof(b->accel_why), e) < 0)
		goto fail;
	return 0;
fail:
	boot_paths_release(b);
	return -1;
}

void boot_paths_release(struct boot_paths *b)
{
	free(b->kernel);
	free(b->initrd);
	b->kernel = b->initrd = NULL;
}

void box_vm_init(struct box_vm *vm, const struct boot_paths *b, const struct box_spec *spec, const char *dir,
		 const char *root_disk, const char *rw_disk)
{
	const char *kargs = getenv("A3S_BOX_KERNEL_ARGS");
	const char *debug = getenv("A3S_BOX_DEBUG") ? "a3s.debug=1" : "";
	memset(vm, 0, sizeof(*vm));
	vm->console_log = xasprintf("%s/console.log", dir);
	vm->engine_log = xasprintf("%s/engine.log", dir);
	vm->cmdline_extra = xasprintf("%s%s%s", debug, *debug && kargs ? " " : "", kargs ? kargs : "");
	vm->vc = (struct vm_config){
		.kernel = b->kernel,
		.initrd = b->initrd,
		.cmdline_extra = *vm->cmdline_extra ? vm->cmdline_extra : NULL,
		.accel = b->accel,
		.cpus = spec->cpus,
		.mem_mib = spec->mem_mib,
		.root_disk = root_disk,
		.rw_disk = rw_disk,
		.net_user = spec->net,
		.console_log = vm->console_log,
		.engine_log = vm->engine_log,
		.ctl_fd = -1,
		.qmp_fd = -1,
		.vsock_fd = -1,
	};
	{
		size_t i, n = 0;
		json_t *m;
		json_array_foreach(spec->mounts, i, m)
			n += box_mount_is_share(m);
		if (!n)
			return;
		vm->shares = xcalloc(n, sizeof(*vm->shares));
		vm->share_dir = xasprintf("%s/shares", dir);
		json_array_foreach(spec->mounts, i, m) {
			if (!box_mount_is_share(m))
				continue;
			vm->shares[vm->vc.nshares].source = json_string_value(json_object_get(m, "Source"));
			vm->shares[vm->vc.nshares].ro = !json_is_true(json_object_get(m, "RW"));
			vm->vc.nshares++;
		}
		vm->vc.shares = vm->shares;
		vm->vc.share_dir = vm->share_dir;
	}
}

void box_vm_release(struct box_vm *vm)
{
	free(vm->console_log);
	free(vm->engine_log);
	free(vm->cmdline_extra);
	free(vm->share_dir);
	free(vm->shares);
	memset(vm, 0, sizeof(*vm));
}
