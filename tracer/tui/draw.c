/* draw.c - writing clipped text into panes; the only place views touch curses. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui.h"

/* Text goes to the screen as chtype cells: the views write ASCII only, and this skips the
 * multibyte decoding of addstr, which is most of the cost of a full redraw. */
void tui_put_at(struct tui *t, int y, int x, int w, enum tui_style st, const char *text)
{
	chtype cells[512];
	chtype attr = (chtype)t->attr[st];
	int n = 0;

	if (w <= 0 || y < 0 || y >= t->lines || x < 0 || x >= t->cols)
		return;
	if (x + w > t->cols)
		w = t->cols - x;
	if (w > (int)(sizeof(cells) / sizeof(cells[0])))
		w = (int)(sizeof(cells) / sizeof(cells[0]));
	for (; text[n] && n < w; n++) {
		unsigned char c = (unsigned char)text[n];

		cells[n] = (c >= 32 && c < 127 ? c : '?') | attr;
	}
	if (n)
		mvaddchnstr(y, x, cells, n);
}

void tui_pen_start(struct tui_pen *p, struct tui *t, enum tui_pane_id id)
{
	const struct tui_rect *r = &t->rect[id];

	*p = (struct tui_pen){
		.t = t, .id = id, .y = r->y + 1, .x = r->x, .h = r->h - 1, .w = r->w,
		.scroll = t->pane[id].scroll,
	};
}

bool tui_pen_visible(const struct tui_pen *p)
{
	return p->line >= p->scroll && p->line - p->scroll < p->h;
}

void tui_pen_put(struct tui_pen *p, enum tui_style st, const char *text)
{
	int n = (int)strlen(text);

	if (tui_pen_visible(p) && p->col < p->w)
		tui_put_at(p->t, p->y + p->line - p->scroll, p->x + p->col, p->w - p->col, st, text);
	p->col += n;
}

void tui_pen_printf(struct tui_pen *p, enum tui_style st, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!tui_pen_visible(p) || p->col >= p->w)
		return;  /* off screen: skip the formatting (this is the hot path) */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	tui_pen_put(p, st, buf);
}

void tui_pen_col(struct tui_pen *p, int col)
{
	p->col = col;
}

void tui_pen_fill(struct tui_pen *p, enum tui_style st)
{
	if (!tui_pen_visible(p) || p->col >= p->w)
		return;
	attrset(p->t->attr[st]);
	mvhline(p->y + p->line - p->scroll, p->x + p->col, ' ', p->w - p->col);
	attrset(A_NORMAL);
	p->col = p->w;
}

void tui_pen_nl(struct tui_pen *p)
{
	p->line++;
	p->col = 0;
}

void tui_pen_end(struct tui_pen *p)
{
	struct tui_pane *pane = &p->t->pane[p->id];

	pane->total = p->line + (p->col > 0 ? 1 : 0);
}

int tui_addr_digits(const struct tui *t)
{
	return t->snap.bits == 64 ? 16 : 8;
}
