/* What a VM boots: the guest kernel, the initramfs and the accelerator. */
#ifndef A3S_BOX_BOOT_H
#define A3S_BOX_BOOT_H

#include "util/err.h"
#include "vmm/accel.h"
#include "vmm/vmm.h"

struct boot_paths {
	char *kernel; /* $A3S_BOX_KERNEL or <share>/vmlinux */
	char *initrd; /* $A3S_BOX_INITRD or <share>/initramfs.cpio */
	enum accel accel;
	char accel_why[256];
};

/* Resolve the paths (checking they exist) and the accelerator. */
int boot_paths_resolve(enum accel requested, struct boot_paths *b, struct err *e);
void boot_paths_release(struct boot_paths *b);

/* A box's VM configuration and the strings it points to. */
struct box_vm {
	struct vm_config vc;
	char *console_log, *engine_log, *cmdline_extra;
	char *share_dir; /* <dir>/shares */
	struct vm_share *shares; /* from the spec's mounts (box_mount_is_share) */
};

/*
 * Fill vm for a box living in dir: boot paths, resources from the spec,
 * root and writable disks, logs in dir, the spec's host paths as shares
 * (in the order box_spec_wire() numbers them). A3S_BOX_DEBUG and
 * A3S_BOX_KERNEL_ARGS add to the kernel command line. vm points into b
 * and the spec: keep them alive while vm is used.
 */
struct box_spec;
void box_vm_init(struct box_vm *vm, const struct boot_paths *b, const struct box_spec *spec, const char *dir,
		 const char *root_disk, const char *rw_disk);
void box_vm_release(struct box_vm *vm);

#endif
