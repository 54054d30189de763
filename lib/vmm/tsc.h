/* The host's TSC frequency, for guests under TCG (whose TSC is the host's). */
#ifndef A3S_VMM_TSC_H
#define A3S_VMM_TSC_H

/*
 * kHz, or 0 when the host TSC is not constant (no constant_tsc and
 * nonstop_tsc flags) or cannot be measured. Measured once per process
 * against CLOCK_MONOTONIC_RAW over ~2 ms.
 */
unsigned long tsc_host_khz(void);

#endif
