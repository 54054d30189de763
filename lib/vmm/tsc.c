#include "vmm/tsc.h"

#include "vmm/cpuinfo.h"

#include <time.h>

#if defined(__x86_64__)
static unsigned long measure(void)
{
	struct timespec a, b;
	unsigned long long t0, t1;
	long long ns;
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	t0 = __builtin_ia32_rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC_RAW, &b);
		ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
	} while (ns < 2000000);
	t1 = __builtin_ia32_rdtsc();
	return (unsigned long)((t1 - t0) * 1000000ULL / (unsigned long long)ns);
}
#else
static unsigned long measure(void)
{
	return 0;
}
#endif

unsigned long tsc_host_khz(void)
{
	static unsigned long khz;
	static int done;
	if (!done) {
		done = 1;
		khz = cpuinfo_has_flag("constant_tsc") && cpuinfo_has_flag("nonstop_tsc") ? measure() : 0;
	}
	return khz;
}
