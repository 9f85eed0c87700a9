/* explain_seg.c - segment registers, their hidden caches, and the descriptor tables (GDT, IDT,
 * LDT, TSS). */
#include <stdio.h>
#include <string.h>

#include "cpumode.h"
#include "engine.h"
#include "explain_priv.h"
#include "x86.h"

/* A data segment's valid offsets in words: expand-down segments give limit+1 .. 0xFFFF (B=0)
 * or 0xFFFFFFFF (B=1), not 0..limit (SDM Vol. 3A 3.4.5.1, 5.3). */
static void data_range(const struct kvm_segment *s, char *buf, size_t len)
{
	uint64_t lo, hi;
	bool any = x86_seg_range(s, &lo, &hi);

	if (!(s->type & X86_SEG_TYPE_DC))
		snprintf(buf, len, "limit 0x%x", s->limit);
	else if (!any)
		snprintf(buf, len, "expand-down with limit 0x%x: no valid offset at all", s->limit);
	else
		snprintf(buf, len, "expand-down: valid offsets 0x%llx..0x%llx (limit 0x%x, B=%u)",
			 (unsigned long long)lo, (unsigned long long)hi, s->limit, s->db);
}

/* SDM Vol. 3A 3.4.5 (descriptor fields), 3.4.5.1 (types), 3.5 (system descriptors). */
void explain_segment(const struct kvm_segment *s, char *buf, size_t len)
{
	char range[96];

	if ((s->unusable || !s->present) && (s->selector & ~3u) == 0) {
		/* SDM Vol. 3A 3.4.2: a null selector may be loaded into DS-GS; using it faults */
		snprintf(buf, len, "a null selector: the register is unusable, and a memory access "
			 "through it raises #GP");
		return;
	}
	if (!s->present) {
		snprintf(buf, len, "not present");
		return;
	}
	if (!s->s) {
		snprintf(buf, len, "system segment type 0x%x, base 0x%llx, limit 0x%x, DPL %u", s->type,
			 (unsigned long long)s->base, s->limit, s->dpl);
		return;
	}
	if (s->type & 8) {
		snprintf(buf, len, "%s code, base 0x%llx, limit 0x%x, DPL %u",
			 s->l ? "64-bit" : s->db ? "32-bit" : "16-bit", (unsigned long long)s->base,
			 s->limit, s->dpl);
		return;
	}
	data_range(s, range, sizeof(range));
	snprintf(buf, len, "%s data, base 0x%llx, %s, DPL %u", s->type & 2 ? "read/write" : "read-only",
		 (unsigned long long)s->base, range, s->dpl);
}

/* One GDT descriptor in a few words: "0x08 32-bit code base 0x0 limit 0xffffffff". */
static void describe_descriptor(uint64_t d, unsigned sel, char *buf, size_t len)
{
	struct kvm_segment s = x86_desc_unpack(d, (uint16_t)sel);
	char range[96];

	if (!s.present) {
		snprintf(buf, len, "0x%02x not present", sel);
	} else if (!s.s) {
		/* SDM Vol. 3A 3.5 Table 3-2 */
		snprintf(buf, len, "0x%02x %s base 0x%llx limit 0x%x", sel,
			 s.type == 2 ? "LDT" : s.type == 9 ? "TSS (available)" : s.type == 11 ? "TSS (busy)" :
			 "system", (unsigned long long)s.base, s.limit);
	} else if (s.type & X86_SEG_TYPE_CODE) {
		snprintf(buf, len, "0x%02x %s code base 0x%llx limit 0x%x", sel,
			 s.l ? "64-bit" : s.db ? "32-bit" : "16-bit", (unsigned long long)s.base, s.limit);
	} else {
		data_range(&s, range, sizeof(range));
		snprintf(buf, len, "0x%02x data base 0x%llx %s", sel, (unsigned long long)s.base, range);
	}
}

