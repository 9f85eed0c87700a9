/* cpumode.h - which x86 operating mode a vCPU is in, and the modes the VMM can set up. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>

/* Modes the VMM can put a vCPU in before the first instruction. */
enum vmm_mode {
	VMM_MODE_REAL,
	VMM_MODE_PROTECTED, /* flat 32-bit, paging off */
	VMM_MODE_PAGED32,   /* 32-bit paging with one 4 MiB PSE page per 4 MiB */
	VMM_MODE_PAE,       /* PAE paging, 2 MiB pages */
	VMM_MODE_LONG,      /* 4-level paging, 64-bit code segment */
	VMM_MODE__COUNT,
};

/* What the CPU is doing right now, read from CR0, CR4, EFER and CS. */
enum vmm_cpu_mode {
	VMM_CPU_REAL,
	VMM_CPU_PROTECTED,  /* PE, no paging */
	VMM_CPU_PAGED32,    /* PE, PG, no PAE */
	VMM_CPU_PAE,        /* PE, PG, PAE, not long */
	VMM_CPU_LONG,       /* LMA and CS.L: 64-bit */
	VMM_CPU_COMPAT,     /* LMA, CS.L clear: compatibility mode */
};

/* "real", "protected", "paged32", "pae", "long". */
const char *vmm_mode_name(enum vmm_mode m);

/* Parse a mode name; -EINVAL if unknown. */
int vmm_mode_parse(const char *name, enum vmm_mode *out);

/* The CPU's current mode from its special registers. */
enum vmm_cpu_mode vmm_cpu_mode(const struct kvm_sregs *s);

/* Human label: "real", "protected", "protected+paging", "PAE", "long", "compat". */
const char *vmm_cpu_mode_name(enum vmm_cpu_mode m);

/* Code size in bits (16, 32 or 64) the CPU decodes in, from EFER.LMA and the CS cache's L and D
 * bits (D counts in real mode too). */
int vmm_cpu_code_bits(const struct kvm_sregs *s);

/* True in real mode when a segment cache holds what only protected mode loads (a limit above
 * 0xFFFF, or CS with D = 1): "unreal mode". */
bool vmm_cpu_unreal(const struct kvm_sregs *s);

/* The mode as a trace shows it: vmm_cpu_mode_name(), except "unreal" (real mode with protected-mode
 * caches) and "protected-16" (protected mode, no paging, CS with D = 0). */
const char *vmm_cpu_label(const struct kvm_sregs *s);
