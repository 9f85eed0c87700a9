/* regdiff.c - which registers a step changed, by name. */
#include "regdiff.h"

#include <stddef.h>
#include <string.h>

#include "x86.h"

#define GPR(n) { #n, offsetof(struct kvm_regs, n) }

static const struct {
	const char *name;
	size_t off;
} gprs[] = {
	GPR(rax), GPR(rbx), GPR(rcx), GPR(rdx), GPR(rsi), GPR(rdi), GPR(rsp), GPR(rbp),
	GPR(r8), GPR(r9), GPR(r10), GPR(r11), GPR(r12), GPR(r13), GPR(r14), GPR(r15),
	GPR(rip), GPR(rflags),
};

static int add(struct reg_change *out, int n, const char *name, uint64_t a, uint64_t b)
{
	if (a != b && n < REGDIFF_MAX)
		out[n++] = (struct reg_change){ name, a, b };
	return n;
}

static int segment(struct reg_change *out, int n, const char *const names[4],
		   const struct kvm_segment *a, const struct kvm_segment *b)
{
	n = add(out, n, names[0], a->selector, b->selector);
	n = add(out, n, names[1], a->base, b->base);
	n = add(out, n, names[2], a->limit, b->limit);
	return add(out, n, names[3], x86_seg_attr(a), x86_seg_attr(b));
}

int regdiff(const struct step *st, struct reg_change *out)
{
	static const char *const segnames[][4] = {
		{ "cs.sel", "cs.base", "cs.limit", "cs.attr" },
		{ "ds.sel", "ds.base", "ds.limit", "ds.attr" },
		{ "es.sel", "es.base", "es.limit", "es.attr" },
		{ "fs.sel", "fs.base", "fs.limit", "fs.attr" },
		{ "gs.sel", "gs.base", "gs.limit", "gs.attr" },
		{ "ss.sel", "ss.base", "ss.limit", "ss.attr" },
		{ "tr.sel", "tr.base", "tr.limit", "tr.attr" },
		{ "ldt.sel", "ldt.base", "ldt.limit", "ldt.attr" },
	};
	const struct kvm_sregs *a = &st->sbefore, *b = &st->safter;
	const struct kvm_segment *sa[] = { &a->cs, &a->ds, &a->es, &a->fs, &a->gs, &a->ss, &a->tr, &a->ldt };
	const struct kvm_segment *sb[] = { &b->cs, &b->ds, &b->es, &b->fs, &b->gs, &b->ss, &b->tr, &b->ldt };
	int n = 0;

	for (size_t i = 0; i < sizeof(gprs) / sizeof(gprs[0]); i++) {
		uint64_t x, y;

		memcpy(&x, (const char *)&st->before + gprs[i].off, 8);
		memcpy(&y, (const char *)&st->after + gprs[i].off, 8);
		n = add(out, n, gprs[i].name, x, y);
	}
	if (memcmp(a, b, sizeof(*a)) == 0)
		return n;
	n = add(out, n, "cr0", a->cr0, b->cr0);
	n = add(out, n, "cr2", a->cr2, b->cr2);
	n = add(out, n, "cr3", a->cr3, b->cr3);
	n = add(out, n, "cr4", a->cr4, b->cr4);
	n = add(out, n, "cr8", a->cr8, b->cr8);
	n = add(out, n, "efer", a->efer, b->efer);
	for (int i = 0; i < 8; i++)
		n = segment(out, n, segnames[i], sa[i], sb[i]);
	n = add(out, n, "gdtr.base", a->gdt.base, b->gdt.base);
	n = add(out, n, "gdtr.limit", a->gdt.limit, b->gdt.limit);
	n = add(out, n, "idtr.base", a->idt.base, b->idt.base);
	return add(out, n, "idtr.limit", a->idt.limit, b->idt.limit);
}
