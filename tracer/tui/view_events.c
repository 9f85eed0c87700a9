/* view_events.c - the events pane: the shown step with its explanation, the guest's console
 * output so far, and the exits and messages up to the shown step (newest at the bottom). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct events {
	int back;                    /* log lines scrolled up from the newest */
	int shown;                   /* log lines that fit at the last draw */
	size_t upto;                 /* log lines up to the shown step at the last draw */
};

static int events_open(struct tui *t, void **priv)
{
	(void)t;
	*priv = calloc(1, sizeof(struct events));
	return *priv ? 0 : -1;
}

static void events_close(void *priv)
{
	free(priv);
}

/* Write text wrapped over at most maxl lines of the pen's width; lines used. */
static int wrapped(struct tui_pen *p, enum tui_style st, const char *text, int first_col, int maxl)
{
	int used = 0;
	size_t len = strlen(text);

	while (len && used < maxl) {
		int room = p->w - (used ? 2 : first_col);
		size_t n = len;
		char line[512];

		if (room < 8)
			room = 8;
		if (n > (size_t)room) {
			n = (size_t)room;
			while (n > (size_t)room / 2 && text[n] != ' ')
				n--;
			if (text[n] != ' ')
				n = (size_t)room;
			if (used + 1 == maxl && n >= 3)
				n = (size_t)room - 3;  /* the last line says it is cut */
		}
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		if (used)
			tui_pen_col(p, 2);
		tui_pen_put(p, st, line);
		if (used + 1 == maxl && n < len)
			tui_pen_put(p, TUI_ST_DIM, "...");
		tui_pen_nl(p);
		used++;
		text += n;
		len -= n;
		while (len && *text == ' ')
			text++, len--;
	}
	return used;
}

static void events_draw(struct tui *t, void *priv)
{
	struct events *ev = priv;
	const struct tui_snap *sn = &t->snap;
	char text[160], tail[1024];
	const char *why;
	struct tui_pen p;
	int rows, cons_lines, log_rows;
	size_t upto, cup;

	tui_pen_start(&p, t, TUI_PANE_EVENTS);
	p.scroll = 0;  /* this pane scrolls its log itself */
	rows = p.h;
	if (sn->has_step) {
		const struct step *st = &sn->st;
		uint64_t pc = engine_pc(&st->before, &st->sbefore);
		int bits = vmm_cpu_code_bits(&st->sbefore);

		if (st->insn_len == 0 || disasm_text(&t->e->dis, bits, st->insn, st->insn_len,
						     bits == 16 ? st->before.rip : pc, text, sizeof(text)) <= 0)
			snprintf(text, sizeof(text), "(not decoded)");
		tui_pen_printf(&p, TUI_ST_LABEL, "step %llu: ", (unsigned long long)sn->pos);
		tui_pen_put(&p, TUI_ST_NORMAL, text);
		/* The single-step trap came late (tracer/stepflow.c): say it where it cannot be cut. */
		if (st->flow.unknown)
			tui_pen_printf(&p, TUI_ST_CHANGED, "  [trap came late: %u+ instructions]",
				       st->flow.retired);
		else if (st->flow.nskip)
			tui_pen_printf(&p, TUI_ST_CHANGED, "  [trap came late: %u instructions]",
				       st->flow.retired);
		tui_pen_nl(&p);
		why = tui_snap_explain(t);
		if (*why)
			rows -= wrapped(&p, TUI_ST_NOTE, why, 0, rows > 9 ? 4 : 2);
	} else {
		tui_pen_put(&p, TUI_ST_DIM, "before the first step (s: step)");
		tui_pen_nl(&p);
	}
	rows--;
	/* The console: a third of what is left, at least one line. */
	cup = tui_events_upto(&t->console, sn->pos);
	cons_lines = rows / 3 > 1 ? rows / 3 : 1;
	tui_pen_put(&p, TUI_ST_LABEL, "console: ");
	if (cup == 0) {
		tui_pen_put(&p, TUI_ST_DIM, "(nothing yet)");
		tui_pen_nl(&p);
		rows--;
	} else {
		char *line = tail, *nl;
		int k = 0;

		tui_events_console_tail(&t->console, cup, cons_lines, tail, sizeof(tail));
		do {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (k++)
				tui_pen_col(&p, 9);
			tui_pen_put(&p, TUI_ST_NORMAL, line);
			tui_pen_nl(&p);
			rows--;
			line = nl + 1;
		} while (nl);
	}
	/* Exits and messages, newest at the bottom. */
	upto = tui_events_upto(&t->log, sn->pos);
	log_rows = rows > 0 ? rows : 0;
	ev->shown = log_rows;
	ev->upto = upto;
	ev->back = tui_scroll_clamp(ev->back, (int)upto, log_rows);
	for (int i = 0; i < log_rows; i++) {
		size_t idx, len;
		const char *s;

		if ((size_t)(log_rows - i + ev->back) > upto)
			continue;
		idx = upto - (size_t)(log_rows - i + ev->back);
		s = tui_event_text(&t->log, idx, &len);
		if (len >= sizeof(text))
			len = sizeof(text) - 1;
		memcpy(text, s, len);
		text[len] = '\0';
		tui_pen_col(&p, 0);
		tui_pen_put(&p, t->log.ev[idx].step == sn->pos ? TUI_ST_CHANGED
			    : t->log.ev[idx].kind == TUI_EV_NOTE ? TUI_ST_NOTE
			    : t->log.ev[idx].kind == TUI_EV_LOG ? TUI_ST_ERROR : TUI_ST_NORMAL, text);
		tui_pen_nl(&p);
	}
	tui_pen_end(&p);
}

static void events_title(struct tui *t, void *priv, char *buf, size_t len)
{
	const struct events *ev = priv;

	(void)t;
	if (ev->back)
		snprintf(buf, len, "scrolled %d up (Home: newest)", ev->back);
	else
		buf[0] = '\0';
}

static bool events_key(struct tui *t, void *priv, enum tui_action a, uint64_t count)
{
	struct events *ev = priv;
	long n = count > 1000000 ? 1000000 : (long)count, page = ev->shown > 1 ? ev->shown - 1 : 1;

	(void)t;
	switch (a) {
	case TUI_ACT_UP: ev->back += (int)n; break;
	case TUI_ACT_DOWN: ev->back -= (int)n; break;
	case TUI_ACT_PAGE_UP: ev->back += (int)(n * page); break;
	case TUI_ACT_PAGE_DOWN: ev->back -= (int)(n * page); break;
	case TUI_ACT_HOME: ev->back = 0; break;
	default: return false;
	}
	ev->back = tui_scroll_clamp(ev->back, (int)ev->upto, ev->shown);
	return true;
}

const struct tui_view tui_view_events = {
	.name = "events",
	.open = events_open,
	.close = events_close,
	.title = events_title,
	.draw = events_draw,
	.key = events_key,
};
