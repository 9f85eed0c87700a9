/* tui.c - the TUI's main loop: curses set-up and teardown, the layout, the title and status
 * lines, the help overlay, and a terminal that is restored whatever happens.
 *
 * Everything on the screen is redrawn from the model after every key and on every resize;
 * nothing is patched in place (curses sends only the cells that changed). */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "tui.h"

_Static_assert(TUI_KEY_DOWN == KEY_DOWN && TUI_KEY_UP == KEY_UP && TUI_KEY_LEFT == KEY_LEFT &&
	       TUI_KEY_RIGHT == KEY_RIGHT && TUI_KEY_HOME == KEY_HOME &&
	       TUI_KEY_BACKSPACE == KEY_BACKSPACE && TUI_KEY_F(7) == KEY_F(7) &&
	       TUI_KEY_NPAGE == KEY_NPAGE && TUI_KEY_PPAGE == KEY_PPAGE && TUI_KEY_ENTER == KEY_ENTER &&
	       TUI_KEY_BTAB == KEY_BTAB && TUI_KEY_END == KEY_END && TUI_KEY_RESIZE == KEY_RESIZE,
	       "keys.h key codes differ from this <curses.h>");

static const struct tui_view *const views[TUI_NPANES] = {
	[TUI_PANE_CODE] = &tui_view_code,
	[TUI_PANE_REGS] = &tui_view_regs,
	[TUI_PANE_SYSTEM] = &tui_view_system,
	[TUI_PANE_WALK] = &tui_view_walk,
	[TUI_PANE_EVENTS] = &tui_view_events,
	[TUI_PANE_CONSOLE] = &tui_view_console,
	[TUI_PANE_MEMORY] = &tui_view_memory,
};

/* ---- the terminal is always restored -------------------------------------------------------- */

static volatile sig_atomic_t curses_active;
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE,
				     SIGILL, SIGABRT };
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))
static struct sigaction saved_actions[NFATAL];

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = 0;
		endwin();
	}
}

/* Restore the terminal, then die of the same signal as if we had not caught it. */
static void on_fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static bool registered;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &sa, &saved_actions[i]);
	if (!registered) {
		atexit(restore_terminal);
		registered = true;
	}
}

static void remove_handlers(void)
{
	for (size_t i = 0; i < NFATAL; i++)
		sigaction(fatal_signals[i], &saved_actions[i], NULL);
}

/* ---- styles ---------------------------------------------------------------------------------- */

static void setup_styles(struct tui *t)
{
	const char *nc = getenv("NO_COLOR");
	static const int mono[TUI_ST__COUNT] = {
		[TUI_ST_NORMAL] = A_NORMAL,
		[TUI_ST_TITLE] = A_REVERSE,
		[TUI_ST_TITLE_FOCUS] = A_REVERSE | A_BOLD,
		[TUI_ST_LABEL] = A_NORMAL,
		[TUI_ST_CHANGED] = A_BOLD | A_UNDERLINE,
		[TUI_ST_CURRENT] = A_REVERSE,
		[TUI_ST_CURSOR] = A_UNDERLINE,
		[TUI_ST_BREAK] = A_BOLD,
		[TUI_ST_DIM] = A_DIM,
		[TUI_ST_MODE] = A_BOLD,
		[TUI_ST_ERROR] = A_BOLD | A_REVERSE,
		[TUI_ST_NOTE] = A_NORMAL,
	};
	static const struct { short fg, bg; int extra; } colour[TUI_ST__COUNT] = {
		[TUI_ST_NORMAL] = { -1, -1, 0 },
		[TUI_ST_TITLE] = { COLOR_BLACK, COLOR_CYAN, 0 },
		[TUI_ST_TITLE_FOCUS] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD },
		[TUI_ST_LABEL] = { COLOR_CYAN, -1, 0 },
		[TUI_ST_CHANGED] = { COLOR_YELLOW, -1, A_BOLD },
		[TUI_ST_CURRENT] = { COLOR_BLACK, COLOR_GREEN, 0 },
		[TUI_ST_CURSOR] = { COLOR_BLACK, COLOR_WHITE, 0 },
		[TUI_ST_BREAK] = { COLOR_RED, -1, A_BOLD },
		[TUI_ST_DIM] = { -1, -1, A_DIM },
		[TUI_ST_MODE] = { COLOR_MAGENTA, -1, A_BOLD },
		[TUI_ST_ERROR] = { COLOR_WHITE, COLOR_RED, A_BOLD },
		[TUI_ST_NOTE] = { COLOR_GREEN, -1, 0 },
	};

	t->color = has_colors() && !(nc && *nc);
	if (t->color && start_color() == OK) {
		use_default_colors();
		for (int i = 1; i < TUI_ST__COUNT; i++) {
			init_pair((short)i, colour[i].fg, colour[i].bg);
			t->attr[i] = (int)COLOR_PAIR(i) | colour[i].extra;
		}
		t->attr[TUI_ST_NORMAL] = A_NORMAL;
	} else {
		t->color = false;
		memcpy(t->attr, mono, sizeof(mono));
	}
}

