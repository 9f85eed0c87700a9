/* explain.c - the sentence under each notable step: mode switches, tables, segments, I/O, exits. */
#include "explain.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpumode.h"
#include "engine.h"
#include "filecalls.h"
#include "hypercall.h"
#include "pagewalk.h"
#include "vm.h"
#include "x86.h"


struct out {
	char *buf;
	size_t len, n;
};

static void say(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append a clause; clauses are joined with "; " into one sentence. */
static void say(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n + 3 >= o->len)
		return;
	if (o->n) {
		memcpy(o->buf + o->n, "; ", 2);
		o->n += 2;
	}
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n = o->n + (size_t)k < o->len ? o->n + (size_t)k : o->len - 1;
}

void explain_init(struct explain_ctx *ctx, struct engine *e)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->e = e;
	ctx->tables_cr3 = ~0ull;
}

void explain_set_reader(struct explain_ctx *ctx, explain_read_fn fn, void *fn_ctx)
{
	ctx->read = fn;
	ctx->read_ctx = fn_ctx;
	ctx->tables_cr3 = ~0ull;
}

static int read_phys(struct explain_ctx *ctx, uint64_t gpa, void *buf, size_t len)
{
	if (ctx->read)
		return ctx->read(ctx->read_ctx, gpa, buf, len);
	return tvcpu_read(ctx->e->cpu, gpa, buf, len);
}

void explain_segment(const struct kvm_segment *s, char *buf, size_t len)
{
	const char *kind;

	if (!s->present) {
		snprintf(buf, len, "not present");
		return;
	}
	if (!s->s)
		kind = "system segment";
	else if (s->type & X86_SEG_TYPE_CODE)
		kind = s->l ? "64-bit code" : s->db ? "32-bit code" : "16-bit code";
	else
		kind = s->db ? "32-bit data" : "16-bit data";
	snprintf(buf, len, "%s, base 0x%llx, limit 0x%x, DPL %u", kind, (unsigned long long)s->base,
		 s->limit, s->dpl);
}

/* A control bit that was set or cleared: "<name> set<where>: <if set>" or the same with
 * "cleared" and <if cleared>. */
struct bit_change {
	uint64_t bit;
	const char *name, *where, *if_set, *if_cleared;
};

static const struct bit_change cr4_bits[] = {
	{ X86_CR4(PAE), "CR4.PAE", "", "page tables will use 64-bit entries",
	  "page tables go back to 32-bit entries" },
	{ X86_CR4(PSE), "CR4.PSE", "", "4 MiB pages allowed in 32-bit paging",
	  "4 MiB pages no longer allowed in 32-bit paging" },
	{ X86_CR4(LA57), "CR4.LA57", "", "5-level paging", "4-level paging" },
};

static const struct bit_change efer_bits[] = {
	{ X86_EFER(LME), "EFER.LME", " (MSR 0xC0000080)",
	  "long mode will activate when paging is turned on", "long mode disabled" },
	{ X86_EFER(NXE), "EFER.NXE", "", "the NX bit in page tables now forbids execution",
	  "the NX bit in page tables is now reserved" },
};

/* A clause for each of the n bits that differs between was and is. */
static void bit_changes(struct out *o, const struct bit_change *bits, size_t n, uint64_t was,
			uint64_t is)
{
	for (const struct bit_change *c = bits; c < bits + n; c++) {
		bool set = is & c->bit;

		if ((was ^ is) & c->bit)
			say(o, "%s %s%s: %s", c->name, set ? "set" : "cleared", c->where,
			    set ? c->if_set : c->if_cleared);
	}
}

static void control_regs(struct out *o, const struct kvm_sregs *a, const struct kvm_sregs *b)
{
	if (!(a->cr0 & X86_CR0(PE)) && (b->cr0 & X86_CR0(PE)))
		say(o, "CR0.PE set: the CPU enters protected mode (segment registers now select GDT descriptors)");
	if ((a->cr0 & X86_CR0(PE)) && !(b->cr0 & X86_CR0(PE)))
		say(o, "CR0.PE cleared: back to real mode");
	bit_changes(o, cr4_bits, sizeof(cr4_bits) / sizeof(cr4_bits[0]), a->cr4, b->cr4);
	if (a->cr3 != b->cr3)
		say(o, "CR3 <- 0x%llx: the top-level page table is now at that physical address",
		    (unsigned long long)b->cr3);
	bit_changes(o, efer_bits, sizeof(efer_bits) / sizeof(efer_bits[0]), a->efer, b->efer);
	if (!(a->cr0 & X86_CR0(PG)) && (b->cr0 & X86_CR0(PG)))
		say(o, "CR0.PG set: paging is on, every address now goes through the page tables at CR3=0x%llx",
		    (unsigned long long)b->cr3);
	if ((a->cr0 & X86_CR0(PG)) && !(b->cr0 & X86_CR0(PG)))
		say(o, "CR0.PG cleared: paging is off");
	if (!(a->efer & X86_EFER(LMA)) && (b->efer & X86_EFER(LMA)))
		say(o, "EFER.LMA turned on: long mode is active; CS is still %s, so the CPU runs in %s",
		    b->cs.l ? "a 64-bit segment" : "a 32-bit segment",
		    b->cs.l ? "64-bit mode" : "compatibility mode until a far jump loads a 64-bit CS");
}

