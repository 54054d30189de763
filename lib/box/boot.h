/* What a VM boots: the guest kernel, the initramfs and the accelerator. */
#ifndef A3S_BOX_BOOT_H
#define A3S_BOX_BOOT_H

#include "util/err.h"
#include "vmm/accel.h"

struct boot_paths {
	char *kernel; /* $A3S_BOX_KERNEL or <share>/vmlinux */
	char *initrd; /* $A3S_BOX_INITRD or <share>/initramfs.cpio */
	enum accel accel;
	char accel_why[256];
};

/* Resolve the paths (checking they exist) and the accelerator. */
int boot_paths_resolve(enum accel requested, struct boot_paths *b, struct err *e);
void boot_paths_release(struct boot_paths *b);

#endif