/* The descriptors a new GDT holds (the first 8 after the null one), read from guest memory. */
static void describe_gdt(struct explain_ctx *ctx, struct out *o, const struct kvm_sregs *b)
{
	char list[600], one[200];
	size_t n = 0;
	unsigned count = (b->gdt.limit + 1u) / 8;

	list[0] = '\0';
	for (unsigned i = 1; i < count && i <= 8; i++) {
		uint64_t d = 0;

		if (explain_read_lin(ctx, b, b->gdt.base + i * 8ull, &d, 8) < 0)
			break;
		if (!d)
			continue;
		describe_descriptor(d, i * 8, one, sizeof(one));
		n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s", n ? ", " : "", one);
		if (n >= sizeof(list))
			break;
	}
	say(o, "GDTR <- base 0x%llx, limit 0x%x (%u descriptors%s%s)", (unsigned long long)b->gdt.base,
	    b->gdt.limit, count, list[0] ? ": " : "", list);
}

/* FS.base or GS.base changed with no selector load: WRMSR, SWAPGS or WRFSBASE/WRGSBASE
 * (SDM Vol. 3A 3.4.4.1; SWAPGS: Vol. 2B; the MSRs: Vol. 4 Table 2-2). */
static bool base_only(struct out *o, const struct step *st, const struct insn *in, int fsgs,
		      const struct kvm_segment *a, const struct kvm_segment *b)
{
	const char *name = fsgs == 3 ? "FS" : "GS";
	uint32_t msr = (uint32_t)st->before.rcx;

	if (a->selector != b->selector || !in)
		return false;
	switch (in->i.mnemonic) {
	case ZYDIS_MNEMONIC_SWAPGS:
		say(o, "SWAPGS: GS.base 0x%llx <-> IA32_KERNEL_GS_BASE (MSR 0xC0000102): GS.base is now "
		    "0x%llx and the old base waits in IA32_KERNEL_GS_BASE; no selector was loaded",
		    (unsigned long long)a->base, (unsigned long long)b->base);
		return true;
	case ZYDIS_MNEMONIC_WRMSR:
		if (msr != MSR_FS_BASE && msr != MSR_GS_BASE)
			return false;
		say(o, "WRMSR IA32_%s_BASE (MSR 0x%X): %s.base <- 0x%llx; only the hidden base changed, "
		    "no selector was loaded (%s is still 0x%x)", name, msr, name, (unsigned long long)b->base,
		    name, b->selector);
		return true;
	case ZYDIS_MNEMONIC_WRFSBASE:
	case ZYDIS_MNEMONIC_WRGSBASE:
		say(o, "%s.base <- 0x%llx: only the hidden base changed, no selector was loaded", name,
		    (unsigned long long)b->base);
		return true;
	default:
		return false;
	}
}

