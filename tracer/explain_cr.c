/* explain_cr.c - control registers and EFER: mode switches, paging, CR3, feature bits. */
#include <stdio.h>
#include <string.h>

#include "cpumode.h"
#include "explain_priv.h"
#include "x86.h"

/* A control bit that was set or cleared: "<name> set<where>: <if set>" or the same with
 * "cleared" and <if cleared>. */
struct bit_change {
	uint64_t bit;
	const char *name, *where, *if_set, *if_cleared;
};

static const struct bit_change cr0_bits[] = {
	/* SDM Vol. 3A 2.5 (CR0.WP), 4.6.1 */
	{ X86_CR0(WP), "CR0.WP", "", "supervisor writes now honour read-only pages",
	  "supervisor code (CPL 0-2) may now write to read-only pages" },
	/* SDM Vol. 3A 2.5 (CR0.AM), 6.15 "#AC" */
	{ X86_CR0(AM), "CR0.AM", "", "alignment checking is armed: with EFLAGS.AC=1, a misaligned access "
	  "at CPL 3 raises #AC", "alignment checking is off whatever EFLAGS.AC says" },
};

static const struct bit_change cr4_bits[] = {
	/* SDM Vol. 3A 2.5, 4.1.1 */
	{ X86_CR4(PAE), "CR4.PAE", "", "page tables will use 64-bit entries",
	  "page tables go back to 32-bit entries" },
	{ X86_CR4(PSE), "CR4.PSE", "", "4 MiB pages allowed in 32-bit paging",
	  "4 MiB pages no longer allowed in 32-bit paging" },
	{ X86_CR4(LA57), "CR4.LA57", "", "5-level paging", "4-level paging" },
	/* SDM Vol. 3A 4.10.2.4: global translations survive CR3 writes; toggling PGE flushes all */
	{ X86_CR4(PGE), "CR4.PGE", "", "pages with G=1 are global: their TLB entries survive CR3 writes",
	  "global pages are off, and clearing PGE flushed every TLB entry, global ones included" },
	/* SDM Vol. 3A 4.6.1 */
	{ X86_CR4(SMEP), "CR4.SMEP", "", "supervisor code can no longer execute from user pages",
	  "supervisor code may execute from user pages again" },
	{ X86_CR4(SMAP), "CR4.SMAP", "", "supervisor data accesses to user pages now fault unless EFLAGS.AC=1",
	  "supervisor code may access user pages again" },
};

