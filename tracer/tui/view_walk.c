/* view_walk.c - the page-walk pane: how the CPU turns the next instruction's linear address (or
 * one the user typed) into a physical one, level by level, and what KVM_TRANSLATE says.
 *
 * With room, each level is a box (table, index and the address bits it came from, the entry and
 * its flags) with an arrow to the next table; in a small pane, one line per level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "walkfmt.h"
#include "vcpu.h"
#include "vm.h"

struct walkview {
	bool cached;                 /* KVM_TRANSLATE's answer for (count, lin) */
	uint64_t count, lin, gpa;
	bool valid;
	int err;
};

static int walk_open(struct tui *t, void **priv)
{
	(void)t;
	*priv = calloc(1, sizeof(struct walkview));
	return *priv ? 0 : -1;
}

static void walk_close(void *priv)
{
	free(priv);
}

/* Ask KVM (live state only).  KVM_TRANSLATE sets accessed bits in the guest's tables as it
 * walks; put back any entry it changed, so looking never changes the guest. */
static void translate(struct tui *t, struct walkview *v, const struct vmm_walk *w, uint64_t lin)
{
	if (v->cached && v->count == t->snap.count && v->lin == lin)
		return;
	v->err = engine_translate(t->e, w, lin, &v->gpa, &v->valid);
	v->cached = true;
	v->count = t->snap.count;
	v->lin = lin;
}

/* What KVM_TRANSLATE says; small: a few words to end the result line. */
static void kvm_part(struct tui *t, struct tui_pen *p, struct walkview *v, const struct vmm_walk *w,
		     uint64_t lin, bool small)
{
	bool ours = w->status == VMM_WALK_OK, agree;

	tui_pen_put(p, TUI_ST_LABEL, small ? " KVM " : "KVM_TRANSLATE ");
	if (!t->snap.live) {
		tui_pen_put(p, TUI_ST_DIM, small ? "live only" : "live only (asks the vCPU, ? explains)");
		return;
	}
	translate(t, v, w, lin);
	if (v->err < 0) {
		tui_pen_put(p, TUI_ST_ERROR, "failed");
		return;
	}
	agree = v->valid == ours && (!ours || v->gpa == w->phys);
	if (small && agree) {
		tui_pen_put(p, TUI_ST_DIM, "agrees");
		return;
	}
	if (!v->valid)
		tui_pen_put(p, TUI_ST_NORMAL, "not mapped");
	else
		tui_pen_printf(p, TUI_ST_NORMAL, "%llx", (unsigned long long)v->gpa);
	tui_pen_put(p, agree ? TUI_ST_DIM : TUI_ST_ERROR, agree ? " agrees" : " DISAGREES");
}

static void result(struct tui_pen *p, const struct vmm_walk *w, bool small)
{
	static const char *const sizes[] = { "4K", "2M", "4M", "1G" };
	const char *size = w->page_size == 1ull << 12 ? sizes[0] : w->page_size == 1ull << 21 ? sizes[1]
		: w->page_size == 1ull << 22 ? sizes[2] : w->page_size == 1ull << 30 ? sizes[3] : "";

	if (w->status != VMM_WALK_OK) {
		tui_pen_printf(p, TUI_ST_ERROR, "fault: %s", vmm_walk_status_name(w->status));
		if (w->fail_level >= 0 && w->fail_level < 5 && w->lvl[w->fail_level].name)
			tui_pen_printf(p, TUI_ST_ERROR, " at %s", w->lvl[w->fail_level].name);
		return;
	}
	tui_pen_put(p, TUI_ST_LABEL, "=> phys ");
	tui_pen_printf(p, TUI_ST_CHANGED, "%llx", (unsigned long long)w->phys);
	if (w->paging == VMM_PAGING_NONE)
		return;
	if (small)
		tui_pen_printf(p, TUI_ST_NORMAL, " %s %s", size, w->writable ? "RW" : "RO");
	else {
		char verdict[200];

		walkfmt_verdict(w, verdict, sizeof(verdict));
		tui_pen_printf(p, TUI_ST_NORMAL, " in a %s page, %s", size, verdict);
	}
}

static void compact(struct tui_pen *p, const struct vmm_walk *w)
{
	char flags[80];

	for (int i = 0; i < w->nlevels && i < 5; i++) {
		const struct vmm_walk_level *l = &w->lvl[i];

		vmm_walk_level_flags(w, i, flags, sizeof(flags));
		tui_pen_printf(p, TUI_ST_LABEL, "%-4s[%3u] ", l->name ? l->name : "?", l->index);
		tui_pen_printf(p, i == w->fail_level ? TUI_ST_ERROR : TUI_ST_NORMAL, "%0*llx ",
			       (int)l->entry_size * 2, (unsigned long long)l->entry);
		tui_pen_put(p, TUI_ST_DIM, flags);
		tui_pen_nl(p);
	}
}