/* ---- model set-up ------------------------------------------------------------------------------- */

void tui_console_sink(void *ctx, const char *buf, size_t len)
{
	struct tui *t = ctx;

	tui_events_add(&t->console, t->executing, TUI_EV_CONSOLE, buf, len);
}

/* vmm log lines (warnings; with --show-ioctls every KVM ioctl) go to the events pane, tagged
 * with the step being executed. */
static void log_sink(enum vmm_log_level level, const char *msg, void *ctx)
{
	struct tui *t = ctx;
	uint64_t count = history_count(&t->e->hist);
	size_t len = strlen(msg);

	while (len && msg[len - 1] == '\n')
		len--;
	if (level <= VMM_LOG_IOCTL)
		tui_events_add(&t->log, t->executing > count ? t->executing : count,
			       level == VMM_LOG_IOCTL ? TUI_EV_NOTE : TUI_EV_LOG, msg, len);
}

int tui_init(struct tui *t, struct engine *e, const char *guest, enum vmm_mode start_mode)
{
	t->e = e;
	t->start_mode = start_mode;
	t->guest = guest;
	t->focus = TUI_PANE_CODE;
	explain_init(&t->ex, e);
	t->ex.start_mode = (int)start_mode;
	for (int i = 0; i < TUI_NPANES; i++) {
		t->pane[i].view = views[i];
		if (views[i]->open && views[i]->open(t, &t->pane[i].priv) < 0)
			return -ENOMEM;
	}
	t->pos = 0;
	return tui_snap_load(t);
}

void tui_free(struct tui *t)
{
	for (int i = 0; i < TUI_NPANES; i++)
		if (t->pane[i].view && t->pane[i].view->close)
			t->pane[i].view->close(t->pane[i].priv);
	tui_events_free(&t->log);
	tui_events_free(&t->console);
	free(t->writes);
	tui_xmap_free(&t->xmap);
	tui_snap_free(t);
}

void tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_error = error;
}

/* ---- drawing ------------------------------------------------------------------------------------ */

/* Place the panes: first for their widths, then with the lines each needs at its width (the
 * registers for the current mode, the events pane for the whole explanation, ...).  Zoomed, the
 * focused pane has the screen to itself. */
static void layout(struct tui *t)
{
	int want[TUI_NPANES] = { 0 };

	t->too_small = tui_layout(t->lines, t->cols, 0, t->rect) < 0;
	if (t->too_small)
		return;
	if (t->zoom) {
		for (int i = 0; i < TUI_NPANES; i++)
			t->rect[i] = (struct tui_rect){ .y = 1, .x = 0, .h = 0, .w = t->cols };
		t->rect[t->focus].h = t->lines - 2;
		return;
	}
	want[TUI_PANE_REGS] = tui_regs_lines(t, t->rect[TUI_PANE_REGS].w);
	want[TUI_PANE_SYSTEM] = tui_system_lines(t, t->rect[TUI_PANE_SYSTEM].w);
	want[TUI_PANE_EVENTS] = tui_events_need(t, t->rect[TUI_PANE_EVENTS].w);
	want[TUI_PANE_CONSOLE] = tui_console_need(t, t->rect[TUI_PANE_CONSOLE].w);
	tui_layout_needs(t->lines, t->cols, want, t->rect);
}

static void relayout(struct tui *t)
{
	t->lines = LINES;
	t->cols = COLS;
	t->clear = true;
	layout(t);
}

static void draw_title_bar(struct tui *t)
{
	const struct tui_snap *sn = &t->snap;
	const char *mode = vmm_cpu_label(&sn->sregs);
	char left[256], right[128];
	int n, used;

	attrset(t->attr[TUI_ST_TITLE]);
	mvhline(0, 0, ' ', t->cols);
	n = snprintf(left, sizeof(left), " kvmlab tui  %s  step %llu/%llu  mode: ", t->guest,
		     (unsigned long long)sn->pos, (unsigned long long)sn->count);
	tui_put_at(t, 0, 0, t->cols, TUI_ST_TITLE, left);
	tui_put_at(t, 0, n, t->cols - n, TUI_ST_TITLE_FOCUS, mode);
	used = n + (int)strlen(mode) + 2;
	if (!sn->live)
		snprintf(right, sizeof(right), " HISTORY (b back, f forward, End latest) ");
	else if (t->e->ended)
		snprintf(right, sizeof(right), " STOPPED: %s ", vmm_stop_name(t->e->stop));
	else
		snprintf(right, sizeof(right), " ? help ");
	if ((int)strlen(right) > t->cols - used)
		snprintf(right, sizeof(right), " %s ", !sn->live ? "HISTORY" : t->e->ended ? "STOPPED" : "?");
	n = (int)strlen(right);
	if (n <= t->cols - used)
		tui_put_at(t, 0, t->cols - n, n, sn->live && !t->e->ended ? TUI_ST_TITLE : TUI_ST_ERROR, right);
}

