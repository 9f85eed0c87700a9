/* view_events.c - the events pane: the shown step, where it is in the guest's source, its whole
 * explanation (wrapped; when the pane is too small the last line says "e: all" and e zooms the
 * pane), and the exits and messages up to the shown step (newest at the bottom; Up scrolls). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols.h"
#include "tui.h"

struct events {
	bool cut;                    /* the explanation did not fit at the last draw */
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

/* Break text into lines of at most w columns (continuation lines indented by 2): the start and
 * length of each line in starts/lens (up to max); the number of lines. */
static int wrap(const char *text, int w, int max, size_t *starts, size_t *lens)
{
	size_t len = strlen(text), at = 0;
	int n = 0;

	while (at < len) {
		size_t room = (size_t)(w - (n ? 2 : 0) > 8 ? w - (n ? 2 : 0) : 8), k = len - at;

		if (k > room) {
			k = room;
			while (k > room / 2 && text[at + k] != ' ')
				k--;
			if (text[at + k] != ' ')
				k = room;
		}
		if (n < max) {
			starts[n] = at;
			lens[n] = k;
		}
		n++;
		at += k;
		while (at < len && text[at] == ' ')
			at++;
	}
	return n;
}

#define MAX_WRAP 64

/* Where the shown step's instruction is in the guest's source: "in hello_main (hello.c:22):
 * for (...)"; "" when the ELF says nothing. */
static void where_text(struct tui *t, char *buf, size_t len)
{
	const struct step *st = &t->snap.st;
	uint64_t pc = engine_pc(&st->before, &st->sbefore);
	char sym[SYMBOLS_NAME_MAX + 24], src[160], line[200] = "";
	const char *file;
	unsigned lineno;

	buf[0] = '\0';
	symbols_label(t->e->syms, pc, sym, sizeof(sym));
	symbols_where(t->e->syms, pc, src, sizeof(src));
	if (*src && symbols_line(t->e->syms, pc, &file, &lineno) == 0)
		symbols_source(t->e->syms, file, lineno, line, sizeof(line));
	if (*sym || *src)
		snprintf(buf, len, "in %s%s%s%s%s%s", *sym ? sym : "?", *src ? " (" : "", src,
			 *src ? ")" : "", *line ? ": " : "", line);
}

int tui_events_need(struct tui *t, int w)
{
	size_t starts[1], lens[1];
	char where[400];
	const char *why;
	int n = 1 + 3;  /* the step, and a few exits */

	if (!t->snap.has_step)
		return n;
	where_text(t, where, sizeof(where));
	why = tui_snap_explain(t);
	return n + (*where ? 1 : 0) + (*why ? wrap(why, w, 0, starts, lens) : 0);
}

static void events_draw(struct tui *t, void *priv)
{
	struct events *ev = priv;
	const struct tui_snap *sn = &t->snap;
	char text[200], where[400];
	size_t starts[MAX_WRAP], lens[MAX_WRAP];
	struct tui_pen p;
	int rows, log_rows;
	size_t upto;

	tui_pen_start(&p, t, TUI_PANE_EVENTS);
	p.scroll = 0;  /* this pane scrolls its log itself */
	rows = p.h;
	ev->cut = false;
	if (sn->has_step) {
		const struct step *st = &sn->st;
		uint64_t pc = engine_pc(&st->before, &st->sbefore);
		int bits = vmm_cpu_code_bits(&st->sbefore), nw, fit;
		const char *why = tui_snap_explain(t);

		if (st->insn_len == 0 ||
		    disasm_text_at(&t->e->dis, bits, st->insn, st->insn_len, bits == 16 ? st->before.rip : pc,
				   bits == 16 ? st->sbefore.cs.base : 0, text, sizeof(text)) <= 0)
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
		rows--;
		/* Where the step is in the source, unless that line alone would cut an explanation
		 * that fits without it. */
		nw = *why ? wrap(why, p.w, MAX_WRAP, starts, lens) : 0;
		where_text(t, where, sizeof(where));
		if (*where && rows > 1 && nw != rows) {
			tui_pen_put(&p, TUI_ST_DIM, where);
			tui_pen_nl(&p);
			rows--;
		}
		/* The explanation whole when it fits; else as much as fits and how to see the rest. */
		fit = nw < MAX_WRAP ? nw : MAX_WRAP;
		if (fit > rows) {
			fit = rows;
			ev->cut = true;
		}
		for (int i = 0; i < fit; i++) {
			size_t n = lens[i];

			if (ev->cut && i == fit - 1)
				n = n + 12 > (size_t)p.w - (i ? 2 : 0) ? (size_t)p.w - (i ? 2 : 0) - 12 : n;
			snprintf(text, sizeof(text), "%.*s", (int)n, why + starts[i]);
			tui_pen_col(&p, i ? 2 : 0);
			tui_pen_put(&p, TUI_ST_NOTE, text);
			if (ev->cut && i == fit - 1)
				tui_pen_put(&p, TUI_ST_CHANGED, " ...e: all");
			tui_pen_nl(&p);
		}
		rows -= fit;
	} else {
		tui_pen_put(&p, TUI_ST_DIM, "before the first step (s: step)");
		tui_pen_nl(&p);
		rows--;
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

	if (ev->back)
		snprintf(buf, len, "exits scrolled %d up (Home: newest)", ev->back);
	else if (ev->cut && !t->zoom)
		snprintf(buf, len, "e: the whole explanation");
	else
		buf[0] = '\0';
}

static bool events_key(struct tui *t, void *priv, enum tui_action a, uint64_t count)
{
	struct events *ev = priv;

	(void)t;
	return tui_scroll_back(&ev->back, a, count, (int)ev->upto, ev->shown);
}

const struct tui_view tui_view_events = {
	.name = "events",
	.open = events_open,
	.close = events_close,
	.title = events_title,
	.draw = events_draw,
	.key = events_key,
};
