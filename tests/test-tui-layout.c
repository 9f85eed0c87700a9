/* test-tui-layout.c - the TUI's pure layer for what the panes need: the layout by need (the
 * explanation first), addresses with symbols and system registers, the console's lines and
 * scrolling from the newest, and the index of executed instructions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testkit.h"

static void test_layout_needs(void)
{
	struct tui_rect r[TUI_NPANES];
	int want[TUI_NPANES] = { 0 };
	static const int sizes[][2] = { { 24, 80 }, { 30, 100 }, { 36, 120 }, { 40, 149 }, { 40, 150 },
					{ 45, 160 }, { 60, 200 } };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		int lines = sizes[k][0], cols = sizes[k][1], used = 0;

		memset(want, 0, sizeof(want));
		want[TUI_PANE_REGS] = 4;
		want[TUI_PANE_SYSTEM] = 15;
		want[TUI_PANE_CONSOLE] = 1;
		/* the events pane asks for 12 lines: it gets them first wherever there is room
		 * beyond the other panes' minimums */
		want[TUI_PANE_EVENTS] = 12;
		CHECK_EQ(tui_layout_needs(lines, cols, want, r), 0);
		if (lines >= 30)
			CHECK(r[TUI_PANE_EVENTS].h >= 13);
		CHECK_EQ(r[TUI_PANE_REGS].h, 5);
		for (int i = 0; i < TUI_NPANES; i++) {
			CHECK(r[i].h >= (i == TUI_PANE_CONSOLE ? 2 : 3));
			CHECK(r[i].y >= 1 && r[i].y + r[i].h <= lines - 1);
			used += r[i].h * r[i].w;
		}
		CHECK(used >= (lines - 2) * (cols - 2));
		/* three columns from 150: the events pane under the registers and system panes */
		if (cols >= 150) {
			CHECK_EQ(r[TUI_PANE_EVENTS].x, r[TUI_PANE_REGS].x);
			CHECK_EQ(r[TUI_PANE_SYSTEM].h, 16);
			CHECK_EQ(r[TUI_PANE_CODE].h, lines - 2);
		}
	}
	/* 80x24 cannot give 12: the code keeps its 8 rows and the walk its 6 */
	want[TUI_PANE_EVENTS] = 12;
	CHECK_EQ(tui_layout_needs(24, 80, want, r), 0);
	CHECK(r[TUI_PANE_EVENTS].h < 13);
	CHECK(r[TUI_PANE_CODE].h >= 8);
	CHECK(r[TUI_PANE_WALK].h >= 6);
	/* a short explanation leaves the rows to the code */
	{
		struct tui_rect r2[TUI_NPANES];

		want[TUI_PANE_EVENTS] = 12;
		tui_layout_needs(36, 120, want, r);
		want[TUI_PANE_EVENTS] = 4;
		tui_layout_needs(36, 120, want, r2);
		CHECK(r2[TUI_PANE_CODE].h > r[TUI_PANE_CODE].h);
	}
	CHECK_EQ(tui_layout_needs(TUI_MIN_LINES - 1, 80, want, r), -1);
	CHECK_STR(tui_pane_name(TUI_PANE_CONSOLE), "console");
}

static int fake_sym(void *ctx, const char *name, size_t len, uint64_t *addr)
{
	(void)ctx;
	if (len == 12 && memcmp(name, "setup_paging", 12) == 0) {
		*addr = 0x10bd;
		return 0;
	}
	if (len == 3 && memcmp(name, "add", 3) == 0) {
		*addr = 0x2000;
		return 0;
	}
	if (len == 3 && memcmp(name, "rsp", 3) == 0) {
		*addr = 0x3000;  /* a symbol named like a register: the register wins */
		return 0;
	}
	return -ENOENT;
}

