/* view_regs.c - the registers pane: general registers, RIP and RFLAGS (flags by name), with the
 * values the shown step changed highlighted. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

struct reg {
	const char *name64, *name32;
	size_t off;
	bool long_only;
};

#define R(n64, n32, field, lo) { n64, n32, offsetof(struct kvm_regs, field), lo }

static const struct reg regs[] = {
	R("rax", "eax", rax, false), R("rbx", "ebx", rbx, false), R("rcx", "ecx", rcx, false),
	R("rdx", "edx", rdx, false), R("rsi", "esi", rsi, false), R("rdi", "edi", rdi, false),
	R("rbp", "ebp", rbp, false), R("rsp", "esp", rsp, false), R("r8", "r8", r8, true),
	R("r9", "r9", r9, true), R("r10", "r10", r10, true), R("r11", "r11", r11, true),
	R("r12", "r12", r12, true), R("r13", "r13", r13, true), R("r14", "r14", r14, true),
	R("r15", "r15", r15, true), R("rip", "eip", rip, false), R("rfl", "efl", rflags, false),
};
#define NREGS (sizeof(regs) / sizeof(regs[0]))

static uint64_t get(const struct kvm_regs *r, const struct reg *g)
{
	uint64_t v;

	memcpy(&v, (const char *)r + g->off, sizeof(v));
	return v;
}

static void draw_flags(struct tui_pen *p, uint64_t now, uint64_t was, bool changed)
{
	char buf[64];

	tui_pen_put(p, TUI_ST_LABEL, "flags");
	for (const struct tui_bit *b = tui_rflags_bits; b->name; b++) {
		bool set = now >> b->bit & 1, flip = changed && (was >> b->bit & 1) != set;

		if (!set && !flip)
			continue;
		snprintf(buf, sizeof(buf), " %s%s", set ? "" : "-", b->name);
		tui_pen_put(p, flip ? TUI_ST_CHANGED : TUI_ST_NORMAL, buf);
	}
	if (now >> 12 & 3) {
		snprintf(buf, sizeof(buf), " IOPL=%u", (unsigned)(now >> 12 & 3));
		tui_pen_put(p, TUI_ST_NORMAL, buf);
	}
}

static void regs_draw(struct tui *t, void *priv)
{
	const struct tui_snap *sn = &t->snap;
	const struct kvm_regs *now = &sn->regs, *was = &sn->st.before;
	bool lm = sn->bits == 64, changed = sn->has_step;
	int digits = lm ? 16 : 8, cell, per_row, k = 0;
	struct tui_pen p;

	(void)priv;
	tui_pen_start(&p, t, TUI_PANE_REGS);
	/* Long mode shows 16 digits when the pane has room for three, or some value needs them. */
	if (lm && p.w < 3 * 21 - 1) {
		digits = 8;
		for (size_t i = 0; i < NREGS; i++)
			if (get(now, &regs[i]) >> 32)
				digits = 16;
	}
	cell = 4 + digits;
	per_row = (p.w + 1) / (cell + 1);
	if (per_row < 1)
		per_row = 1;
	for (size_t i = 0; i < NREGS; i++) {
		const struct reg *g = &regs[i];
		uint64_t v = get(now, g);
		bool diff = changed && v != get(was, g);
		char val[24];

		if (g->long_only && !lm)
			continue;
		if (k && k % per_row == 0)
			tui_pen_nl(&p);
		tui_pen_col(&p, (k % per_row) * (cell + 1));
		tui_pen_printf(&p, TUI_ST_LABEL, "%-3s ", lm ? g->name64 : g->name32);
		snprintf(val, sizeof(val), "%0*llx", digits,
			 (unsigned long long)(digits == 8 ? v & 0xffffffffull : v));
		tui_pen_put(&p, diff ? TUI_ST_CHANGED : TUI_ST_NORMAL, val);
		k++;
	}
	tui_pen_nl(&p);
	draw_flags(&p, now->rflags, was->rflags, changed);
	tui_pen_nl(&p);
	tui_pen_end(&p);
}

const struct tui_view tui_view_regs = {
	.name = "registers",
	.draw = regs_draw,
};