/* One GDT descriptor in a few words: "0x08 32-bit code". */
static int describe_descriptor(uint64_t d, unsigned sel, char *buf, size_t len)
{
	struct kvm_segment s = x86_desc_unpack(d, (uint16_t)sel);
	bool code = s.type & X86_SEG_TYPE_CODE;

	if (!s.present)
		return snprintf(buf, len, "0x%02x not present", sel);
	return snprintf(buf, len, "0x%02x %s%s base 0x%llx limit 0x%x", sel,
			!s.s ? "system" : code && s.l ? "64-bit" : s.db ? "32-bit" : "16-bit",
			!s.s ? "" : code ? " code" : " data", (unsigned long long)s.base, s.limit);
}

/* The descriptors a new GDT holds (the first 8 after the null one), read from guest memory. */
static void describe_gdt(struct explain_ctx *ctx, struct out *o, const struct kvm_sregs *b)
{
	char list[400], one[80];
	size_t n = 0;
	unsigned count = (b->gdt.limit + 1u) / 8;

	list[0] = '\0';
	for (unsigned i = 1; i < count && i <= 8; i++) {
		uint64_t d = 0, gpa;

		if (engine_lin_to_phys(ctx->e, b, b->gdt.base + i * 8ull, &gpa) < 0 ||
		    read_phys(ctx, gpa, &d, 8) < 0)
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

static void segments(struct explain_ctx *ctx, struct out *o, const struct kvm_sregs *a,
		     const struct kvm_sregs *b)
{
	static const char *const names[] = { "CS", "DS", "ES", "FS", "GS", "SS" };
	const struct kvm_segment *sa[] = { &a->cs, &a->ds, &a->es, &a->fs, &a->gs, &a->ss };
	const struct kvm_segment *sb[] = { &b->cs, &b->ds, &b->es, &b->fs, &b->gs, &b->ss };
	char desc[96];

	for (int i = 0; i < 6; i++) {
		if (memcmp(sa[i], sb[i], sizeof(*sa[i])) == 0)
			continue;
		explain_segment(sb[i], desc, sizeof(desc));
		if (i == 0 && sb[i]->l && !sa[i]->l && (b->efer & X86_EFER(LMA)))
			say(o, "CS <- 0x%x: a 64-bit code segment (L=1): long mode proper", sb[i]->selector);
		else if (x86_code64(b) && i != 3 && i != 4 && i != 0)
			say(o, "%s <- 0x%x: %s (in 64-bit mode its base and limit are ignored)", names[i],
			    sb[i]->selector, desc);
		else
			say(o, "%s <- 0x%x: %s", names[i], sb[i]->selector, desc);
	}
	if (a->gdt.base != b->gdt.base || a->gdt.limit != b->gdt.limit)
		describe_gdt(ctx, o, b);
	if (a->idt.base != b->idt.base || a->idt.limit != b->idt.limit)
		say(o, "IDTR <- base 0x%llx, limit 0x%x%s", (unsigned long long)b->idt.base, b->idt.limit,
		    b->idt.limit == 0 ? " (empty: any exception now triple-faults)" : "");
}

/* Collect paging-structure pages reachable from CR3 (bounded), for spotting page-table writes. */
static void build_tables(struct explain_ctx *ctx, const struct kvm_sregs *s)
{
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	int levels = p == VMM_PAGING_32 ? 2 : p == VMM_PAGING_PAE ? 3 : p == VMM_PAGING_4LEVEL ? 4 :
		     p == VMM_PAGING_5LEVEL ? 5 : 0;
	unsigned esz = p == VMM_PAGING_32 ? 4 : 8;

	ctx->ntables = 0;
	ctx->tables_cr3 = s->cr3;
	if (!levels)
		return;
	ctx->table[0] = p == VMM_PAGING_PAE ? s->cr3 & ~0x1full : s->cr3 & 0x000ffffffffff000ull;
	ctx->level[0] = 0;
	ctx->ntables = 1;
	for (int t = 0; t < ctx->ntables; t++) {
		unsigned n = p == VMM_PAGING_PAE && ctx->level[t] == 0 ? 4 : 4096 / esz;

		if (ctx->level[t] + 1 >= levels)
			continue;
		for (unsigned i = 0; i < n && ctx->ntables < EXPLAIN_MAX_TABLES; i++) {
			uint64_t ent = 0;

			if (read_phys(ctx, ctx->table[t] + (uint64_t)i * esz, &ent, esz) < 0)
				break;
			if (!(ent & 1) || ((ent & 0x80) && (ctx->level[t] > 0 || p == VMM_PAGING_32)))
				continue;
			ctx->table[ctx->ntables] = ent & 0x000ffffffffff000ull;
			ctx->level[ctx->ntables++] = (uint8_t)(ctx->level[t] + 1);
		}
	}
}

static void table_writes(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	const struct kvm_sregs *s = &st->safter;
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	static const char *const names5[] = { "PML5", "PML4", "PDPT", "PD", "PT" };
	const char *const *names = p == VMM_PAGING_5LEVEL ? names5 : p == VMM_PAGING_4LEVEL ? names5 + 1 :
				   p == VMM_PAGING_PAE ? names5 + 2 : names5 + 3;
	unsigned esz = p == VMM_PAGING_32 ? 4 : 8;

	if (p == VMM_PAGING_NONE)
		return;
	if (ctx->tables_cr3 != s->cr3)
		build_tables(ctx, s);
	for (int k = 0; k < st->nwrites; k++) {
		const struct step_write *w = &st->w[k];

		for (int t = 0; t < ctx->ntables; t++) {
			uint64_t ent = 0;

			if (w->gpa < ctx->table[t] || w->gpa >= ctx->table[t] + 4096)
				continue;
			memcpy(&ent, w->new, w->len < esz ? w->len : esz);
			say(o, "%s[%llu] <- 0x%llx: a page-table entry changed (%s)", names[ctx->level[t]],
			    (unsigned long long)((w->gpa - ctx->table[t]) / esz), (unsigned long long)ent,
			    ent & 1 ? "present" : "not present");
			ctx->tables_cr3 = ~0ull;  /* the tree may have changed */
			break;
		}
	}
}

static void io(struct engine *e, struct out *o, const struct step_exit *x)
{
	const struct vmm_hc *hc = e->hc;
	uint32_t v = 0;

	memcpy(&v, x->data, x->size <= 4 ? x->size : 4);
	if (x->port == VMM_CONSOLE_PORT && !x->in && x->count > 1) {
		say(o, "string OUT to port 0xE9 (console): %u elements of %u byte%s, one exit each, "
		    "starting with '%c'", x->count, x->size, x->size > 1 ? "s" : "",
		    x->data[0] >= 32 && x->data[0] < 127 ? x->data[0] : '.');
		return;
	}
	if (x->port == VMM_CONSOLE_PORT && !x->in) {
		say(o, "OUT to port 0xE9 (console): '%s%c'", x->data[0] == '\n' ? "\\" : "",
		    x->data[0] == '\n' ? 'n' : x->data[0] >= 32 && x->data[0] < 127 ? x->data[0] : '.');
		return;
	}
	if (hc && vmm_hc_find(hc, x->port) >= 0) {
		say(o, "hypercall %s: %s port 0x%x %s 0x%x", vmm_hc_name(vmm_hc_find(hc, x->port)),
		    x->in ? "IN from" : "OUT to", x->port, x->in ? "->" : "<-", v);
		return;
	}
	if (e->fc && vmm_fc_find(e->fc, x->port) >= 0) {
		int id = vmm_fc_find(e->fc, x->port);

		say(o, "file hypercall %s: %s port 0x%x %s 0x%x%s", vmm_fc_name(id),
		    x->in ? "IN from" : "OUT to", x->port, x->in ? "->" : "<-", v,
		    e->fc->dirfd < 0 ? " (file hypercalls are off: run with --files DIR)" : "");
		return;
	}
	say(o, "%s port 0x%x (%u byte%s%s): no device there, %s", x->in ? "IN from" : "OUT to", x->port,
	    x->size, x->size > 1 ? "s" : "", x->count > 1 ? ", string I/O" : "",
	    x->in ? "it reads as all ones" : "the write is ignored");
}

static void exits(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	const struct step_exit *x = &st->exit;

	switch (x->kind) {
	case VMM_EXIT_IO_IN:
	case VMM_EXIT_IO_OUT:
		io(ctx->e, o, x);
		break;
	case VMM_EXIT_MMIO_READ:
	case VMM_EXIT_MMIO_WRITE:
		say(o, "MMIO %s of %u bytes at 0x%llx: no RAM there, so KVM exits to the VMM (KVM_EXIT_MMIO); "
		    "no device either, so %s", x->kind == VMM_EXIT_MMIO_READ ? "read" : "write", x->size,
		    (unsigned long long)x->addr,
		    x->kind == VMM_EXIT_MMIO_READ ? "it reads as all ones" : "the write is dropped");
		break;
	case VMM_EXIT_HLT:
		say(o, "HLT: the guest halts with RAX=%llu; the run ends here", (unsigned long long)st->after.rax);
		break;
	case VMM_EXIT_SHUTDOWN:
		if (st->safter.cr2 != st->sbefore.cr2)
			say(o, "triple fault (KVM_EXIT_SHUTDOWN): this instruction page-faulted at CR2=0x%llx "
			    "and the CPU found no usable handler (IDT base 0x%llx, limit 0x%x), so the guest "
			    "shut down", (unsigned long long)st->safter.cr2,
			    (unsigned long long)st->safter.idt.base, st->safter.idt.limit);
		else if (st->safter.idt.limit == 0)
			say(o, "triple fault (KVM_EXIT_SHUTDOWN): this instruction raised an exception and the "
			    "IDT is empty (limit 0), so the guest shut down");
		else
			say(o, "triple fault (KVM_EXIT_SHUTDOWN): this instruction raised an exception the CPU "
			    "found no usable handler for (IDT base 0x%llx, limit 0x%x), so the guest shut down",
			    (unsigned long long)st->safter.idt.base, st->safter.idt.limit);
		break;
	case VMM_EXIT_INTERNAL_ERROR:
		say(o, "KVM_EXIT_INTERNAL_ERROR: KVM could not emulate or deliver this instruction's effects");
		break;
	case VMM_EXIT_FAIL_ENTRY:
		say(o, "KVM_EXIT_FAIL_ENTRY: the CPU refused to enter the guest with this state");
		break;
	default:
		say(o, "VM exit: %s", vmm_exit_name(x->kind));
		break;
	}
}

/* INT3, INT n, INTO and IRET by their opcode (after any prefixes), cheap enough for every step. */
static void interrupts(struct out *o, const struct step *st)
{
	unsigned i = 0, vec;
	uint64_t next;

	while (i < st->insn_len && i < 4 && (st->insn[i] == 0x66 || st->insn[i] == 0x67 ||
					      (st->insn[i] & 0xf0) == 0x40))
		i++;
	if (i >= st->insn_len)
		return;
	if (st->insn[i] == 0xcf) {
		say(o, "IRET: back from an interrupt handler to %04x:%04llx, FLAGS restored from the stack",
		    st->safter.cs.selector, (unsigned long long)st->after.rip);
		return;
	}
	if (st->insn[i] != 0xcc && st->insn[i] != 0xcd && st->insn[i] != 0xce)
		return;
	vec = st->insn[i] == 0xcc ? 3 : st->insn[i] == 0xce ? 4 : i + 1 < st->insn_len ? st->insn[i + 1] : 0;
	next = st->before.rip + st->insn_len;
	if (st->after.rip == next && st->safter.cs.selector == st->sbefore.cs.selector)
		return;  /* INTO without overflow */
	if (vmm_cpu_mode(&st->sbefore) == VMM_CPU_REAL)
		say(o, "INT %u: FLAGS, CS and IP pushed, and the CPU jumped to the handler the IVT entry "
		    "at 0x%x names, %04x:%04llx%s", vec, vec * 4, st->safter.cs.selector,
		    (unsigned long long)st->after.rip,
		    st->sbefore.idt.limit < vec * 4 + 3 ? " (although the IDTR limit is too small for that "
		    "vector: this host's real-mode emulation ignored it)" : "");
	else
		say(o, "INT %u: the CPU delivered vector %u through the IDT gate at IDTR base + %u, to "
		    "%04x:%llx", vec, vec, vec * (st->sbefore.efer & X86_EFER(LMA) ? 16 : 8),
		    st->safter.cs.selector, (unsigned long long)st->after.rip);
}

int explain_step(struct explain_ctx *ctx, const struct step *st, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	if (memcmp(&st->sbefore, &st->safter, sizeof(st->sbefore)) != 0) {
		control_regs(&o, &st->sbefore, &st->safter);
		segments(ctx, &o, &st->sbefore, &st->safter);
	}
	if (st->insn_len)
		interrupts(&o, st);
	if (st->nwrites)
		table_writes(ctx, &o, st);
	if (st->has_exit)
		exits(ctx, &o, st);
	if (o.n && o.n + 1 < len) {
		buf[o.n++] = '.';
		buf[o.n] = '\0';
	}
	return (int)o.n;
}