static void test_addr_env(void)
{
	struct kvm_regs r = { .rsp = 0x7000, .rip = 0x1000 };
	struct kvm_sregs s = { .cr0 = 0x80000011, .cr2 = 0xdead000, .cr3 = 0x2fff, .cr4 = 0x20,
			       .efer = 0x500, .gdt = { .base = 0x10b8 }, .idt = { .base = 0x3000 } };
	struct tui_addr_env env = { &r, &s, fake_sym, NULL };
	struct tui_addr a;
	uint64_t len = 0;

	CHECK_EQ(tui_parse_addr_env("setup_paging", &env, &a), 0);
	CHECK_EQ(a.addr, 0x10bd);
	CHECK(!a.phys);
	CHECK_EQ(tui_parse_addr_env("setup_paging+10", &env, &a), 0);
	CHECK_EQ(a.addr, 0x10cd);
	CHECK_EQ(tui_parse_addr_env("add", &env, &a), 0);  /* a symbol before hex digits */
	CHECK_EQ(a.addr, 0x2000);
	CHECK_EQ(tui_parse_addr_env("0xadd", &env, &a), 0);  /* 0x: always hex */
	CHECK_EQ(a.addr, 0xadd);
	CHECK_EQ(tui_parse_addr_env("rsp", &env, &a), 0);
	CHECK_EQ(a.addr, 0x7000);
	CHECK_EQ(tui_parse_addr_env("cr2", &env, &a), 0);
	CHECK_EQ(a.addr, 0xdead000);
	CHECK(!a.phys);
	CHECK_EQ(tui_parse_addr_env("CR2+8", &env, &a), 0);
	CHECK_EQ(a.addr, 0xdead008);
	CHECK_EQ(tui_parse_addr_env("cr3", &env, &a), 0);  /* 4-level: the table at bits 51..12 */
	CHECK_EQ(a.addr, 0x2000);
	CHECK(a.phys);
	s.efer = 0;  /* PAE without long mode: the PDPT is 32-byte aligned */
	CHECK_EQ(tui_parse_addr_env("cr3", &env, &a), 0);
	CHECK_EQ(a.addr, 0x2fe0);
	CHECK_EQ(tui_parse_addr_env("gdt", &env, &a), 0);
	CHECK_EQ(a.addr, 0x10b8);
	CHECK_EQ(tui_parse_addr_env("idtr", &env, &a), 0);
	CHECK_EQ(a.addr, 0x3000);
	CHECK_EQ(tui_parse_addr_env("cs:setup_paging", &env, &a), 0);
	CHECK_EQ(a.addr, 0x10bd);
	CHECK_EQ(tui_parse_addr_env("nosuch", &env, &a), -EINVAL);
	CHECK_EQ(tui_parse_addr_len_env("setup_paging 4", &env, &a, &len), 0);
	CHECK_EQ(a.addr, 0x10bd);
	CHECK_EQ(len, 4);
	/* without symbols: hex as before, names refused */
	env.sym = NULL;
	CHECK_EQ(tui_parse_addr_env("add", &env, &a), 0);
	CHECK_EQ(a.addr, 0xadd);
	CHECK_EQ(tui_parse_addr_env("setup_paging", &env, &a), -EINVAL);
}

static void test_console(void)
{
	static char lines[8][TUI_CONSOLE_COLS];
	const char *text = "one\ntwo\nthree is long\nfour";
	int total, n;

	n = tui_console_lines(text, strlen(text), 20, 0, lines, 8, &total);
	CHECK_EQ(total, 4);
	CHECK_EQ(n, 4);
	CHECK_STR(lines[0], "one");
	CHECK_STR(lines[3], "four");
	/* wrapped at the width; the newest at the bottom, `back` lines skipped */
	n = tui_console_lines(text, strlen(text), 5, 0, lines, 2, &total);
	CHECK_EQ(total, 6);  /* "three is long" makes three lines of 5 */
	CHECK_EQ(n, 2);
	CHECK_STR(lines[0], "ong");  /* "three", " is l", "ong" */
	CHECK_STR(lines[1], "four");
	n = tui_console_lines(text, strlen(text), 5, 3, lines, 2, &total);
	CHECK_EQ(n, 2);
	CHECK_STR(lines[0], "two");
	CHECK_STR(lines[1], "three");
	n = tui_console_lines(text, strlen(text), 5, 100, lines, 2, &total);
	CHECK_EQ(n, 0);
	/* a final newline ends a line without starting one; control bytes show as '.' */
	n = tui_console_lines("a\tb\n", 4, 20, 0, lines, 8, &total);
	CHECK_EQ(total, 1);
	CHECK_STR(lines[0], "a.b");
	n = tui_console_lines("", 0, 20, 0, lines, 8, &total);
	CHECK_EQ(total, 0);
	CHECK_EQ(n, 0);
}

