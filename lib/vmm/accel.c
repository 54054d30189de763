#include "vmm/accel.h"

#include "vmm/cpuinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int accel_parse(const char *s, enum accel *out, struct err *e)
{
	if (!strcmp(s, "kvm"))
		*out = ACCEL_KVM;
	else if (!strcmp(s, "tcg"))
		*out = ACCEL_TCG;
	else if (!strcmp(s, "auto") || !*s)
		*out = ACCEL_AUTO;
	else
		return err_setk(e, ERR_USAGE, "invalid accelerator '%s': use kvm, tcg or auto", s);
	return 0;
}

const char *accel_name(enum accel a)
{
	return a == ACCEL_KVM ? "kvm" : a == ACCEL_TCG ? "tcg" : "auto";
}

/* 0 when KVM is usable; otherwise a reason in why. */
static int kvm_probe(char *why, size_t n)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;
	if (fd < 0) {
		snprintf(why, n, "/dev/kvm is not usable (%s)", strerror(errno));
		return -1;
	}
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, n, "/dev/kvm has an unexpected API version");
		close(fd);
		return -1;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, n, "/dev/kvm cannot create a VM (%s)", strerror(errno));
		close(fd);
		return -1;
	}
	close(vm);
	close(fd);
	if (!cpuinfo_has_flag("vmx") && !cpuinfo_has_flag("svm")) {
		snprintf(why, n, "/dev/kvm is present but the CPU has no vmx/svm flag (paravirtualized nested KVM cannot run a standard kernel)");
		return -1;
	}
	snprintf(why, n, "/dev/kvm works and the CPU has hardware virtualization");
	return 0;
}

int accel_resolve(enum accel requested, enum accel *out, char *why, size_t why_len, struct err *e)
{
	const char *env = getenv("A3S_BOX_ACCEL");
	char probe[256];
	if (requested == ACCEL_AUTO && env && *env) {
		if (accel_parse(env, &requested, e) < 0)
			return err_wrap(e, "A3S_BOX_ACCEL");
		if (requested != ACCEL_AUTO)
			snprintf(why, why_len, "chosen by A3S_BOX_ACCEL");
	} else if (requested != ACCEL_AUTO) {
		snprintf(why, why_len, "chosen by --accel");
	}
	if (requested == ACCEL_TCG) {
		*out = ACCEL_TCG;
		return 0;
	}
	if (requested == ACCEL_KVM) {
		if (kvm_probe(probe, sizeof(probe)) < 0)
			return err_set(e, "KVM was requested but %s; use --accel tcg", probe);
		*out = ACCEL_KVM;
		return 0;
	}
	if (kvm_probe(probe, sizeof(probe)) == 0) {
		*out = ACCEL_KVM;
	} else {
		*out = ACCEL_TCG;
	}
	snprintf(why, why_len, "%s", probe);
	return 0;
}