static const struct bit_change efer_bits[] = {
	/* SDM Vol. 3A 10.8.5 (IA-32e initialisation), 4.1.1 (NXE) */
	{ X86_EFER(LME), "EFER.LME", " (MSR 0xC0000080)",
	  "long mode will activate when paging is turned on", "long mode disabled" },
	{ X86_EFER(NXE), "EFER.NXE", "", "the NX bit in page tables now forbids execution",
	  "the NX bit in page tables is now reserved" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void bit_changes(struct out *o, const struct bit_change *bits, size_t n, uint64_t was,
			uint64_t is)
{
	for (const struct bit_change *c = bits; c < bits + n; c++) {
		bool set = is & c->bit;

		if ((was ^ is) & c->bit)  /* explain-coverage: the table's sentences */
			say(o, "%s %s%s: %s", c->name, set ? "set" : "cleared", c->where,
			    set ? c->if_set : c->if_cleared);
	}
}

/* CR3: the table address and the cache bits, by the paging mode it will serve
 * (SDM Vol. 3A 4.5 Table 4-12 for 4-level, 4.4.1 Table 4-7 for PAE, 4.3 Table 4-3 for 32-bit). */
static void cr3(struct out *o, const struct kvm_sregs *b)
{
	bool pg = b->cr0 & X86_CR0(PG), pae = b->cr4 & X86_CR4(PAE), lm = b->efer & (X86_EFER(LME) | X86_EFER(LMA));
	uint64_t v = b->cr3, table = v & (pae && !lm ? 0xffffffe0ull : pae ? 0x000ffffffffff000ull :
					 0xfffff000ull);
	const char *what = !pae ? "page directory" : !lm ? "page-directory-pointer table (4 PDPTEs)" :
			   (b->cr4 & X86_CR4(LA57)) ? "PML5 table" : "PML4 table";

	if (!pg)
		say(o, "CR3 <- 0x%llx: paging is off, so CR3 is not used yet; once CR0.PG is set the "
		    "top-level table will be read at physical 0x%llx", (unsigned long long)v,
		    (unsigned long long)(v & 0x000ffffffffff000ull));
	else
		say(o, "CR3 <- 0x%llx: the %s is now at physical 0x%llx", (unsigned long long)v, what,
		    (unsigned long long)table);
	if ((b->cr4 & X86_CR4(PCIDE)) && pae && lm)
		say(o, "PCID 0x%llx", (unsigned long long)(v & 0xfff));
	else if ((v & 0x18) && !(pae && !lm))
		say(o, "PWT=%u, PCD=%u: write-through / cache-disable for the CPU's accesses to that table",
		    (unsigned)(v >> 3) & 1, (unsigned)(v >> 4) & 1);
}

/* Segment caches that a mode switch does not touch (SDM Vol. 3A 9.9.1, 9.9.2, 3.4.3). */
static void caches_after_pe_clear(struct out *o, const struct kvm_sregs *b)
{
	static const char *const names[] = { "CS", "DS", "ES", "FS", "GS", "SS" };
	const struct kvm_segment *seg[] = { &b->cs, &b->ds, &b->es, &b->fs, &b->gs, &b->ss };
	char big[96];
	size_t n = 0;

	big[0] = '\0';
	for (int i = 0; i < 6; i++)
		if (seg[i]->limit > 0xffff)
			n += (size_t)snprintf(big + n, n < sizeof(big) ? sizeof(big) - n : 0, "%s%s",
					      n ? ", " : "", names[i]);
	if (!vmm_cpu_unreal(b)) {
		say(o, "CR0.PE cleared: back to real mode (every segment cache holds a 64 KiB limit, as "
		    "real mode expects)");
		return;
	}
	say(o, "CR0.PE cleared: real mode, but the segment caches keep their protected-mode limits "
	    "and attributes until each register is reloaded: unreal mode%s%s%s%s", big[0] ? " (" : "",
	    big, big[0] ? " reach past 64 KiB)" : "",
	    b->cs.db ? "; CS keeps D=1, so code still runs as 32-bit until a far jump reloads CS" : "");
}

void explain_control(struct out *o, const struct step *st)
{
	const struct kvm_sregs *a = &st->sbefore, *b = &st->safter;

	if (!(a->cr0 & X86_CR0(PE)) && (b->cr0 & X86_CR0(PE)))
		/* SDM Vol. 3A 9.9.1: after MOV CR0 the caches hold real-mode values until reloaded */
		say(o, "CR0.PE set: the CPU enters protected mode, but the segment caches keep their "
		    "real-mode contents (CS base 0x%llx, %u-bit) until each register is reloaded; a far "
		    "jump is what loads CS from the GDT", (unsigned long long)b->cs.base,
		    b->cs.db ? 32u : 16u);
	if ((a->cr0 & X86_CR0(PE)) && !(b->cr0 & X86_CR0(PE)))
		caches_after_pe_clear(o, b);
	bit_changes(o, cr0_bits, N(cr0_bits), a->cr0, b->cr0);
	bit_changes(o, cr4_bits, N(cr4_bits), a->cr4, b->cr4);
	if (a->cr3 != b->cr3)
		cr3(o, b);
	bit_changes(o, efer_bits, N(efer_bits), a->efer, b->efer);
	if (!(a->cr0 & X86_CR0(PG)) && (b->cr0 & X86_CR0(PG)))
		say(o, "CR0.PG set: paging is on, every linear address now goes through the page tables "
		    "at 0x%llx (CR3)", (unsigned long long)(b->cr3 & 0x000ffffffffff000ull));
	if ((a->cr0 & X86_CR0(PG)) && !(b->cr0 & X86_CR0(PG)))
		say(o, "CR0.PG cleared: paging is off, linear addresses are physical%s",
		    (a->efer & X86_EFER(LMA)) && !(b->efer & X86_EFER(LMA)) ?
		    "; EFER.LMA cleared with it: the CPU has left long mode (IA-32e) and runs in legacy "
		    "protected mode (SDM Vol. 3A 10.8.5.4)" : "");
	/* SDM Vol. 3A 10.8.5: LMA = LME and PG; until CS is loaded with L=1 the CPU runs in
	 * compatibility mode, with CS's D bit choosing 16- or 32-bit code (AMD APM Vol. 2 14.6). */
	if (!(a->efer & X86_EFER(LMA)) && (b->efer & X86_EFER(LMA)))
		say(o, "EFER.LMA turned on: long mode is active; CS is still %s, so the CPU runs in %s",
		    b->cs.l ? "a 64-bit segment" : b->cs.db ? "a 32-bit segment (L=0, D=1)" :
		    "a 16-bit segment (L=0, D=0)",
		    b->cs.l ? "64-bit mode" : "compatibility mode until a far jump loads a 64-bit CS");
}
