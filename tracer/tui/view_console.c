/* view_console.c - the console pane: what the guest printed (port 0xE9 and the print
 * hypercalls) up to the shown step, newest at the bottom; Up/PgUp scroll back through it. */
#include <stdio.h>
#include <stdlib.h>

#include "tui.h"

#define MAX_ROWS 256

struct console {
	int back;                    /* lines scrolled up from the newest */
	int shown, total;            /* at the last draw */
	char lines[MAX_ROWS][TUI_CONSOLE_COLS];
};

static int console_open(struct tui *t, void **priv)
{
	(void)t;
	*priv = calloc(1, sizeof(struct console));
	return *priv ? 0 : -1;
}

static void console_close(void *priv)
{
	free(priv);
}

/* The console text up to the shown step. */
static size_t shown_text(struct tui *t, const char **text)
{
	return tui_events_text_upto(&t->console, tui_events_upto(&t->console, t->snap.pos), text);
}

int tui_console_need(struct tui *t, int w)
{
	static char line[1][TUI_CONSOLE_COLS];
	const char *text;
	size_t len = shown_text(t, &text);
	int total;

	tui_console_lines(text, len, w, 0, line, 0, &total);
	return total < 1 ? 1 : total > 8 ? 8 : total;
}

static void console_draw(struct tui *t, void *priv)
{
	struct console *c = priv;
	struct tui_pen p;
	const char *text;
	size_t len = shown_text(t, &text);
	int rows, n;

	tui_pen_start(&p, t, TUI_PANE_CONSOLE);
	p.scroll = 0;  /* this pane scrolls itself, from the bottom */
	rows = p.h < MAX_ROWS ? p.h : MAX_ROWS;
	c->shown = rows;
	if (len == 0) {
		tui_pen_put(&p, TUI_ST_DIM, "(nothing printed yet)");
		tui_pen_end(&p);
		c->total = 0;
		return;
	}
	tui_console_lines(text, len, p.w, 0, c->lines, 0, &c->total);
	c->back = tui_scroll_clamp(c->back, c->total, rows);
	n = tui_console_lines(text, len, p.w, c->back, c->lines, rows, &c->total);
	for (int i = 0; i < n; i++) {
		tui_pen_put(&p, TUI_ST_NORMAL, c->lines[i]);
		tui_pen_nl(&p);
	}
	tui_pen_end(&p);
}

static void console_title(struct tui *t, void *priv, char *buf, size_t len)
{
	const struct console *c = priv;

	(void)t;
	if (c->back)
		snprintf(buf, len, "%d lines up of %d (Home: newest)", c->back, c->total);
	else if (c->total > c->shown)
		snprintf(buf, len, "%d lines, Up scrolls back", c->total);
	else
		buf[0] = '\0';
}

static bool console_key(struct tui *t, void *priv, enum tui_action a, uint64_t count)
{
	struct console *c = priv;

	(void)t;
	return tui_scroll_back(&c->back, a, count, c->total, c->shown);
}

const struct tui_view tui_view_console = {
	.name = "console",
	.open = console_open,
	.close = console_close,
	.title = console_title,
	.draw = console_draw,
	.key = console_key,
};
