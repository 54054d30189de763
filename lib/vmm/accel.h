/* Accelerator choice: KVM when it really works, TCG otherwise (DESIGN.md). */
#ifndef A3S_VMM_ACCEL_H
#define A3S_VMM_ACCEL_H

#include <stddef.h>

#include "util/err.h"

enum accel { ACCEL_AUTO = 0, ACCEL_KVM, ACCEL_TCG };

/* "kvm", "tcg" or "auto"; error on anything else. */
int accel_parse(const char *s, enum accel *out, struct err *e);
const char *accel_name(enum accel a);
/*
 * Resolve the accelerator: an explicit request wins (flag, then env
 * A3S_BOX_ACCEL); otherwise KVM only when /dev/kvm opens, KVM_CREATE_VM works
 * and the CPU advertises vmx or svm (a paravirtualized nested /dev/kvm
 * without them cannot run a standard kernel). `why` receives one line.
 * Requesting kvm where it cannot work is an error.
 */
int accel_resolve(enum accel requested, enum accel *out, char *why, size_t why_len, struct err *e);

#endif
