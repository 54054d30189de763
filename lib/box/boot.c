#include "box/boot.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

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
