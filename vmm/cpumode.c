/* cpumode.c - naming and classifying x86 operating modes. */
#include "cpumode.h"

#include <errno.h>
#include <stddef.h>
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

/* The code segment's cache decides, not CR0 (SDM Vol. 3A 3.4.5 "D/B flag", 9.9.2; AMD APM
 * Vol. 2 4.8.1 and 14.4): L = 1 under EFER.LMA is 64-bit mode; otherwise D picks 32 or 16 bits,
 * in real mode too: a CS cache left with D = 1 after CR0.PE is cleared keeps running 32-bit code
 * until a far jump reloads it. */
int vmm_cpu_code_bits(const struct kvm_sregs *s)
{
	if ((s->efer & X86_EFER(LMA)) && (s->cr0 & X86_CR0(PE)) && s->cs.l)
		return 64;
	return s->cs.db ? 32 : 16;
}

/* Real mode with a segment cache that real mode itself could not have loaded: a limit above
 * 64 KiB or a 32-bit CS, left from protected mode ("unreal mode", SDM Vol. 3A 9.9.2 says
 * to load 64 KiB limits before clearing PE precisely because the caches keep theirs). */
bool vmm_cpu_unreal(const struct kvm_sregs *s)
{
	const struct kvm_segment *seg[] = { &s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss };

	if (s->cr0 & X86_CR0(PE))
		return false;
	if (s->cs.db)
		return true;
	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]); i++)
		if (seg[i]->limit > 0xffff)
			return true;
	return false;
}

const char *vmm_cpu_label(const struct kvm_sregs *s)
{
	enum vmm_cpu_mode m = vmm_cpu_mode(s);

	if (m == VMM_CPU_REAL && vmm_cpu_unreal(s))
		return "unreal";
	if (m == VMM_CPU_PROTECTED && !s->cs.db)
		return "protected-16";
	return vmm_cpu_mode_name(m);
}
