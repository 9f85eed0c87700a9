/* view_code.c - the code pane: disassembly around the next instruction in the CPU's current
 * mode, breakpoints marked, CS:IP addresses in real mode and linear ones elsewhere.
 *
 * The listing keeps its first address while the next instruction stays inside it, so stepping
 * through a loop does not make the text jump; x86 code cannot be decoded backwards, so lines
 * above an address are found by decoding from a little before it until an instruction ends
 * exactly there. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

#define MAX_LINES 256
#define MAX_BACK 160           /* bytes looked at above an address to list lines there */

struct code {
	bool follow;                 /* the cursor is the next instruction */
	uint64_t cursor;             /* linear address of the cursor line */
	uint64_t top;                /* linear address of the first line */
	int bits;                    /* code size the listing was decoded in */
	int n;                       /* lines in the last listing */
	uint64_t addr[MAX_LINES];
};

static int code_open(struct tui *t, void **priv)
{
	struct code *c = calloc(1, sizeof(*c));

	(void)t;
	if (!c)
		return -1;
	c->follow = true;
	c->top = ~0ull;
	*priv = c;
	return 0;
}

static void code_close(void *priv)
{
	free(priv);
}

/* Formatted lines are remembered by address, code size and bytes: redrawing a listing while
 * stepping through it then formats only what changed (a held step key redraws thousands of
 * times a second). */
#define TEXT_CACHE 512

struct text_entry {
	uint64_t shown;
	uint8_t bits, len, avail;
	uint8_t bytes[15];
	char text[80];
};

static struct text_entry text_cache[TEXT_CACHE];

/* Decode one instruction at lin from buf (avail bytes); its length (at least 1) and text. */
static int decode(struct tui *t, int bits, uint64_t lin, const uint8_t *buf, size_t avail,
		  char *text, size_t len)
{
	uint64_t shown = t->snap.bits == 16 && bits == 16 ? lin - t->snap.sregs.cs.base : lin;
	size_t look = avail < 15 ? avail : 15;
	struct text_entry *c = &text_cache[(shown ^ shown >> 9 ^ (uint64_t)bits) % TEXT_CACHE];
	int n;

	if (avail == 0) {
		snprintf(text, len, "(not mapped)");
		return 1;
	}
	if (c->len && c->shown == shown && c->bits == bits && c->avail == look &&
	    memcmp(c->bytes, buf, c->len) == 0) {
		snprintf(text, len, "%s", c->text);
		return c->len;
	}
	n = disasm_text(&t->e->dis, bits, buf, avail, shown, text, len);
	if (n <= 0) {
		snprintf(text, len, "(bad) db 0x%02x", buf[0]);
		return 1;  /* not remembered: the bytes after this one made it undecodable */
	}
	if (strlen(text) < sizeof(c->text)) {
		*c = (struct text_entry){ .shown = shown, .bits = (uint8_t)bits, .len = (uint8_t)n,
					  .avail = (uint8_t)look };
		memcpy(c->bytes, buf, (size_t)n);
		snprintf(c->text, sizeof(c->text), "%s", text);
	}
	return n;
}

/* Length of the instruction in buf (1 for bytes that do not decode or are not there). */
static int insn_len(struct tui *t, int bits, const uint8_t *buf, size_t avail)
{
	struct insn in;

	if (avail == 0 || disasm_decode(&t->e->dis, bits, buf, avail, &in) < 0)
		return 1;
	return in.i.length;
}

/* Instructions decoded from start until target: how many, or -1 if none ends exactly there. */
static int lands(struct tui *t, int bits, uint64_t start, uint64_t target)
{
	uint8_t buf[MAX_BACK + 15];
	size_t avail;
	uint64_t a = start;
	int k = 0;

	if (start >= target || target - start > MAX_BACK)
		return -1;
	avail = tui_snap_read_linear(t, start, buf, (size_t)(target - start) + 15);
	while (a < target) {
		size_t off = (size_t)(a - start);

		if (off >= avail)
			return -1;
		a += (uint64_t)insn_len(t, bits, buf + off, avail - off);
		k++;
	}
	return a == target ? k : -1;
}

/* Instruction starts the guest really executed just before the shown step, in this code size
 * and below target: decoding from one of them cannot go astray. */