static void draw_status(struct tui *t)
{
	int y = t->lines - 1;
	char buf[512], k[24];

	move(y, 0);
	clrtoeol();
	if (t->prompt.active) {
		snprintf(buf, sizeof(buf), "%s%s", t->prompt.label, t->prompt.text);
		tui_put_at(t, y, 0, t->cols, TUI_ST_NORMAL, buf);
		move(y, (int)strlen(buf) < t->cols ? (int)strlen(buf) : t->cols - 1);
		return;
	}
	if (t->in.has_count) {
		snprintf(buf, sizeof(buf), "count %llu: now a key (s step, b back, c continue, g go to step)",
			 (unsigned long long)t->in.count);
		tui_put_at(t, y, 0, t->cols, TUI_ST_MODE, buf);
	} else if (t->msg[0]) {
		tui_put_at(t, y, 0, t->cols, t->msg_error ? TUI_ST_ERROR : TUI_ST_NOTE, t->msg);
	} else if (t->e->ended && t->snap.live && t->stop_msg[0]) {
		tui_put_at(t, y, 0, t->cols, t->e->stop == VMM_STOP_HLT ? TUI_ST_NOTE : TUI_ST_ERROR,
			   t->stop_msg);
	} else {
		tui_hints(buf, sizeof(buf), t->cols - 1);
		tui_put_at(t, y, 0, t->cols, TUI_ST_DIM, buf);
	}
	(void)k;
}

static void draw_pane_title(struct tui *t, enum tui_pane_id id)
{
	const struct tui_rect *r = &t->rect[id];
	struct tui_pane *p = &t->pane[id];
	bool focus = t->focus == id;
	char extra[160] = "", buf[256];

	if (p->view->title)
		p->view->title(t, p->priv, extra, sizeof(extra));
	snprintf(buf, sizeof(buf), "%s%s%s%s", focus ? ">" : " ", tui_pane_name(id), extra[0] ? "  " : "",
		 extra);
	attrset(t->attr[focus ? TUI_ST_TITLE_FOCUS : TUI_ST_TITLE]);
	mvhline(r->y, r->x, ' ', r->w);
	tui_put_at(t, r->y, r->x, r->w, focus ? TUI_ST_TITLE_FOCUS : TUI_ST_TITLE, buf);
}

static void draw_help(struct tui *t)
{
	static char lines[256][TUI_HELP_COLS];
	int w = t->cols - 2 < 100 ? t->cols - 2 : 100, h, x, y, n, rows;

	n = tui_help_lines(w - 4, lines, 256);
	h = n + 4 < t->lines - 1 ? n + 4 : t->lines - 1;
	rows = h - 4;
	x = (t->cols - w) / 2;
	y = (t->lines - h) / 2;
	t->help_scroll = tui_scroll_clamp(t->help_scroll, n, rows);
	attrset(t->attr[TUI_ST_NORMAL]);
	for (int i = 1; i < h - 1; i++)
		mvhline(y + i, x + 1, ' ', w - 2);
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	tui_put_at(t, y + 1, x + 2, w - 4, TUI_ST_TITLE_FOCUS,
		   " kvmlab tui keys: ? or Esc closes, Up/Down scroll ");
	for (int i = 0; i < rows && i + t->help_scroll < n; i++)
		tui_put_at(t, y + 3 + i, x + 2, w - 4, TUI_ST_NORMAL, lines[i + t->help_scroll]);
	if (t->help_scroll + rows < n)
		tui_put_at(t, y + h - 1, x + w - 16, 14, TUI_ST_DIM, " Down: more ");
	attrset(A_NORMAL);
}

