/* model.h - the TUI's pure logic: layout, keys and counts, prompts, addresses, the timeline,
 * the event log and register decoding.  Nothing here touches curses, KVM or the engine, so
 * tests/test-tui-model.c exercises all of it without a terminal. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "x86.h"

/* ---- panes and layout ------------------------------------------------------------------- */

enum tui_pane_id {
	TUI_PANE_CODE,
	TUI_PANE_REGS,
	TUI_PANE_SYSTEM,
	TUI_PANE_WALK,
	TUI_PANE_EVENTS,
	TUI_PANE_CONSOLE,
	TUI_PANE_MEMORY,
	TUI_NPANES,
};

struct tui_rect {
	int y, x, h, w;   /* h includes the pane's title line */
};

/* Smallest terminal the layout accepts (every pane keeps a title and two lines). */
#define TUI_MIN_LINES 16
#define TUI_MIN_COLS 60

/* Place the panes on a lines x cols screen; row 0 is the title bar, the last row the status
 * line.  Two columns up to 149 columns, three from 150.  regs_lines: content lines the
 * registers pane needs (0: a default); the system pane gets what it does not.  -1 if the
 * screen is too small. */
int tui_layout(int lines, int cols, int regs_lines, struct tui_rect out[TUI_NPANES]);

/* The same with the content lines each pane would like to show (0: no particular need): beyond
 * every pane's minimum, rows go first to the events pane's explanation, then to the registers,
 * system, page walk and console up to what they ask, and what is left to the panes that can
 * always show more (code, memory, the exit log).  The widths depend on cols alone. */
int tui_layout_needs(int lines, int cols, const int want[TUI_NPANES], struct tui_rect out[TUI_NPANES]);

/* "code", "registers", ... */
const char *tui_pane_name(enum tui_pane_id p);

/* ---- keys and counts -------------------------------------------------------------------- */

/* The action bound to key, TUI_ACT_NONE if none. */
enum tui_action tui_key_action(int key);

/* A key's name for the help and status line: "s", "F7", "Left", "Tab", "^L", "PgUp". */
const char *tui_key_name(int key, char *buf, size_t len);

/* Keys typed so far of a command: a count prefix. */
struct tui_input {
	uint64_t count;
	bool has_count;
};

struct tui_cmd {
	enum tui_action act;
	uint64_t count;       /* 1 unless a count was typed (a typed 0 stays 0) */
	bool has_count;
};

#define TUI_COUNT_MAX 1000000000000ull

/* Feed one key: 1 with *out filled when it completes a command, 0 when it was a digit of a
 * count (or Escape, which drops the count), -1 for a key bound to nothing (the count is
 * dropped). */
int tui_input_key(struct tui_input *in, int key, struct tui_cmd *out);

/* ---- the one-line prompt ---------------------------------------------------------------- */

#define TUI_PROMPT_MAX 96

struct tui_prompt {
	bool active;
	enum tui_action act;         /* what the answer is for */
	char label[64];
	char text[TUI_PROMPT_MAX];
	size_t len;
};

enum { TUI_PROMPT_EDIT, TUI_PROMPT_DONE, TUI_PROMPT_CANCEL };

void tui_prompt_open(struct tui_prompt *p, enum tui_action act, const char *label);

/* Edit with one key (printable characters, Backspace, ^U, ^W); Enter: DONE, Escape/^C/^G:
 * CANCEL (both close the prompt). */
int tui_prompt_key(struct tui_prompt *p, int key);

/* ---- addresses and numbers -------------------------------------------------------------- */

struct tui_addr {
	uint64_t addr;
	bool phys;                   /* a guest physical address (p:ADDR), else linear */
};

/* Parse what a user types for an address: hex with or without 0x ("1000", "0x1000"), a
 * register ("rip", "rsp", "eax", ...: its value, plus the segment base for rip/rsp/rbp as
 * the CPU would use it), SEG:OFF in hex ("0000:1000" or "cs:1000" = base + offset), and
 * "p:ADDR" for a physical address.  An optional "+HEX" or "-HEX" is added.  0 or -EINVAL. */
int tui_parse_addr(const char *text, const struct kvm_regs *r, const struct kvm_sregs *s,
		   struct tui_addr *out);

/* What names typed in an address mean: the shown state's registers, and a symbol lookup (the
 * guest's ELF; sym NULL: none) returning 0 or -ENOENT. */
struct tui_addr_env {
	const struct kvm_regs *r;
	const struct kvm_sregs *s;
	int (*sym)(void *ctx, const char *name, size_t len, uint64_t *addr);
	void *sym_ctx;
};

/* tui_parse_addr with symbols ("setup_paging", "hello_main+10") and the system registers the
 * panes show: cr0, cr2, cr4, cr8, efer, gdt/gdtr and idt/idtr (their base) as linear
 * addresses, cr3 as the physical address of the top-level table.  A register wins over a
 * symbol of the same name, a symbol over hex digits ("add"); 0x always means hex. */
int tui_parse_addr_env(const char *text, const struct tui_addr_env *env, struct tui_addr *out);
int tui_parse_addr_len_env(const char *text, const struct tui_addr_env *env, struct tui_addr *out,
			   uint64_t *len);

/* A decimal step number, or "+N"/"-N" relative to cur.  0 or -EINVAL. */
int tui_parse_step(const char *text, uint64_t cur, uint64_t *out);

