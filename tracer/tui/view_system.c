/* view_system.c - the system pane: the mode label, CR0/CR3/CR4/EFER by bit name, GDTR/IDTR and
 * the segment registers with their hidden base, limit, type, DPL and L/D bits. */
#include <stdio.h>
#include <string.h>

#include "tui.h"
#include "x86.h"

static void creg(struct tui_pen *p, const char *name, uint64_t now, uint64_t was, bool changed,
		 const struct x86_bit *bits, int digits)
{
	char names[160];

	tui_pen_printf(p, TUI_ST_LABEL, "%-4s ", name);
	tui_pen_printf(p, changed && now != was ? TUI_ST_CHANGED : TUI_ST_NORMAL, "%0*llx", digits,
		       (unsigned long long)now);
	if (bits) {
		x86_bits_text(now, bits, names, sizeof(names));
		if (names[0]) {
			tui_pen_put(p, TUI_ST_NORMAL, " ");
			tui_pen_put(p, changed && now != was ? TUI_ST_CHANGED : TUI_ST_NORMAL, names);
		}
	}
	tui_pen_nl(p);
}

static bool seg_differs(const struct kvm_segment *a, const struct kvm_segment *b)
{
	return a->selector != b->selector || a->base != b->base || a->limit != b->limit ||
	       a->type != b->type || a->dpl != b->dpl || a->l != b->l || a->db != b->db ||
	       a->present != b->present || a->s != b->s || a->unusable != b->unusable;
}

/* The descriptor's access byte as the GDT holds it: P, DPL, S and the type (0x9b: code RX). */
static unsigned access_byte(const struct kvm_segment *s)
{
	return x86_seg_attr(s) & 0xff;
}

static void seg(struct tui_pen *p, const char *name, const struct kvm_segment *s,
		const struct kvm_segment *was, bool changed, bool wide, bool lm)
{
	enum tui_style st = changed && seg_differs(s, was) ? TUI_ST_CHANGED : TUI_ST_NORMAL;

	tui_pen_printf(p, TUI_ST_LABEL, "%-2s ", name);
	if (wide)
		tui_pen_printf(p, st, "%04x %0*llx %08x %02x %-8s %u  %c%c", s->selector, lm ? 16 : 8,
			       (unsigned long long)s->base, s->limit, access_byte(s), tui_seg_type(s),
			       s->dpl, s->l ? 'L' : '-', s->db ? 'D' : '-');
	else
		tui_pen_printf(p, st, "%04x %08llx %08x %02x  %u  %c%c", s->selector,
			       (unsigned long long)s->base, s->limit, access_byte(s), s->dpl,
			       s->l ? 'L' : '-', s->db ? 'D' : '-');
	tui_pen_nl(p);
}

/* Expand-down data segments: the limit column is the lowest invalid offset, so say which
 * offsets are valid (SDM Vol. 3A 5.3). Ignored in 64-bit mode. The lines written (p NULL: only
 * counted). */
static int expand_down(struct tui_pen *p, const struct kvm_sregs *s, bool lm)
{
	static const char *const names[] = { "SS", "DS", "ES", "FS", "GS" };
	const struct kvm_segment *segs[] = { &s->ss, &s->ds, &s->es, &s->fs, &s->gs };
	uint64_t lo, hi;
	int n = 0;

	for (int i = 0; i < 5 && !lm; i++) {
		const struct kvm_segment *g = segs[i];

		if (g->unusable || !g->s || (g->type & X86_SEG_TYPE_CODE) || !(g->type & X86_SEG_TYPE_DC))
			continue;
		n++;
		if (!p)
			continue;
		if (x86_seg_range(g, &lo, &hi))
			tui_pen_printf(p, TUI_ST_DIM, "%s expand-down: valid offsets %llx..%llx", names[i],
				       (unsigned long long)lo, (unsigned long long)hi);
		else
			tui_pen_printf(p, TUI_ST_DIM, "%s expand-down: no valid offset", names[i]);
		tui_pen_nl(p);
	}
	return n;
}