void explain_segments(struct explain_ctx *ctx, struct out *o, const struct step *st,
		      const struct insn *in)
{
	static const char *const names[] = { "CS", "DS", "ES", "FS", "GS", "SS" };
	const struct kvm_sregs *a = &st->sbefore, *b = &st->safter;
	const struct kvm_segment *sa[] = { &a->cs, &a->ds, &a->es, &a->fs, &a->gs, &a->ss };
	const struct kvm_segment *sb[] = { &b->cs, &b->ds, &b->es, &b->fs, &b->gs, &b->ss };
	bool lm = b->efer & X86_EFER(LMA);
	char desc[160];

	(void)ctx;
	for (int i = 0; i < 6; i++) {
		if (memcmp(sa[i], sb[i], sizeof(*sa[i])) == 0)
			continue;
		if ((i == 3 || i == 4) && base_only(o, st, in, i, sa[i], sb[i]))
			continue;
		explain_segment(sb[i], desc, sizeof(desc));
		/* SDM Vol. 3A 3.4.4 and 5.2.1: in 64-bit mode CS/DS/ES/SS bases and limits are ignored;
		 * FS and GS keep their base, and their limit is ignored. */
		if (i == 0 && lm && sb[0]->l && !sa[0]->l)
			say(o, "CS <- 0x%x: a 64-bit code segment (L=1): the CPU is now in 64-bit mode",
			    sb[0]->selector);
		else if (i == 0 && lm && !sb[0]->l && sa[0]->l)
			say(o, "CS <- 0x%x: %s (L=0) while EFER.LMA=1: the CPU leaves 64-bit mode for "
			    "compatibility mode", sb[0]->selector, desc);
		else if (lm && b->cs.l && (i == 3 || i == 4))
			say(o, "%s <- 0x%x: base 0x%llx (in 64-bit mode FS and GS keep their base; the "
			    "limit and attributes are ignored)", names[i], sb[i]->selector,
			    (unsigned long long)sb[i]->base);
		else if (lm && b->cs.l && i == 5 && (sb[5]->selector & ~3u) == 0)
			/* SDM Vol. 3A 6.14.4: a privilege change in IA-32e mode loads a null SS */
			say(o, "SS <- 0x%x: a null SS, which 64-bit mode allows at CPL 0-2 (an interrupt or "
			    "exception that changes privilege level loads one)", sb[5]->selector);
		else if (lm && b->cs.l && i != 0)
			say(o, "%s <- 0x%x: %s (in 64-bit mode its base and limit are ignored)", names[i],
			    sb[i]->selector, desc);
		else if (!(b->cr0 & X86_CR0(PE)) && vmm_cpu_unreal(b))
			/* SDM Vol. 3A 20.1.1, 9.9.2: a real-mode load sets the selector and base only */
			say(o, "%s <- 0x%x: in real mode a segment load sets only the selector and the base "
			    "(0x%llx); the cache keeps its limit 0x%x%s", names[i], sb[i]->selector,
			    (unsigned long long)sb[i]->base, sb[i]->limit,
			    i == 0 && sb[0]->db ? " and D=1, so code still runs as 32-bit" : "");
		else  /* explain-coverage: explain_segment's sentences */
			say(o, "%s <- 0x%x: %s", names[i], sb[i]->selector, desc);
	}
	/* SDM Vol. 3A 5.5, 5.8: CPL is CS.RPL; a return to a numerically higher CPL is how user
	 * code starts. */
	if (explain_cpl(b) != explain_cpl(a) && explain_cpl(b) == 3)
		say(o, "CPL %u -> 3: the CPU now runs user code: privileged instructions raise #GP, and "
		    "supervisor-only pages raise #PF", explain_cpl(a));
	else if (explain_cpl(b) != explain_cpl(a) && explain_cpl(b) == 0)
		say(o, "CPL %u -> 0: the CPU is back in the kernel (supervisor mode)", explain_cpl(a));
	else if (explain_cpl(b) != explain_cpl(a))
		say(o, "CPL %u -> %u: a change of privilege level", explain_cpl(a), explain_cpl(b));
}

void explain_tables(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	const struct kvm_sregs *a = &st->sbefore, *b = &st->safter;
	unsigned gate = !(b->cr0 & X86_CR0(PE)) ? 4 : (b->efer & X86_EFER(LMA)) ? 16 : 8;

	if (a->gdt.base != b->gdt.base || a->gdt.limit != b->gdt.limit)
		describe_gdt(ctx, o, b);
	/* SDM Vol. 3A 6.10: a vector whose gate lies past the limit raises #GP; real mode 20.1.4 */
	if (a->idt.base != b->idt.base || a->idt.limit != b->idt.limit)
		say(o, "IDTR <- base 0x%llx, limit 0x%x (%s%u vectors%s)", (unsigned long long)b->idt.base,
		    b->idt.limit, gate == 4 ? "real mode: an IVT of 4-byte entries, " : "",
		    (b->idt.limit + 1u) / gate,
		    b->idt.limit == 0 ? "; empty: any exception now ends in a triple fault" : "");
	/* SDM Vol. 3A 7.2.4 (TR, LTR), 3.5.1 (LDTR, LLDT) */
	if (a->tr.selector != b->tr.selector || a->tr.base != b->tr.base)
		say(o, "TR <- 0x%x: the task-state segment at base 0x%llx, limit 0x%x (LTR marks its "
		    "descriptor busy; the CPU takes the stack pointers for privilege changes%s from it)",
		    b->tr.selector, (unsigned long long)b->tr.base, b->tr.limit,
		    b->efer & X86_EFER(LMA) ? " and IST stacks" : "");
	if ((a->ldt.selector != b->ldt.selector || a->ldt.base != b->ldt.base) &&
	    (b->ldt.selector & ~3u))
		say(o, "LDTR <- 0x%x: the local descriptor table at base 0x%llx, limit 0x%x: selectors "
		    "with TI=1 now index it", b->ldt.selector, (unsigned long long)b->ldt.base,
		    b->ldt.limit);
	else if (a->ldt.selector != b->ldt.selector)
		say(o, "LDTR <- 0x%x: no LDT (a null selector)", b->ldt.selector);
}
