/* tui.h - the TUI's shared engine: one struct tui holds the model, the shown state and the
 * panes; each pane is a view (view_*.c) behind a table of operations. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "explain.h"
#include "model.h"
#include "pagewalk.h"
#include "session.h"

/* ---- drawing styles (colour pairs, or attributes on a monochrome terminal) ---------------- */

enum tui_style {
	TUI_ST_NORMAL,
	TUI_ST_TITLE,        /* the top bar and pane titles */
	TUI_ST_TITLE_FOCUS,  /* the focused pane's title */
	TUI_ST_LABEL,        /* register names and the like */
	TUI_ST_CHANGED,      /* a value the shown step changed */
	TUI_ST_CURRENT,      /* the next instruction */
	TUI_ST_CURSOR,       /* the code cursor when it is not on the next instruction */
	TUI_ST_BREAK,        /* breakpoint marks */
	TUI_ST_DIM,          /* addresses, unmapped bytes, hints */
	TUI_ST_MODE,         /* the mode label */
	TUI_ST_ERROR,        /* errors, and how the guest stopped */
	TUI_ST_NOTE,         /* the explanation sentence */
	TUI_ST__COUNT,
};

/* ---- the state shown: after step `pos` of the recorded timeline --------------------------- */

struct tui_snap {
	uint64_t pos;                /* steps retired in the state shown */
	uint64_t count;              /* steps recorded */
	bool live;                   /* pos == count: this is the vCPU's state now */
	bool has_step;               /* pos >= 1: st is the step that led here */
	struct step st;
	struct kvm_regs regs;        /* the state shown */
	struct kvm_sregs sregs;
	uint64_t pc;                 /* linear address of the next instruction */
	int bits;                    /* its code size */
	bool explained;              /* explain[] is filled for pos */
	char explain[320];
	uint8_t *mem;                /* a copy of all guest memory at mem_pos, when needed */
	uint64_t mem_pos;
	bool mem_valid;
};

/* ---- views ------------------------------------------------------------------------------------ */

struct tui;

struct tui_view {
	const char *name;
	/* Allocate private state (may leave *priv NULL); 0 or -errno. */
	int (*open)(struct tui *t, void **priv);
	void (*close)(void *priv);
	/* Extra text for the pane's title line ("0x2000 linear, follows writes"). */
	void (*title)(struct tui *t, void *priv, char *buf, size_t len);
	/* Draw the pane's content from t (the title line is drawn for it). */
	void (*draw)(struct tui *t, void *priv);
	/* A key for this pane while it has the focus; false: let the shared scrolling do it. */
	bool (*key)(struct tui *t, void *priv, enum tui_action a, uint64_t count);
	/* The shown step changed: return to the default view if the pane follows the guest. */
	void (*follow)(struct tui *t, void *priv);
};

extern const struct tui_view tui_view_code, tui_view_regs, tui_view_system, tui_view_walk,
	tui_view_events, tui_view_console, tui_view_memory;

struct tui_pane {
	const struct tui_view *view;
	void *priv;
	int scroll;                  /* first content line shown (shared scrolling) */
	int total;                   /* content lines at the last draw */
};

struct tui_write {                   /* a step that wrote memory, for the memory pane */
	uint64_t step, gva, gpa;
};

struct tui {
	struct engine *e;
	enum vmm_mode start_mode;    /* the mode the VMM set up (paged32/pae: the host limit) */
	struct explain_ctx ex;
	const char *guest;           /* the name the user gave */

	/* the model */
	uint64_t pos;                /* the step shown (0: before the first) */
	enum tui_pane_id focus;
	struct tui_pane pane[TUI_NPANES];
	struct tui_rect rect[TUI_NPANES];
	int lines, cols;
	bool too_small;
	bool zoom;                   /* the focused pane fills the screen */
	bool help;
	int help_scroll;
	struct tui_input in;
	struct tui_prompt prompt;
	struct tui_cmd last_cmd;     /* what Enter repeats */
	char msg[320];               /* the status line's message until the next key */
	bool msg_error;
	struct tui_events log;       /* exits and messages, one line each */
	struct tui_events console;   /* the guest's console and hypercall output */
	uint64_t executing;          /* the step being executed (tags console output) */
	struct tui_write *writes;
	size_t nwrites, writes_cap;
	struct tui_xmap xmap;        /* every executed instruction, as it ran (the code pane) */
	bool walk_set;               /* the walk pane shows walk_addr instead of RIP */
	uint64_t walk_addr;
	char walk_text[TUI_PROMPT_MAX]; /* what was typed for it ("cr2", "setup_paging") */
	uint64_t code_cursor;        /* linear address of the code cursor (set by the code view) */
	bool interrupted;            /* a key stopped a long run */
	char stop_msg[320];          /* how the guest stopped, said once when it did */
	bool clear;                  /* repaint the whole terminal at the next draw */
	bool quit;

	struct tui_snap snap;

	/* the screen */
	bool curses_on;
	bool color;
	int attr[TUI_ST__COUNT];
	const char *bench;           /* KVMLAB_TUI_BENCH */
};