static void test_scroll_back(void)
{
	int back = 0;

	CHECK(tui_scroll_back(&back, TUI_ACT_UP, 1, 10, 4));
	CHECK_EQ(back, 1);
	CHECK(tui_scroll_back(&back, TUI_ACT_PAGE_UP, 1, 10, 4));
	CHECK_EQ(back, 4);
	CHECK(tui_scroll_back(&back, TUI_ACT_PAGE_UP, 5, 10, 4));
	CHECK_EQ(back, 6);  /* at most total - visible */
	CHECK(tui_scroll_back(&back, TUI_ACT_DOWN, 100, 10, 4));
	CHECK_EQ(back, 0);
	back = 5;
	CHECK(tui_scroll_back(&back, TUI_ACT_HOME, 1, 10, 4));
	CHECK_EQ(back, 0);
	CHECK(!tui_scroll_back(&back, TUI_ACT_STEP, 1, 10, 4));
}

static void test_xmap(void)
{
	struct tui_xmap m = { 0 };
	const struct tui_xrec *x;
	static const uint8_t jmp16[] = { 0x66, 0xea, 0x23, 0x10, 0, 0, 0x08, 0 }, mov[] = { 0x89, 0xc0 };

	CHECK(tui_xmap_find(&m, 0x1000, 100) == NULL);
	CHECK_EQ(tui_xmap_add(&m, 0x101b, 11, 16, jmp16, sizeof(jmp16)), 0);
	CHECK_EQ(tui_xmap_add(&m, 0x1000, 12, 32, mov, 0), -EINVAL);
	CHECK_EQ(tui_xmap_add(&m, 0x1000, 12, 32, mov, 16), -EINVAL);
	x = tui_xmap_find(&m, 0x101b, 11);
	CHECK(x && x->bits == 16 && x->len == 8 && x->step == 11 && memcmp(x->bytes, jmp16, 8) == 0);
	CHECK(tui_xmap_find(&m, 0x101b, 10) == NULL);  /* not run yet at step 10 */
	/* run again later in another mode: the latest run by the shown step, else the first */
	CHECK_EQ(tui_xmap_add(&m, 0x101b, 50, 32, mov, sizeof(mov)), 0);
	x = tui_xmap_find(&m, 0x101b, 60);
	CHECK(x && x->bits == 32 && x->len == 2);
	x = tui_xmap_find(&m, 0x101b, 20);
	CHECK(x && x->bits == 16 && x->len == 8);
	/* many addresses: the map grows and keeps every one */
	for (uint64_t a = 0; a < 5000; a++)
		CHECK_EQ(tui_xmap_add(&m, 0x100000 + a * 3, 100 + a, 64, mov, sizeof(mov)), 0);
	CHECK_EQ(m.n, 5001);
	for (uint64_t a = 0; a < 5000; a += 499) {
		x = tui_xmap_find(&m, 0x100000 + a * 3, 100000);
		CHECK(x && x->step == 100 + a);
	}
	CHECK(tui_xmap_find(&m, 0x100001, 100000) == NULL);
	x = tui_xmap_find(&m, 0x101b, 60);
	CHECK(x && x->bits == 32);
	tui_xmap_free(&m);
	CHECK(tui_xmap_find(&m, 0x101b, 60) == NULL);
}

int main(void)
{
	test_layout_needs();
	test_addr_env();
	test_console();
	test_scroll_back();
	test_xmap();
	return check_summary();
}