static void boxes(struct tui_pen *p, const struct vmm_walk *w, int bw)
{
	char flags[80], line[160];

	for (int i = 0; i < w->nlevels && i < 5; i++) {
		const struct vmm_walk_level *l = &w->lvl[i];
		enum tui_style st = i == w->fail_level ? TUI_ST_ERROR : TUI_ST_NORMAL;
		int n;

		vmm_walk_level_flags(w, i, flags, sizeof(flags));
		n = snprintf(line, sizeof(line), "+- %s table @ %llx ", l->name ? l->name : "?",
			     (unsigned long long)l->table);
		for (; n < bw - 1 && n < (int)sizeof(line) - 2; n++)
			line[n] = '-';
		line[n++] = '+';
		line[n] = '\0';
		tui_pen_put(p, TUI_ST_DIM, line);
		tui_pen_nl(p);
		snprintf(line, sizeof(line), "| index %u (bits %u-%u)  entry @ %llx", l->index, l->bit_hi,
			 l->bit_lo, (unsigned long long)l->entry_addr);
		tui_pen_printf(p, TUI_ST_NORMAL, "%-*s|", bw - 1, line);
		tui_pen_nl(p);
		tui_pen_put(p, TUI_ST_NORMAL, "| ");
		tui_pen_printf(p, st, "%0*llx", (int)l->entry_size * 2, (unsigned long long)l->entry);
		tui_pen_printf(p, TUI_ST_LABEL, "  %-*s", bw - 5 - (int)l->entry_size * 2, flags);
		tui_pen_put(p, TUI_ST_NORMAL, "|");
		tui_pen_nl(p);
		memset(line, '-', (size_t)bw);
		line[0] = line[bw - 1] = '+';
		line[bw] = '\0';
		tui_pen_put(p, TUI_ST_DIM, line);
		tui_pen_nl(p);
		if (!l->leaf && i + 1 < w->nlevels) {
			tui_pen_printf(p, TUI_ST_DIM, "      |  next table %llx", (unsigned long long)w->lvl[i + 1].table);
			tui_pen_nl(p);
			tui_pen_put(p, TUI_ST_DIM, "      v");
			tui_pen_nl(p);
		}
	}
}

static void walk_draw(struct tui *t, void *priv)
{
	struct walkview *v = priv;
	const struct tui_snap *sn = &t->snap;
	uint64_t lin = t->walk_set ? t->walk_addr : sn->pc;
	struct tui_pen p;
	struct vmm_walk w;
	int bw, need;
	bool small;

	tui_pen_start(&p, t, TUI_PANE_WALK);
	if (tui_snap_walk(t, lin, &w) < 0) {
		tui_pen_printf(&p, TUI_ST_ERROR, "%llx cannot be walked in this paging mode",
			       (unsigned long long)lin);
		tui_pen_nl(&p);
		tui_pen_end(&p);
		return;
	}
	tui_pen_put(&p, TUI_ST_LABEL, "linear ");
	tui_pen_printf(&p, TUI_ST_NORMAL, "%llx", (unsigned long long)lin);
	tui_pen_printf(&p, TUI_ST_DIM, " (%s) ", t->walk_set ? t->walk_text : "RIP");
	if (w.paging == VMM_PAGING_NONE) {
		tui_pen_put(&p, TUI_ST_MODE, "paging off");
		tui_pen_nl(&p);
		tui_pen_put(&p, TUI_ST_NORMAL, "linear = physical, no tables");
		tui_pen_nl(&p);
		result(&p, &w, false);
		tui_pen_nl(&p);
		kvm_part(t, &p, v, &w, lin, false);
	} else {
		tui_pen_printf(&p, TUI_ST_MODE, "%s", vmm_paging_name(w.paging));
		tui_pen_printf(&p, TUI_ST_DIM, " CR3 %llx", (unsigned long long)w.cr3);
		tui_pen_nl(&p);
		bw = p.w - 1 < 56 ? p.w - 1 : 56;
		need = 1 + w.nlevels * 6 + 2;
		small = p.h < need || bw < 44;
		if (small)
			compact(&p, &w);
		else
			boxes(&p, &w, bw);
		result(&p, &w, small);
		if (!small)
			tui_pen_nl(&p);
		kvm_part(t, &p, v, &w, lin, small);
	}
	tui_pen_nl(&p);
	tui_pen_end(&p);
}

static void walk_title(struct tui *t, void *priv, char *buf, size_t len)
{
	(void)priv;
	if (t->walk_set)
		snprintf(buf, len, "of %s (W Enter: RIP)", t->walk_text);
	else
		snprintf(buf, len, "of RIP");
}

const struct tui_view tui_view_walk = {
	.name = "page walk",
	.open = walk_open,
	.close = walk_close,
	.title = walk_title,
	.draw = walk_draw,
};
