/* view_memory.c - the memory pane: a hex view of guest memory as it was at the shown step, at a
 * linear or physical address; bytes the shown step wrote are highlighted.  Until the user picks
 * an address it follows the guest's latest write (or its stack before the first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct memory {
	bool custom;                 /* the user chose addr */
	struct tui_addr addr;        /* first row shown */
	int per_row, rows;           /* from the last draw */
};

static int memory_open(struct tui *t, void **priv)
{
	(void)t;
	*priv = calloc(1, sizeof(struct memory));
	return *priv ? 0 : -1;
}

static void memory_close(void *priv)
{
	free(priv);
}

/* The address to show when following the guest: the latest write up to the shown step, one
 * row of context above it; before any write, the stack. */
static struct tui_addr followed(struct tui *t, int per_row)
{
	const struct tui_write *w = tui_last_write(t, t->snap.pos);
	const struct tui_snap *sn = &t->snap;
	uint64_t a;

	if (w)
		a = w->gva;
	else
		a = (sn->bits == 64 ? 0 : sn->sregs.ss.base) + sn->regs.rsp;
	a &= ~(uint64_t)(per_row - 1);
	return (struct tui_addr){ .addr = a >= (uint64_t)per_row ? a - (uint64_t)per_row : a };
}

static bool written(const struct tui_snap *sn, uint64_t a, bool phys)
{
	if (!sn->has_step)
		return false;
	for (int k = 0; k < sn->st.nwrites && k < STEP_MAX_WRITES; k++) {
		const struct step_write *w = &sn->st.w[k];
		uint64_t base = phys ? w->gpa : w->gva;

		if (a >= base && a - base < w->len)
			return true;
	}
	return false;
}

static void memory_draw(struct tui *t, void *priv)
{
	struct memory *m = priv;
	struct tui_pen p;
	struct tui_addr at;
	int digits, avail, n;
	bool ascii = true;

	tui_pen_start(&p, t, TUI_PANE_MEMORY);
	p.scroll = 0;
	digits = (m->custom ? m->addr : followed(t, 8)).addr > 0xffffff00ull ? 16 : 8;
	avail = p.w - digits - 2;
	for (n = 32; n >= 4 && n * 4 + 1 > avail; n /= 2)
		;
	if (n < 8 && avail >= 24) {
		ascii = false;
		for (n = 32; n > 8 && n * 3 > avail; n /= 2)
			;
	}
	if (n < 4)
		n = 4;
	m->per_row = n;
	m->rows = p.h;
	at = m->custom ? m->addr : followed(t, n);
	for (int r = 0; r < p.h; r++) {
		uint64_t row = at.addr + (uint64_t)r * (uint64_t)n;
		uint8_t buf[32];
		size_t got;
		char asc[40];

		if (at.phys)
			got = tui_snap_read_phys(t, row, buf, (size_t)n) == 0 ? (size_t)n : 0;
		else
			got = tui_snap_read_linear(t, row, buf, (size_t)n);
		tui_pen_printf(&p, TUI_ST_DIM, "%0*llx ", digits, (unsigned long long)row);
		for (int i = 0; i < n; i++) {
			bool w = (size_t)i < got && written(&t->snap, row + (uint64_t)i, at.phys);

			tui_pen_col(&p, digits + 1 + i * 3 + (i >= n / 2 && n >= 16 ? 1 : 0));
			if ((size_t)i < got)
				tui_pen_printf(&p, w ? TUI_ST_CHANGED : TUI_ST_NORMAL, "%02x", buf[i]);
			else
				tui_pen_put(&p, TUI_ST_DIM, "??");
			asc[i] = (size_t)i < got && buf[i] >= 32 && buf[i] < 127 ? (char)buf[i] : '.';
		}
		asc[n] = '\0';
		if (ascii) {
			tui_pen_col(&p, digits + 2 + n * 3 + (n >= 16 ? 1 : 0));
			tui_pen_put(&p, TUI_ST_DIM, asc);
		}
		tui_pen_nl(&p);
	}
	if (!m->custom)
		m->addr = at;
	tui_pen_end(&p);
}

static void memory_title(struct tui *t, void *priv, char *buf, size_t len)
{
	const struct memory *m = priv;

	(void)t;
	snprintf(buf, len, "%s%s", m->addr.phys ? "physical" : "linear",
		 m->custom ? "" : ", follows writes");
}

static bool memory_key(struct tui *t, void *priv, enum tui_action a, uint64_t count)
{
	struct memory *m = priv;
	uint64_t row = (uint64_t)(m->per_row ? m->per_row : 8);
	uint64_t page = row * (uint64_t)(m->rows > 1 ? m->rows - 1 : 1), d;

	(void)t;
	switch (a) {
	case TUI_ACT_UP: d = row * count; break;
	case TUI_ACT_PAGE_UP: d = page * count; break;
	case TUI_ACT_DOWN: d = row * count; break;
	case TUI_ACT_PAGE_DOWN: d = page * count; break;
	case TUI_ACT_HOME: m->custom = false; return true;
	default: return false;
	}
	m->custom = true;
	if (a == TUI_ACT_UP || a == TUI_ACT_PAGE_UP)
		m->addr.addr = d > m->addr.addr ? 0 : m->addr.addr - d;
	else
		m->addr.addr += d;
	return true;
}

void tui_memory_show(struct tui *t, const struct tui_addr *a)
{
	struct memory *m = t->pane[TUI_PANE_MEMORY].priv;
	uint64_t row = (uint64_t)(m->per_row ? m->per_row : 8);

	m->custom = true;
	m->addr = *a;
	m->addr.addr &= ~(row - 1);
}

const struct tui_view tui_view_memory = {
	.name = "memory",
	.open = memory_open,
	.close = memory_close,
	.title = memory_title,
	.draw = memory_draw,
	.key = memory_key,
};
