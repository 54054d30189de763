/* The QEMU microvm command line, built from a vm_config (pure; unit-tested). */
#ifndef A3S_VMM_QEMU_ARGS_H
#define A3S_VMM_QEMU_ARGS_H

#include "util/xalloc.h"
#include "vmm/vmm.h"

/* The QEMU binary: $A3S_BOX_QEMU or qemu-system-x86_64 (searched in PATH). */
const char *qemu_binary(void);
/* Machine options shared by boxes and the bare-boot benchmark. */
#define QEMU_MACHINE "microvm,x-option-roms=off,rtc=on,acpi=off,isa-serial=on"
/* Kernel command line common to every box. */
#define QEMU_KERNEL_CMDLINE "console=ttyS0 reboot=t panic=-1 quiet"
/*
 * Under TCG the kernel cannot calibrate the TSC against the PIT and falls
 * back to a 250 ms delay-loop calibration; preset loops-per-jiffy instead.
 * The value is above what TCG measures here (~1.2M), so udelay() errs on
 * the long side. Entropy comes from RDRAND (-cpu max), so no virtio-rng.
 */
#define QEMU_KERNEL_CMDLINE_TCG "lpj=2000000"
/* Append the whole argv (argv[0] = binary) to out. */
void qemu_build_argv(const struct vm_config *cfg, struct strv *out);

#endif
