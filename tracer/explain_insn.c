/* explain_insn.c - single instructions a student should notice although they change little:
 * CLI/STI/POPF (IF), CPUID, RDTSC, WRMSR, INVLPG. */
#include <stdio.h>

#include "engine.h"
#include "explain_priv.h"
#include "x86.h"

/* SDM Vol. 2A CLI, Vol. 2B STI ("interrupts are recognised after the next instruction"),
 * POPF; Vol. 3A 6.8.1 (IF). */
static void interrupt_flag(struct out *o, const struct step *st, const struct insn *in)
{
	bool was = st->before.rflags & X86_RFLAGS(IF), is = st->after.rflags & X86_RFLAGS(IF);

	switch (in->i.mnemonic) {
	case ZYDIS_MNEMONIC_CLI:
		say(o, "CLI: IF %s: maskable interrupts are held off (NMIs and exceptions still come)",
		    was ? "cleared" : "was already clear");
		return;
	case ZYDIS_MNEMONIC_STI:
		say(o, "STI: IF %s: maskable interrupts are accepted again, from after the next instruction",
		    was ? "was already set" : "set");
		return;
	case ZYDIS_MNEMONIC_INT:
	case ZYDIS_MNEMONIC_INT3:
	case ZYDIS_MNEMONIC_INTO:
		return;  /* the interrupt's own sentence says */
	default:
		break;
	}
	if (was != is && !st->flow.nskip && !st->flow.unknown && st->flow.vector < 0)
		say(o, "%s %s IF: maskable interrupts are %s", in->i.mnemonic == ZYDIS_MNEMONIC_POPF ||
		    in->i.mnemonic == ZYDIS_MNEMONIC_POPFD || in->i.mnemonic == ZYDIS_MNEMONIC_POPFQ ?
		    "POPF" : "this instruction", is ? "set" : "cleared", is ? "enabled" : "held off");
}

void explain_insn(struct explain_ctx *ctx, struct out *o, const struct step *st,
		  const struct insn *in)
{
	uint32_t msr = (uint32_t)st->before.rcx;
	uint64_t edx_eax = (st->before.rdx & 0xffffffffull) << 32 | (st->before.rax & 0xffffffffull);

	(void)ctx;
	if (!in)
		return;
	interrupt_flag(o, st, in);
	switch (in->i.mnemonic) {
	case ZYDIS_MNEMONIC_CPUID:
		/* SDM Vol. 3C "Instructions That Cause VM Exits Unconditionally" (25.1.2, 26.1.2 in
		 * later editions): CPUID; KVM answers it in the kernel from the table given with
		 * KVM_SET_CPUID2 (KVM API), without an exit to user space. */
		say(o, "CPUID leaf 0x%x: always a VM exit under VMX, handled inside KVM from the table "
		    "kvmlab gave with KVM_SET_CPUID2 (no exit reaches kvmlab): EAX=0x%llx EBX=0x%llx "
		    "ECX=0x%llx EDX=0x%llx", (unsigned)st->before.rax,
		    (unsigned long long)(st->after.rax & 0xffffffffull),
		    (unsigned long long)(st->after.rbx & 0xffffffffull),
		    (unsigned long long)(st->after.rcx & 0xffffffffull),
		    (unsigned long long)(st->after.rdx & 0xffffffffull));
		break;
	case ZYDIS_MNEMONIC_RDTSC:
		/* SDM Vol. 3C "Instructions That Cause VM Exits Conditionally" ("RDTSC exiting") and
		 * "Timestamp-Counter Offsetting" (25.1.3 and 25.3; 26.1.3 and 26.6 later) */
		say(o, "RDTSC: EDX:EAX <- the time-stamp counter, 0x%llx; KVM normally lets it run "
		    "without a VM exit, the hardware adding the guest's TSC offset",
		    (unsigned long long)((st->after.rdx & 0xffffffffull) << 32 |
					 (st->after.rax & 0xffffffffull)));
		break;
	case ZYDIS_MNEMONIC_WRMSR:
		/* SDM Vol. 4 Table 2-2; SWAPGS Vol. 2B. EFER, FS_BASE and GS_BASE show in the state
		 * (explain_cr.c, explain_seg.c). */
		if (msr == MSR_KERNEL_GS_BASE)
			say(o, "WRMSR IA32_KERNEL_GS_BASE (MSR 0xC0000102) <- 0x%llx: nothing changes yet; "
			    "SWAPGS will exchange it with GS.base", (unsigned long long)edx_eax);
		else if (msr != MSR_EFER && msr != MSR_FS_BASE && msr != MSR_GS_BASE)
			say(o, "WRMSR MSR 0x%X <- 0x%llx (EDX:EAX)", msr, (unsigned long long)edx_eax);
		break;
	case ZYDIS_MNEMONIC_INVLPG: {
		/* SDM Vol. 3A 4.10.4.1: INVLPG drops the TLB entries for the page of its operand */
		uint64_t lin = engine_mem_offset(&st->before, in, &in->op[0]);

		if (!x86_code64(&st->sbefore))
			lin = (lin + st->sbefore.ds.base) & 0xffffffffull;
		say(o, "INVLPG: the TLB forgets its translation of linear 0x%llx (and that page's "
		    "paging-structure caches), so the next access walks the page tables again",
		    (unsigned long long)lin);
		break;
	}
	default:
		break;
	}
}
