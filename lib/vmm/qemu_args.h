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
 * Under TCG (docs/boot-time.md): preset loops-per-jiffy instead of a
 * 250 ms delay-loop calibration (the value is above what TCG measures, so
 * udelay() errs on the long side); skip the IO-APIC timer check; use the
 * PIT instead of calibrating the local APIC timer (~200 ms); and, when the
 * host TSC is constant, give its frequency (the guest's TSC is the host's)
 * and trust it, so the guest keeps a TSC clocksource rather than jiffies.
 */
#define QEMU_KERNEL_CMDLINE_TCG "lpj=2000000 no_timer_check nolapic_timer"
/* The whole kernel command line for accel (extra may be NULL); caller frees. */
char *qemu_kernel_cmdline(enum accel accel, const char *extra);
/* Append the whole argv (argv[0] = binary) to out. */
void qemu_build_argv(const struct vm_config *cfg, struct strv *out);

#endif
