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
	R("r15", "r15", r15, true), R("rip", "eip", rip, false),
};
static const struct reg flags_reg = R("rfl", "efl", rflags, false);
#define NREGS (sizeof(regs) / sizeof(regs[0]))

static uint64_t get(const struct kvm_regs *r, const struct reg *g)
{
	uint64_t v;

	memcpy(&v, (const char *)r + g->off, sizeof(v));
	return v;
}

/* Hex digits per value and values per row for a pane w wide. */
static void geometry(const struct tui_snap *sn, int w, int *digits, int *per_row)
{
	bool lm = sn->bits == 64;

	*digits = lm ? 16 : 8;
	/* Long mode shows 16 digits when the pane has room for three, or some value needs them. */
	if (lm && w < 3 * 21 - 1) {
		*digits = 8;
		for (size_t i = 0; i < NREGS; i++)
			if (get(&sn->regs, &regs[i]) >> 32)
				*digits = 16;
	}
	*per_row = (w + 1) / (4 + *digits + 1);
	if (*per_row < 1)
		*per_row = 1;
}

int tui_regs_lines(const struct tui *t, int w)
{
	int digits, per_row, n = t->snap.bits == 64 ? (int)NREGS : (int)NREGS - 8;

	geometry(&t->snap, w, &digits, &per_row);
	return (n + per_row - 1) / per_row + 1;
}

/* RFLAGS and its set flags by name; flags the step changed highlighted, cleared ones as -XF. */
static void draw_flags(struct tui_pen *p, const struct tui_snap *sn, int digits, bool changed)
{
	uint64_t now = sn->regs.rflags, was = sn->st.before.rflags;
	bool lm = sn->bits == 64;
	char buf[64];

	tui_pen_printf(p, TUI_ST_LABEL, "%-3s ", lm ? flags_reg.name64 : flags_reg.name32);
	tui_pen_printf(p, changed && now != was ? TUI_ST_CHANGED : TUI_ST_NORMAL, "%0*llx", digits,
		       (unsigned long long)now);
	for (const struct x86_bit *b = x86_rflags_bits; b->name; b++) {
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
	int digits, cell, per_row, k = 0;
	struct tui_pen p;

	(void)priv;
	tui_pen_start(&p, t, TUI_PANE_REGS);
	geometry(sn, p.w, &digits, &per_row);
	cell = 4 + digits;
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
	draw_flags(&p, sn, digits, changed);
	tui_pen_nl(&p);
	tui_pen_end(&p);
}

const struct tui_view tui_view_regs = {
	.name = "registers",
	.draw = regs_draw,
};