int tui_system_lines(const struct tui *t, int w)
{
	const struct kvm_sregs *s = &t->snap.sregs;
	int dt = t->snap.bits == 64 && (s->gdt.base >> 32 || s->idt.base >> 32) ? 16 : 8;

	/* mode, CR0, CR3, CR4, EFER, GDT and IDT (one line or two), the header, 8 segments, and a
	 * line per expand-down data segment */
	return 5 + (w < 2 * (dt + 10) + 1 ? 2 : 1) + 1 + 8 + expand_down(NULL, s, t->snap.bits == 64);
}

static void system_draw(struct tui *t, void *priv)
{
	const struct tui_snap *sn = &t->snap;
	const struct kvm_sregs *s = &sn->sregs, *w = &sn->st.sbefore;
	bool ch = sn->has_step, lm = sn->bits == 64;
	const char *mode = vmm_cpu_label(s);
	struct tui_pen p;
	bool wide;
	int dt;

	(void)priv;
	tui_pen_start(&p, t, TUI_PANE_SYSTEM);
	wide = p.w >= (lm ? 60 : 52);
	tui_pen_put(&p, TUI_ST_LABEL, "mode ");
	tui_pen_put(&p, ch && strcmp(vmm_cpu_label(w), mode) != 0 ? TUI_ST_CHANGED : TUI_ST_MODE, mode);
	tui_pen_printf(&p, TUI_ST_NORMAL, "  CPL%u  %d-bit code", s->cs.dpl & 3, sn->bits);
	tui_pen_nl(&p);
	creg(&p, "CR0", s->cr0, w->cr0, ch, x86_cr0_bits, 8);
	creg(&p, "CR3", s->cr3, w->cr3, ch, NULL, lm || s->cr3 >> 32 ? 16 : 8);
	creg(&p, "CR4", s->cr4, w->cr4, ch, x86_cr4_bits, 8);
	creg(&p, "EFER", s->efer, w->efer, ch, x86_efer_bits, 8);
	dt = lm && (s->gdt.base >> 32 || s->idt.base >> 32) ? 16 : 8;
	tui_pen_put(&p, TUI_ST_LABEL, "GDT ");
	tui_pen_printf(&p, ch && (s->gdt.base != w->gdt.base || s->gdt.limit != w->gdt.limit)
		       ? TUI_ST_CHANGED : TUI_ST_NORMAL, "%0*llx/%04x", dt,
		       (unsigned long long)s->gdt.base, s->gdt.limit);
	if (p.w < 2 * (dt + 10) + 1)
		tui_pen_nl(&p);
	else
		tui_pen_put(&p, TUI_ST_NORMAL, " ");
	tui_pen_put(&p, TUI_ST_LABEL, "IDT ");
	tui_pen_printf(&p, ch && (s->idt.base != w->idt.base || s->idt.limit != w->idt.limit)
		       ? TUI_ST_CHANGED : TUI_ST_NORMAL, "%0*llx/%04x", dt,
		       (unsigned long long)s->idt.base, s->idt.limit);
	if (s->cr2)
		tui_pen_printf(&p, TUI_ST_NORMAL, "  CR2 %llx", (unsigned long long)s->cr2);
	tui_pen_nl(&p);
	if (wide)
		tui_pen_printf(&p, TUI_ST_DIM, "   sel  %-*s limit    acc type     DPL LD",
			       lm ? 16 : 8, "base");
	else
		tui_pen_put(&p, TUI_ST_DIM, "   sel  base     limit    acc DPL LD");
	tui_pen_nl(&p);
	seg(&p, "CS", &s->cs, &w->cs, ch, wide, lm);
	seg(&p, "SS", &s->ss, &w->ss, ch, wide, lm);
	seg(&p, "DS", &s->ds, &w->ds, ch, wide, lm);
	seg(&p, "ES", &s->es, &w->es, ch, wide, lm);
	seg(&p, "FS", &s->fs, &w->fs, ch, wide, lm);
	seg(&p, "GS", &s->gs, &w->gs, ch, wide, lm);
	seg(&p, "TR", &s->tr, &w->tr, ch, wide, lm);
	seg(&p, "LD", &s->ldt, &w->ldt, ch, wide, lm);
	expand_down(&p, s, lm);
	tui_pen_end(&p);
}

const struct tui_view tui_view_system = {
	.name = "system",
	.draw = system_draw,
};