/* ---- tui.c ------------------------------------------------------------------------------------ */

/* Set up the model and the views for an engine on a guest started in start_mode; 0 or -errno. */
int tui_init(struct tui *t, struct engine *e, const char *guest, enum vmm_mode start_mode);
void tui_free(struct tui *t);

/* Start curses, run until the user quits, restore the terminal.  0, or -errno (message in
 * vmm_last_error()): -ENOTTY not a terminal, -EINVAL a terminal type curses cannot use. */
int tui_run(struct tui *t);

/* Redraw everything from the model. */
void tui_draw(struct tui *t);

/* Set the status-line message (printf-style). */
void tui_message(struct tui *t, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The console sink for session_open(): output goes to t->console. */
void tui_console_sink(void *ctx, const char *buf, size_t len);

/* During a long run: redraw now and then, and true if the user pressed a key to stop it. */
bool tui_poll_interrupt(struct tui *t);

/* ---- control.c: actions on the guest and the timeline --------------------------------------- */

/* Carry out one command (from a key or a count prefix). */
void tui_do(struct tui *t, const struct tui_cmd *c);

/* The prompt was answered: act on its text. */
void tui_prompt_done(struct tui *t);

/* Show step pos (clamped to the recording) and let the following panes follow. */
void tui_goto_step(struct tui *t, uint64_t pos);

/* One line on how the guest stopped, "" if it has not. */
const char *tui_stop_text(struct tui *t, char *buf, size_t len);

/* Content lines the registers pane needs at width w (view_regs.c). */
int tui_regs_lines(const struct tui *t, int w);

/* Content lines of the system pane at width w (view_system.c). */
int tui_system_lines(const struct tui *t, int w);

/* Content lines the events pane would like at width w: the step, where it is in the source, the
 * whole explanation and a few exits (view_events.c); the console pane: its output, up to 8
 * (view_console.c). */
int tui_events_need(struct tui *t, int w);
int tui_console_need(struct tui *t, int w);

/* Show an address in the code pane (cursor on it) or the memory pane (view_code.c,
 * view_memory.c). */
void tui_code_show(struct tui *t, uint64_t lin);
void tui_memory_show(struct tui *t, const struct tui_addr *a);

/* ---- snap.c: the state at the shown step --------------------------------------------------- */

/* Fill t->snap for t->pos; 0 or -errno (message in vmm_last_error()). */
int tui_snap_load(struct tui *t);
void tui_snap_free(struct tui *t);

/* Guest physical memory as it was at the shown step; 0 or -EFAULT outside memory. */
int tui_snap_read_phys(struct tui *t, uint64_t gpa, void *buf, size_t len);

/* The page walk of a linear address at the shown step (tables as they were then). */
int tui_snap_walk(struct tui *t, uint64_t lin, struct vmm_walk *w);

/* Read linear memory at the shown step; bytes read (stops at the first unmapped byte). */
size_t tui_snap_read_linear(struct tui *t, uint64_t lin, void *buf, size_t len);

/* Linear -> physical at the shown step; 0 or -EFAULT. */
int tui_snap_lin_to_phys(struct tui *t, uint64_t lin, uint64_t *gpa);

/* The explanation sentence of the shown step ("" if none). */
const char *tui_snap_explain(struct tui *t);

/* The latest step <= pos that wrote memory, or NULL. */
const struct tui_write *tui_last_write(const struct tui *t, uint64_t pos);

/* ---- draw.c: writing into a pane ---------------------------------------------------------------- */

struct tui_pen {
	struct tui *t;
	enum tui_pane_id id;
	int y, x, h, w;              /* the content area (below the title line) */
	int line;                    /* logical line being written */
	int col;
	int scroll;                  /* first logical line shown */
};

/* Start writing pane id's content at logical line 0 (scrolled by its pane's offset). */
void tui_pen_start(struct tui_pen *p, struct tui *t, enum tui_pane_id id);

/* Write text at the pen (clipped to the pane), advancing the column. */
void tui_pen_put(struct tui_pen *p, enum tui_style st, const char *text);
void tui_pen_printf(struct tui_pen *p, enum tui_style st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Move to column col of the current line. */
void tui_pen_col(struct tui_pen *p, int col);

/* Fill the rest of the current line with style st (for a highlighted line). */
void tui_pen_fill(struct tui_pen *p, enum tui_style st);

/* Next logical line. */
void tui_pen_nl(struct tui_pen *p);

/* True if the current line is on screen. */
bool tui_pen_visible(const struct tui_pen *p);

/* Finish: record the content's length for scrolling. */
void tui_pen_end(struct tui_pen *p);

/* Write text at screen row y, column x, at most w cells, in style st. */
void tui_put_at(struct tui *t, int y, int x, int w, enum tui_style st, const char *text);

/* Hex digits to show a value of this mode's width: 16 in long mode, else 8 (4 in real mode
 * for selectors and offsets is left to the views). */
int tui_addr_digits(const struct tui *t);
