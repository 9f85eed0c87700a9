/* cpumode.c - naming and classifying x86 operating modes. */
#include "cpumode.h"

#include <errno.h>
#include <string.h>

#include "x86.h"


static const char *const mode_names[VMM_MODE__COUNT] = {
	[VMM_MODE_REAL] = "real",
	[VMM_MODE_PROTECTED] = "protected",
	[VMM_MODE_PAGED32] = "paged32",
	[VMM_MODE_PAE] = "pae",
	[VMM_MODE_LONG] = "long",
};

const char *vmm_mode_name(enum vmm_mode m)
{
	return (unsigned)m < VMM_MODE__COUNT ? mode_names[m] : "?";
}

int vmm_mode_parse(const char *name, enum vmm_mode *out)
{
	for (int m = 0; m < VMM_MODE__COUNT; m++) {
		if (strcmp(name, mode_names[m]) == 0) {
			*out = m;
			return 0;
		}
	}
	return -EINVAL;
}

enum vmm_cpu_mode vmm_cpu_mode(const struct kvm_sregs *s)
{
	if (!(s->cr0 & X86_CR0(PE)))
		return VMM_CPU_REAL;
	if (s->efer & X86_EFER(LMA))
		return x86_code64(s) ? VMM_CPU_LONG : VMM_CPU_COMPAT;
	if (!(s->cr0 & X86_CR0(PG)))
		return VMM_CPU_PROTECTED;
	return (s->cr4 & X86_CR4(PAE)) ? VMM_CPU_PAE : VMM_CPU_PAGED32;
}

const char *vmm_cpu_mode_name(enum vmm_cpu_mode m)
{
	static const char *const names[] = {
		[VMM_CPU_REAL] = "real",
		[VMM_CPU_PROTECTED] = "protected",
		[VMM_CPU_PAGED32] = "protected+paging",
		[VMM_CPU_PAE] = "PAE",
		[VMM_CPU_LONG] = "long",
		[VMM_CPU_COMPAT] = "compat",
	};
	return (unsigned)m <= VMM_CPU_COMPAT ? names[m] : "?";
}

int vmm_cpu_code_bits(const struct kvm_sregs *s)
{
	switch (vmm_cpu_mode(s)) {
	case VMM_CPU_REAL:
		return 16;
	case VMM_CPU_LONG:
		return 64;
	default:
		return s->cs.db ? 32 : 16;
	}
}