void tui_draw(struct tui *t)
{
	if (t->clear) {
		clearok(curscr, TRUE);
		t->clear = false;
	}
	erase();
	layout(t);
	if (t->too_small) {
		char buf[128];

		snprintf(buf, sizeof(buf), "kvmlab tui needs at least %dx%d (this is %dx%d); q quits",
			 TUI_MIN_COLS, TUI_MIN_LINES, t->cols, t->lines);
		tui_put_at(t, 0, 0, t->cols, TUI_ST_ERROR, buf);
		refresh();
		return;
	}
	draw_title_bar(t);
	for (int i = 0; i < TUI_NPANES; i++) {
		const struct tui_rect *r = &t->rect[i];

		if (r->h <= 0)
			continue;  /* another pane is zoomed */
		/* the content first: a title may say what the drawing found (a cut explanation) */
		t->pane[i].view->draw(t, t->pane[i].priv);
		draw_pane_title(t, (enum tui_pane_id)i);
		if (r->x > 0) {
			attrset(t->attr[TUI_ST_DIM]);
			mvvline(r->y, r->x - 1, ACS_VLINE, r->h);
		}
	}
	attrset(A_NORMAL);
	draw_status(t);
	if (t->help)
		draw_help(t);
	curs_set(t->prompt.active ? 1 : 0);
	refresh();
}

/* ---- input -------------------------------------------------------------------------------------- */

bool tui_poll_interrupt(struct tui *t)
{
	static double last;
	double now;
	int key;

	if (!t->curses_on || t->bench)
		return false;
	now = vmm_clock_s();
	if (now - last > 0.1) {
		last = now;
		tui_goto_step(t, t->pos);
		tui_message(t, false, "running: step %llu (any key stops)", (unsigned long long)t->pos);
		tui_draw(t);
	}
	nodelay(stdscr, TRUE);
	key = getch();
	nodelay(stdscr, FALSE);
	if (key == KEY_RESIZE)
		relayout(t);
	else if (key != ERR)
		t->interrupted = true;
	return t->interrupted;
}

static void help_key(struct tui *t, int key)
{
	switch (key) {
	case KEY_UP: case 'k': t->help_scroll--; return;
	case KEY_DOWN: case 'j': t->help_scroll++; return;
	case KEY_PPAGE: t->help_scroll -= 10; return;
	case KEY_NPAGE: case ' ': t->help_scroll += 10; return;
	default: t->help = false; return;
	}
}

static void handle_key(struct tui *t, int key)
{
	struct tui_cmd cmd;
	char name[24];
	int r;

	if (t->help) {
		help_key(t, key);
		return;
	}
	if (t->prompt.active) {
		if (tui_prompt_key(&t->prompt, key) == TUI_PROMPT_DONE) {
			t->msg[0] = '\0';
			tui_prompt_done(t);
		}
		return;
	}
	if (t->too_small && key != 'q')
		return;
	r = tui_input_key(&t->in, key, &cmd);
	if (r > 0)
		tui_do(t, &cmd);
	else if (r < 0 && key == TUI_CTRL('c'))
		tui_message(t, false, "nothing is running; q quits");
	else if (r < 0)
		tui_message(t, false, "%s does nothing here; ? lists the keys",
			    tui_key_name(key, name, sizeof(name)));
}

/* KVMLAB_TUI_BENCH=N: N steps, each through the step action and a full redraw, timed. */
static void bench(struct tui *t, uint64_t n)
{
	struct tui_cmd step = { .act = TUI_ACT_STEP, .count = 1 };
	uint64_t done = 0, start_pos = t->pos;
	double t0 = vmm_clock_s(), dt;

	while (done < n && !t->e->ended) {
		tui_do(t, &step);
		tui_draw(t);
		done = t->pos - start_pos;
	}
	dt = vmm_clock_s() - t0;
	restore_terminal();
	printf("tui-bench: %llu steps in %.3f s: %.0f steps/s, a full redraw after each (%dx%d)\n",
	       (unsigned long long)done, dt, dt > 0 ? (double)done / dt : 0.0, t->cols, t->lines);
	fflush(stdout);
}

int tui_run(struct tui *t)
{
	SCREEN *scr;
	int key;

	setlocale(LC_ALL, "");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return vmm_fail(-ENOTTY, "tui: standard input and output must be a terminal "
				"(for a text trace use kvmlab trace)");
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return vmm_fail(-EINVAL, "tui: cannot use the terminal type TERM=%s",
				getenv("TERM") ? getenv("TERM") : "(unset)");
	curses_active = 1;
	t->curses_on = true;
	install_handlers();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	setup_styles(t);
	vmm_log_set_sink(log_sink, t);
	relayout(t);
	tui_goto_step(t, t->pos);
	if (t->bench) {
		bench(t, strtoull(t->bench, NULL, 10));
	} else {
		while (!t->quit) {
			tui_draw(t);
			key = getch();
			if (key == KEY_RESIZE)
				relayout(t);
			else if (key != ERR)
				handle_key(t, key);
		}
	}
	vmm_log_set_sink(NULL, NULL);
	restore_terminal();
	t->curses_on = false;
	remove_handlers();
	delscreen(scr);
	return 0;
}