static int executed_starts(struct tui *t, int bits, uint64_t target, uint64_t *out, int max)
{
	const struct tui_snap *sn = &t->snap;
	int n = 0;

	for (uint64_t k = sn->pos, i = 0; k >= 1 && i < 16 && n < max; k--, i++) {
		struct step st;
		const struct step *p = &st;
		uint64_t pc;

		if (k == sn->pos)
			p = &sn->st;
		else if (history_get(&t->e->hist, k, &st) < 0)
			break;
		pc = engine_pc(&p->before, &p->sbefore);
		if (vmm_cpu_code_bits(&p->sbefore) == bits && pc < target && target - pc <= MAX_BACK)
			out[n++] = pc;
	}
	return n;
}

/* Drop instructions from the top of a listing that starts at a and has k above the target. */
static uint64_t trim(struct tui *t, int bits, uint64_t a, int k, int want)
{
	while (k > want) {
		uint8_t buf[16];
		size_t avail = tui_snap_read_linear(t, a, buf, sizeof(buf));

		a += (uint64_t)insn_len(t, bits, buf, avail);
		k--;
	}
	return a;
}

/* An address up to `want` instructions above target found from the bytes alone: the farthest
 * start that decodes into an instruction ending exactly at target. */
static uint64_t back_up_bytes(struct tui *t, int bits, uint64_t target, int want)
{
	uint64_t best = target;
	int bestk = 0, maxback = want * 7 < MAX_BACK ? want * 7 : MAX_BACK;

	for (int back = maxback; back >= 1; back--) {
		int k;

		if ((uint64_t)back > target)
			continue;
		k = lands(t, bits, target - (uint64_t)back, target);
		if (k > bestk) {
			best = target - (uint64_t)back;
			bestk = k;
			if (k >= want)
				break;
		}
	}
	return trim(t, bits, best, bestk, want);
}

/* An address `want` instructions above target (fewer if the bytes do not allow it). */
static uint64_t back_up(struct tui *t, int bits, uint64_t target, int want)
{
	uint64_t best = target, known[16];
	int bestk = 0;
	int nknown = executed_starts(t, bits, target, known, 16);

	/* First from the instructions the guest executed (the nearest that gives enough). */
	for (int i = 0; i < nknown; i++) {
		int k = lands(t, bits, known[i], target);

		if (k > 0 && (bestk < want ? k > bestk : k >= want && k < bestk)) {
			best = known[i];
			bestk = k;
		}
	}
	if (bestk >= want)
		return trim(t, bits, best, bestk, want);
	if (bestk > 0)
		return back_up_bytes(t, bits, best, want - bestk);
	return back_up_bytes(t, bits, target, want);
}

static bool is_break(const struct engine *e, uint64_t lin)
{
	for (int i = 0; i < e->nbrk; i++)
		if (e->brk[i] == lin)
			return true;
	return false;
}

static int find(const struct code *c, uint64_t lin)
{
	for (int i = 0; i < c->n; i++)
		if (c->addr[i] == lin)
			return i;
	return -1;
}