/* Address then an optional length ("400 8"); *len untouched if none.  0 or -EINVAL. */
int tui_parse_addr_len(const char *text, const struct kvm_regs *r, const struct kvm_sregs *s,
		       struct tui_addr *out, uint64_t *len);

/* ---- the timeline: which step is shown -------------------------------------------------- */

/* Moving back n steps from pos: never below 0. */
uint64_t tui_back(uint64_t pos, uint64_t n);

/* ---- scrolling ---------------------------------------------------------------------------- */

/* Clamp a scroll offset so that a view of `visible` lines over `total` stays filled. */
int tui_scroll_clamp(long off, int total, int visible);

/* A scrolling key for a view that counts lines back from its newest (a log): Up, PgUp add,
 * Down, PgDn take away (count times; a page is visible - 1 lines), Home goes back to 0; the new
 * offset, clamped, in *back.  False for any other action (*back untouched). */
bool tui_scroll_back(int *back, enum tui_action a, uint64_t count, int total, int visible);

/* ---- event logs, each entry tagged with its step -----------------------------------------
 * The TUI keeps two: one line per exit or message, and the guest's console output in chunks. */

enum tui_event_kind { TUI_EV_EXIT, TUI_EV_CONSOLE, TUI_EV_LOG, TUI_EV_NOTE };

struct tui_event {
	uint64_t step;
	uint8_t kind;
	size_t off, len;             /* text in the log's text buffer */
};

struct tui_events {
	struct tui_event *ev;
	size_t n, cap;
	char *text;
	size_t tlen, tcap;
	size_t max_events;           /* oldest half dropped beyond this (0: default 100,000) */
	uint64_t dropped;            /* events dropped so far */
};

void tui_events_init(struct tui_events *l);
void tui_events_free(struct tui_events *l);

/* Append an event; steps must not decrease (events of later steps than one being appended
 * are dropped first: a rewritten future).  0 or -ENOMEM. */
int tui_events_add(struct tui_events *l, uint64_t step, enum tui_event_kind kind,
		   const char *text, size_t len);

/* Number of events with step <= step (the ones to show at that step). */
size_t tui_events_upto(const struct tui_events *l, uint64_t step);

/* Text of event i (not NUL-terminated; its length in *len). */
const char *tui_event_text(const struct tui_events *l, size_t i, size_t *len);

/* For a log of console chunks: the text of the first `upto` events, its last `nlines` lines
 * joined by '\n' (the last one may be unfinished; at most 4 KiB looked at), other control
 * characters shown as '.'; bytes written (NUL-terminated). */
size_t tui_events_console_tail(const struct tui_events *l, size_t upto, int nlines, char *buf,
			       size_t len);

/* The text of the first `upto` events, one run of bytes (the log's buffer: not NUL-terminated);
 * its length. */
size_t tui_events_text_upto(const struct tui_events *l, size_t upto, const char **text);

/* Console output as lines of at most width columns for a pane: the end of text[0..len) split at
 * newlines and wrapped, control characters as '.', a final unfinished line included.  Skips
 * the `back` last lines, then writes up to max lines (oldest first) into lines[] (each at most
 * TUI_CONSOLE_COLS - 1 characters); *total gets how many lines the last 64 KiB of text make.
 * Returns the lines written. */
#define TUI_CONSOLE_COLS 256
int tui_console_lines(const char *text, size_t len, int width, int back, char lines[][TUI_CONSOLE_COLS],
		      int max, int *total);

/* ---- register decoding ------------------------------------------------------------------ */

/* A segment's type in a few letters: "code RX", "data RW", "TSS", "LDT", "-" if unusable. */
const char *tui_seg_type(const struct kvm_segment *s);

/* ---- help and hints ----------------------------------------------------------------------- */

#define TUI_HELP_COLS 160

/* The help text, from the action list and a few notes, wrapped to width columns (at most
 * TUI_HELP_COLS - 1): "s F7       execute one instruction ..." with continuation lines
 * indented.  Lines written into lines[0..max); their count. */
int tui_help_lines(int width, char lines[][TUI_HELP_COLS], int max);

/* The status line's key hints, as many as fit in width: "s step  n next ...". */
size_t tui_hints(char *buf, size_t len, int width);

/* ---- instructions as they ran -------------------------------------------------------------
 * Every executed instruction by address: the first and the latest time it ran, with its code
 * size and bytes then, so the code pane shows past code as it ran (not re-decoded in today's
 * mode from today's bytes) and knows where instructions start. */

struct tui_xrec {
	uint64_t step;               /* the step that executed it (1-based) */
	uint8_t bits, len;
	uint8_t bytes[15];
};

struct tui_xslot {
	uint64_t addr;               /* linear; ~0: empty */
	struct tui_xrec first, last;
};

struct tui_xmap {
	struct tui_xslot *slot;
	size_t cap, n;               /* cap: a power of two */
};

/* Record that step (steps only grow) executed len bytes at linear addr in bits-bit code. 0, or
 * -ENOMEM (the map is unchanged), -EINVAL for a length of 0 or above 15. */
int tui_xmap_add(struct tui_xmap *m, uint64_t addr, uint64_t step, int bits, const uint8_t *bytes,
		 size_t len);

/* The instruction at addr as it last ran at or before step pos (the latest run if that was by
 * then, else the first); NULL if it had not run by pos. */
const struct tui_xrec *tui_xmap_find(const struct tui_xmap *m, uint64_t addr, uint64_t pos);

void tui_xmap_free(struct tui_xmap *m);
