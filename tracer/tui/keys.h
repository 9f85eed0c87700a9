/* keys.h - every TUI action once: its name, default keys, status-line hint and help text.
 *
 * The key parser (tui_key_action) and the help overlay both read this list, so the help can
 * never disagree with what a key does.  X(ID, name, key, key2, hint, counted, help):
 *   key, key2  curses key codes (0: none); a count typed before the key repeats the action
 *              when counted is 1 ("100s" steps 100 times, "50g" goes to step 50)
 *   hint       a short label for the status line, or NULL to leave the action out of it
 */
#pragma once

/* Key codes as curses reports them (ncurses values; tui.c checks them against <curses.h>, so
 * the pure layer needs no curses header and none of its macros). */
#define TUI_KEY_DOWN 0402
#define TUI_KEY_UP 0403
#define TUI_KEY_LEFT 0404
#define TUI_KEY_RIGHT 0405
#define TUI_KEY_HOME 0406
#define TUI_KEY_BACKSPACE 0407
#define TUI_KEY_F(n) (0410 + (n))
#define TUI_KEY_NPAGE 0522
#define TUI_KEY_PPAGE 0523
#define TUI_KEY_ENTER 0527
#define TUI_KEY_BTAB 0541
#define TUI_KEY_END 0550
#define TUI_KEY_RESIZE 0632

#define TUI_CTRL(c) ((c) & 0x1f)

#define TUI_ACTIONS(X)                                                                             \
	X(STEP, "step", 's', TUI_KEY_F(7), "step", 1,                                              \
	  "execute one instruction (in a past step: move forward through the history first)")      \
	X(NEXT, "next", 'n', TUI_KEY_F(8), "next", 1, "step over: a CALL runs until it returns")   \
	X(CONTINUE, "continue", 'c', TUI_KEY_F(5), "cont", 1,                                      \
	  "run to a breakpoint, a watched write or the end (any key interrupts)")                  \
	X(BACK, "back", 'b', TUI_KEY_LEFT, "back", 1,                                              \
	  "step back one recorded step; the guest is not re-run")                                  \
	X(FORWARD, "forward", 'f', TUI_KEY_RIGHT, NULL, 1,                                         \
	  "step forward: through the history, then execute new instructions")                      \
	X(REPEAT, "repeat", '\r', TUI_KEY_ENTER, NULL, 0,                                          \
	  "repeat the last step, next, continue, back or forward (as Enter does in gdb)")           \
	X(GOTO_STEP, "goto-step", 'g', 0, NULL, 1,                                                 \
	  "jump to step N (prompt, or type N first: 0g is the start)")                             \
	X(BREAK, "break", 'B', 0, "break", 0,                                                      \
	  "toggle a breakpoint at an address (prompt; Enter alone: the code cursor)")              \
	X(BREAK_CURSOR, "break-cursor", TUI_KEY_F(9), 0, NULL, 0,                                  \
	  "toggle a breakpoint at the code cursor at once")                                        \
	X(WATCH, "watch", 'w', 0, NULL, 0, "stop when the guest writes to an address (prompt)")    \
	X(GOTO_ADDR, "goto", 'G', ':', NULL, 0,                                                    \
	  "show an address in the code pane, or in the memory pane when it has the focus")         \
	X(MEMORY, "examine", 'x', 0, NULL, 0,                                                      \
	  "show memory at an address (prompt; p:ADDR for a physical address)")                     \
	X(WALK, "walk", 'W', 0, "walk", 0,                                                         \
	  "walk the page tables for an address (prompt; Enter alone: back to RIP)")                \
	X(FOCUS, "focus", '\t', 0, "pane", 0, "move the focus to the next pane")                   \
	X(ZOOM, "zoom", 'z', 0, NULL, 0,                                                            \
	  "zoom: the focused pane fills the screen (again: back to all panes)")                   \
	X(EXPLAIN, "explain", 'e', 0, NULL, 0,                                                     \
	  "the events pane zoomed: the whole explanation of the shown step (again: back)")        \
	X(FOCUS_BACK, "focus-back", TUI_KEY_BTAB, 0, NULL, 0, "move the focus to the previous pane") \
	X(UP, "up", TUI_KEY_UP, 'k', NULL, 1, "scroll the focused pane up (code: move the cursor)") \
	X(DOWN, "down", TUI_KEY_DOWN, 'j', NULL, 1,                                                \
	  "scroll the focused pane down (code: move the cursor)")                                  \
	X(PAGE_UP, "page-up", TUI_KEY_PPAGE, 0, NULL, 1, "scroll the focused pane up a page")      \
	X(PAGE_DOWN, "page-down", TUI_KEY_NPAGE, ' ', NULL, 1, "scroll the focused pane down a page") \
	X(HOME, "home", TUI_KEY_HOME, 0, NULL, 0,                                                  \
	  "back to the default view of the focused pane (code and memory follow the guest)")       \
	X(LATEST, "latest", TUI_KEY_END, 0, NULL, 0, "leave the history: show the latest step")    \
	X(HELP, "help", '?', TUI_KEY_F(1), "help", 0, "show or hide this help")                    \
	X(REDRAW, "redraw", TUI_CTRL('l'), 0, NULL, 0, "redraw the screen")                        \
	X(QUIT, "quit", 'q', TUI_KEY_F(10), "quit", 0, "quit (the terminal is restored)")

enum tui_action {
	TUI_ACT_NONE,
#define TUI_ACT_ENUM(id, name, key, key2, hint, counted, help) TUI_ACT_##id,
	TUI_ACTIONS(TUI_ACT_ENUM)
#undef TUI_ACT_ENUM
	TUI_ACT__COUNT,
};

struct tui_action_info {
	const char *name;
	int key, key2;
	const char *hint;
	int counted;
	const char *help;
};

/* Indexed by enum tui_action (TUI_ACT_NONE has a NULL name). */
extern const struct tui_action_info tui_actions[TUI_ACT__COUNT];