static void code_draw(struct tui *t, void *priv)
{
	struct code *c = priv;
	const struct tui_snap *sn = &t->snap;
	static uint8_t buf[MAX_LINES * 15 + 16];
	struct tui_pen p;
	int h, at, digits;
	size_t avail;
	uint64_t a;
	bool wide;

	tui_pen_start(&p, t, TUI_PANE_CODE);
	h = p.h < MAX_LINES ? p.h : MAX_LINES;
	if (h <= 0)
		return;
	if (c->follow)
		c->cursor = sn->pc;
	at = find(c, c->cursor);
	if (c->bits != sn->bits || at < 0 || c->n < h || (c->follow && at >= h - 1))
		c->top = back_up(t, sn->bits, c->cursor, h / 3);
	c->bits = sn->bits;
	for (int pass = 0; pass < 2; pass++) {
		avail = tui_snap_read_linear(t, c->top, buf, (size_t)h * 15 + 15);
		a = c->top;
		c->n = 0;
		for (int i = 0; i < h; i++) {
			size_t off = (size_t)(a - c->top);

			c->addr[c->n++] = a;
			a += (uint64_t)insn_len(t, sn->bits, buf + off, off < avail ? avail - off : 0);
		}
		if (find(c, c->cursor) >= 0 || pass == 1)
			break;
		c->top = c->cursor;  /* the listing above did not line up: start at the cursor */
	}
	t->code_cursor = c->cursor;
	wide = p.w >= 60;
	digits = sn->bits == 64 && a > 0xffffffffull ? 16 : 8;
	for (int i = 0; i < c->n; i++) {
		uint64_t lin = c->addr[i];
		size_t off = (size_t)(lin - c->top);
		size_t left = off < avail ? avail - off : 0;
		char text[160], bytes[40] = "";
		int len = decode(t, sn->bits, lin, buf + off, left, text, sizeof(text));
		bool cur = lin == sn->pc;
		bool cursor = !c->follow && lin == c->cursor && t->focus == TUI_PANE_CODE;
		enum tui_style st = cur ? TUI_ST_CURRENT : cursor ? TUI_ST_CURSOR : TUI_ST_NORMAL;

		tui_pen_put(&p, TUI_ST_BREAK, is_break(t->e, lin) ? "B" : " ");
		tui_pen_put(&p, st, cur ? ">" : cursor ? "*" : " ");
		if (sn->bits == 16 && !(sn->sregs.cr0 & X86_CR0(PE)))
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "%04x:%04llx ", sn->sregs.cs.selector,
				       (unsigned long long)(lin - sn->sregs.cs.base));
		else
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "%0*llx ", digits, (unsigned long long)lin);
		if (wide) {
			for (int k = 0; k < len && k < 8 && (size_t)k < left; k++)
				snprintf(bytes + 3 * k, sizeof(bytes) - 3 * (size_t)k, "%02x ", buf[off + (size_t)k]);
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "%-24s", bytes);
		}
		tui_pen_put(&p, st, text);
		if (st != TUI_ST_NORMAL)
			tui_pen_fill(&p, st);
		tui_pen_nl(&p);
	}
	tui_pen_end(&p);
}

static void code_title(struct tui *t, void *priv, char *buf, size_t len)
{
	const struct code *c = priv;

	snprintf(buf, len, "%d-bit%s", t->snap.bits, c->follow ? "" : ", cursor (Home: back to RIP)");
}

/* Move the cursor by delta lines (negative: up). */
static void move(struct tui *t, struct code *c, long delta)
{
	int at = find(c, c->cursor);

	c->follow = false;
	if (at < 0)
		at = 0;
	while (delta < 0) {
		if (at > 0) {
			at--;
		} else {
			uint64_t up = back_up(t, c->bits, c->addr[0], 1);

			if (up == c->addr[0] || c->n == 0)
				break;
			memmove(c->addr + 1, c->addr, (size_t)(c->n - 1) * sizeof(c->addr[0]));
			c->addr[0] = c->top = up;
		}
		delta++;
	}
	while (delta > 0 && c->n > 0) {
		if (at + 1 < c->n) {
			at++;
		} else {
			uint8_t buf[16];
			uint64_t last = c->addr[c->n - 1];
			size_t avail = tui_snap_read_linear(t, last, buf, sizeof(buf));

			memmove(c->addr, c->addr + 1, (size_t)(c->n - 1) * sizeof(c->addr[0]));
			c->addr[c->n - 1] = last + (uint64_t)insn_len(t, c->bits, buf, avail);
			c->top = c->addr[0];
		}
		delta--;
	}
	c->cursor = c->addr[at];
}

static bool code_key(struct tui *t, void *priv, enum tui_action a, uint64_t count)
{
	struct code *c = priv;
	long page = t->rect[TUI_PANE_CODE].h - 2;
	long n = count > 100000 ? 100000 : (long)count;

	switch (a) {
	case TUI_ACT_UP: move(t, c, -n); return true;
	case TUI_ACT_DOWN: move(t, c, n); return true;
	case TUI_ACT_PAGE_UP: move(t, c, -n * (page > 1 ? page : 1)); return true;
	case TUI_ACT_PAGE_DOWN: move(t, c, n * (page > 1 ? page : 1)); return true;
	case TUI_ACT_HOME: c->follow = true; return true;
	default: return false;
	}
}

static void code_follow(struct tui *t, void *priv)
{
	struct code *c = priv;

	(void)t;
	c->follow = true;
}

void tui_code_show(struct tui *t, uint64_t lin)
{
	struct code *c = t->pane[TUI_PANE_CODE].priv;

	c->follow = false;
	c->cursor = lin;
	c->n = 0;  /* re-anchor around it */
}

const struct tui_view tui_view_code = {
	.name = "code",
	.open = code_open,
	.close = code_close,
	.title = code_title,
	.draw = code_draw,
	.key = code_key,
	.follow = code_follow,
};
