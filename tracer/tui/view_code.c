/* view_code.c - the code pane: the instructions around the next one, breakpoints marked, CS:IP
 * addresses in real mode and linear ones elsewhere, a symbol's name where it starts.
 *
 * An instruction the guest already executed is shown as it ran: with the code size and the bytes
 * of that step (from t->xmap), so a far jump made in 16-bit code still reads as one after the
 * switch to 64-bit mode.  Everything else is decoded in the current mode, always from a known
 * instruction boundary: the next instruction, the end of one before it, an executed instruction
 * or a symbol.  x86 code cannot be decoded backwards, so lines above an address come from a known
 * start below it whose instructions end exactly there; with none, the listing starts at the
 * address.  The listing keeps its first address while the next instruction stays inside it, so
 * stepping through a loop does not make the text jump. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "symbols.h"
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
	struct tui_xrec rec[MAX_LINES];  /* each line's code size and bytes */
	bool ran[MAX_LINES];         /* ... as it ran by the shown step */
	int row[MAX_LINES];          /* the screen row of each instruction */
	bool src[MAX_LINES];         /* a C source line is shown before it */
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
	n = disasm_text_at(&t->e->dis, bits, buf, avail, shown, shown == lin ? 0 : t->snap.sregs.cs.base,
			   text, len);
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

/* The instruction at lin as the listing shows it: as it ran by the shown step (ran), or decoded
 * from memory in the current mode; its length (at least 1). */
static int line_at(struct tui *t, uint64_t lin, struct tui_xrec *out, bool *ran)
{
	const struct tui_snap *sn = &t->snap;
	const struct tui_xrec *x = lin == sn->pc ? NULL : tui_xmap_find(&t->xmap, lin, sn->pos);
	uint8_t buf[15];
	size_t avail;

	*ran = x != NULL;
	if (x) {
		*out = *x;
		return x->len;
	}
	avail = tui_snap_read_linear(t, lin, buf, sizeof(buf));
	*out = (struct tui_xrec){ .bits = (uint8_t)sn->bits };
	out->len = (uint8_t)insn_len(t, sn->bits, buf, avail);
	memcpy(out->bytes, buf, avail < out->len ? avail : out->len);
	return out->len;
}

/* Lines from start until target: how many, or -1 if none ends exactly there. */
static int lands(struct tui *t, uint64_t start, uint64_t target)
{
	struct tui_xrec r;
	uint64_t a = start;
	bool ran;
	int k = 0;

	while (a < target && k < MAX_LINES) {
		a += (uint64_t)line_at(t, a, &r, &ran);
		k++;
	}
	return a == target ? k : -1;
}

/* A known instruction start: executed by the shown step, or where a symbol starts. */
static bool known_start(struct tui *t, uint64_t lin)
{
	uint64_t off;

	if (tui_xmap_find(&t->xmap, lin, t->snap.pos))
		return true;
	return symbols_find(t->e->syms, lin, &off) && off == 0;
}

/* Drop lines from the top of a listing that starts at a and has k above the target. */
static uint64_t trim(struct tui *t, uint64_t a, int k, int want)
{
	struct tui_xrec r;
	bool ran;

	while (k > want) {
		a += (uint64_t)line_at(t, a, &r, &ran);
		k--;
	}
	return a;
}

/* An address up to `want` lines above target, from a known instruction start whose lines end
 * exactly at target (the nearest that gives enough); target itself if there is none. */
static uint64_t back_up(struct tui *t, uint64_t target, int want)
{
	uint64_t best = target;
	int bestk = 0, tried = 0;

	for (uint64_t back = 1; back <= MAX_BACK && back <= target && tried < 48; back++) {
		uint64_t start = target - back;
		int k;

		if (!known_start(t, start))
			continue;
		tried++;
		k = lands(t, start, target);
		if (k > bestk) {
			best = start;
			bestk = k;
			if (k >= want)
				break;
		}
	}
	return trim(t, best, bestk, want);
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

/* A C source line (from a .c or .h file: in assembly the instruction is its own source). */
static bool c_source(struct tui *t, uint64_t lin, const char **file, unsigned *line)
{
	size_t n;

	if (symbols_line(t->e->syms, lin, file, line) < 0)
		return false;
	n = strlen(*file);
	return n > 2 && (*file)[n - 2] == '.' && ((*file)[n - 1] == 'c' || (*file)[n - 1] == 'h');
}

/* Each instruction's screen row: in a tall pane (16 lines and more) a C source line comes before
 * the first instruction of each line, as objdump -S shows it. */
static void source_rows(struct tui *t, struct code *c, int h)
{
	const char *file, *prev = NULL;
	unsigned line, prev_line = 0;
	int row = 0;

	for (int i = 0; i < c->n; i++) {
		c->src[i] = false;
		if (h >= 16 && c_source(t, c->addr[i], &file, &line)) {
			if (file != prev || line != prev_line) {
				c->src[i] = true;
				row++;
			}
			prev = file;
			prev_line = line;
		} else {
			prev = NULL;
		}
		c->row[i] = row++;
	}
}

static void code_draw(struct tui *t, void *priv)
{
	struct code *c = priv;
	const struct tui_snap *sn = &t->snap;
	struct tui_pen p;
	int h, at, digits;
	uint64_t a = 0;
	bool wide;

	tui_pen_start(&p, t, TUI_PANE_CODE);
	h = p.h < MAX_LINES ? p.h : MAX_LINES;
	if (h <= 0)
		return;
	if (c->follow)
		c->cursor = sn->pc;
	at = find(c, c->cursor);
	if (c->bits != sn->bits || at < 0 || c->n < h || (c->follow && c->row[at] >= h - 1))
		c->top = back_up(t, c->cursor, h / 3);
	c->bits = sn->bits;
	for (int pass = 0; pass < 3; pass++) {
		a = c->top;
		c->n = 0;
		for (int i = 0; i < h; i++) {
			c->addr[c->n] = a;
			a += (uint64_t)line_at(t, a, &c->rec[c->n], &c->ran[c->n]);
			c->n++;
		}
		source_rows(t, c, h);
		at = find(c, c->cursor);
		if (at >= 0 && c->row[at] < h - 1)
			break;
		/* the listing above did not line up, or C source lines pushed the cursor down */
		c->top = at < 0 || pass == 1 ? c->cursor : back_up(t, c->cursor, h / 6);
	}
	t->code_cursor = c->cursor;
	wide = p.w >= 60;
	digits = sn->bits == 64 && a > 0xffffffffull ? 16 : 8;
	for (int i = 0; i < c->n; i++) {
		const struct tui_xrec *r = &c->rec[i];
		uint64_t lin = c->addr[i], off;
		char text[160], bytes[40] = "";
		bool cur = lin == sn->pc;
		bool cursor = !c->follow && lin == c->cursor && t->focus == TUI_PANE_CODE;
		enum tui_style st = cur ? TUI_ST_CURRENT : cursor ? TUI_ST_CURSOR : TUI_ST_NORMAL;
		const char *name = symbols_find(t->e->syms, lin, &off);

		if (c->row[i] >= h)
			break;
		if (c->src[i]) {
			const char *file, *base;
			unsigned line;
			char src[200];

			if (c_source(t, lin, &file, &line) &&
			    symbols_source(t->e->syms, file, line, src, sizeof(src)) == 0) {
				base = strrchr(file, '/');
				tui_pen_printf(&p, TUI_ST_DIM, "  %s:%u  ", base ? base + 1 : file, line);
				tui_pen_put(&p, TUI_ST_NOTE, src);
			}
			tui_pen_nl(&p);
		}
		decode(t, r->bits, lin, r->bytes, r->len, text, sizeof(text));
		tui_pen_put(&p, TUI_ST_BREAK, is_break(t->e, lin) ? "B" : " ");
		tui_pen_put(&p, st, cur ? ">" : cursor ? "*" : " ");
		if (sn->bits == 16 && !(sn->sregs.cr0 & X86_CR0(PE)))
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "%04x:%04llx ", sn->sregs.cs.selector,
				       (unsigned long long)(lin - sn->sregs.cs.base));
		else
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "%0*llx ", digits, (unsigned long long)lin);
		if (wide) {
			for (int k = 0; k < r->len && k < 8; k++)
				snprintf(bytes + 3 * k, sizeof(bytes) - 3 * (size_t)k, "%02x ", r->bytes[k]);
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "%-24s", bytes);
		}
		if (name && off == 0)
			tui_pen_printf(&p, cur ? st : TUI_ST_LABEL, "<%s> ", name);
		tui_pen_put(&p, st, text);
		if (c->ran[i] && r->bits != sn->bits)
			tui_pen_printf(&p, cur ? st : TUI_ST_DIM, "  (%d-bit)", r->bits);
		if (st != TUI_ST_NORMAL)
			tui_pen_fill(&p, st);
		tui_pen_nl(&p);
	}
	tui_pen_end(&p);
}

static void code_title(struct tui *t, void *priv, char *buf, size_t len)
{
	const struct code *c = priv;

	char where[80] = "";

	/* the source line of the next instruction (or the cursor's) when the ELF knows it */
	symbols_where(t->e->syms, c->follow ? t->snap.pc : c->cursor, where, sizeof(where));
	snprintf(buf, len, "%d-bit%s%s%s", t->snap.bits, *where ? "  " : "", where,
		 c->follow ? "" : ", cursor (Home: back to RIP)");
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
			uint64_t up = back_up(t, c->addr[0], 1);

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
			struct tui_xrec r;
			uint64_t last = c->addr[c->n - 1];
			bool ran;

			memmove(c->addr, c->addr + 1, (size_t)(c->n - 1) * sizeof(c->addr[0]));
			c->addr[c->n - 1] = last + (uint64_t)line_at(t, last, &r, &ran);
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
