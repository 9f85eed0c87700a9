/* test-tui-model.c - the TUI's pure layer without a terminal: layout at the sizes students use,
 * keys and count prefixes, the help built from the same action list as the key parser, the
 * prompt editor, addresses, the event logs and register decoding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testkit.h"

static int overlaps(const struct tui_rect *a, const struct tui_rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static void check_layout(int lines, int cols, int regs_lines)
{
	struct tui_rect r[TUI_NPANES];
	int area = 0;

	CHECK_EQ(tui_layout(lines, cols, regs_lines, r), 0);
	for (int i = 0; i < TUI_NPANES; i++) {
		/* every pane on screen, between the title bar and the status line, with a title
		 * and at least two lines of content, and room for a 32-bit register row */
		CHECK(r[i].y >= 1);
		CHECK(r[i].y + r[i].h <= lines - 1);
		CHECK(r[i].x >= 0);
		CHECK(r[i].x + r[i].w <= cols);
		CHECK(r[i].h >= (i == TUI_PANE_CONSOLE ? 2 : 3));
		if (cols >= 80)
			CHECK(r[i].w >= 38);
		area += r[i].h * r[i].w;
		for (int k = 0; k < i; k++)
			CHECK(!overlaps(&r[i], &r[k]));
	}
	/* the panes and their separators fill the screen between the two bars */
	CHECK(area >= (lines - 2) * (cols - 2));
	if (regs_lines > 0 && lines >= 24)
		CHECK_EQ(r[TUI_PANE_REGS].h, regs_lines + 1);
}

static void test_layout(void)
{
	struct tui_rect r[TUI_NPANES], big[TUI_NPANES];

	check_layout(24, 80, 0);
	check_layout(24, 80, 4);
	check_layout(24, 80, 7);
	check_layout(60, 200, 7);
	check_layout(60, 200, 0);
	check_layout(40, 120, 7);
	check_layout(50, 149, 4);
	check_layout(50, 150, 4);
	check_layout(TUI_MIN_LINES, TUI_MIN_COLS, 4);
	CHECK_EQ(tui_layout(TUI_MIN_LINES - 1, 80, 0, r), -1);
	CHECK_EQ(tui_layout(24, TUI_MIN_COLS - 1, 0, r), -1);
	/* more room: every pane grows or stays */
	tui_layout(24, 80, 7, r);
	tui_layout(60, 200, 7, big);
	for (int i = 0; i < TUI_NPANES; i++) {
		CHECK(big[i].w >= r[i].w);
		CHECK(big[i].h >= r[i].h);
	}
	CHECK(big[TUI_PANE_CODE].h > r[TUI_PANE_CODE].h);
	/* 80x24: code at the top left, registers at the top right */
	CHECK_EQ(r[TUI_PANE_CODE].y, 1);
	CHECK_EQ(r[TUI_PANE_CODE].x, 0);
	CHECK_EQ(r[TUI_PANE_REGS].y, 1);
	CHECK(r[TUI_PANE_REGS].x > 0);
	CHECK_STR(tui_pane_name(TUI_PANE_WALK), "page walk");
}

static void test_keys(void)
{
	char buf[32];

	CHECK_EQ(tui_key_action('s'), TUI_ACT_STEP);
	CHECK_EQ(tui_key_action(TUI_KEY_F(7)), TUI_ACT_STEP);
	CHECK_EQ(tui_key_action('n'), TUI_ACT_NEXT);
	CHECK_EQ(tui_key_action(TUI_KEY_F(8)), TUI_ACT_NEXT);
	CHECK_EQ(tui_key_action('c'), TUI_ACT_CONTINUE);
	CHECK_EQ(tui_key_action(TUI_KEY_F(5)), TUI_ACT_CONTINUE);
	CHECK_EQ(tui_key_action('b'), TUI_ACT_BACK);
	CHECK_EQ(tui_key_action(TUI_KEY_LEFT), TUI_ACT_BACK);
	CHECK_EQ(tui_key_action(TUI_KEY_RIGHT), TUI_ACT_FORWARD);
	CHECK_EQ(tui_key_action('B'), TUI_ACT_BREAK);
	CHECK_EQ(tui_key_action('w'), TUI_ACT_WATCH);
	CHECK_EQ(tui_key_action(':'), TUI_ACT_GOTO_ADDR);
	CHECK_EQ(tui_key_action('W'), TUI_ACT_WALK);
	CHECK_EQ(tui_key_action('\t'), TUI_ACT_FOCUS);
	CHECK_EQ(tui_key_action('?'), TUI_ACT_HELP);
	CHECK_EQ(tui_key_action('q'), TUI_ACT_QUIT);
	CHECK_EQ(tui_key_action('\r'), TUI_ACT_REPEAT);
	CHECK_EQ(tui_key_action('Z'), TUI_ACT_NONE);
	CHECK_EQ(tui_key_action(0), TUI_ACT_NONE);
	/* no key is bound twice, no digit is bound (digits are counts) */
	for (int a = 1; a < TUI_ACT__COUNT; a++) {
		CHECK(tui_actions[a].name && tui_actions[a].help && tui_actions[a].key);
		CHECK(!(tui_actions[a].key >= '0' && tui_actions[a].key <= '9'));
		CHECK_EQ(tui_key_action(tui_actions[a].key), a);
		if (tui_actions[a].key2)
			CHECK_EQ(tui_key_action(tui_actions[a].key2), a);
	}
	CHECK_STR(tui_key_name(TUI_KEY_F(7), buf, sizeof(buf)), "F7");
	CHECK_STR(tui_key_name(TUI_KEY_LEFT, buf, sizeof(buf)), "Left");
	CHECK_STR(tui_key_name('\t', buf, sizeof(buf)), "Tab");
	CHECK_STR(tui_key_name(TUI_CTRL('l'), buf, sizeof(buf)), "^L");
	CHECK_STR(tui_key_name('?', buf, sizeof(buf)), "?");
}

static void test_counts(void)
{
	struct tui_input in = { 0 };
	struct tui_cmd c;

	/* "100s" steps 100 times */
	CHECK_EQ(tui_input_key(&in, '1', &c), 0);
	CHECK_EQ(tui_input_key(&in, '0', &c), 0);
	CHECK_EQ(tui_input_key(&in, '0', &c), 0);
	CHECK(in.has_count);
	CHECK_EQ(tui_input_key(&in, 's', &c), 1);
	CHECK_EQ(c.act, TUI_ACT_STEP);
	CHECK_EQ(c.count, 100);
	CHECK(c.has_count);
	CHECK(!in.has_count);
	/* no count: 1 */
	CHECK_EQ(tui_input_key(&in, TUI_KEY_F(7), &c), 1);
	CHECK_EQ(c.count, 1);
	CHECK(!c.has_count);
	/* "0g" goes to step 0: a typed 0 stays 0 */
	tui_input_key(&in, '0', &c);
	CHECK_EQ(tui_input_key(&in, 'g', &c), 1);
	CHECK_EQ(c.act, TUI_ACT_GOTO_STEP);
	CHECK_EQ(c.count, 0);
	CHECK(c.has_count);
	/* a count before an action that takes none is dropped */
	tui_input_key(&in, '5', &c);
	CHECK_EQ(tui_input_key(&in, '?', &c), 1);
	CHECK_EQ(c.count, 1);
	CHECK(!c.has_count);
	/* Escape and unbound keys drop the count */
	tui_input_key(&in, '7', &c);
	CHECK_EQ(tui_input_key(&in, 27, &c), 0);
	CHECK(!in.has_count);
	tui_input_key(&in, '7', &c);
	CHECK_EQ(tui_input_key(&in, 'Z', &c), -1);
	CHECK(!in.has_count);
	CHECK_EQ(tui_input_key(&in, 'b', &c), 1);
	CHECK_EQ(c.count, 1);
	/* huge counts saturate */
	for (int i = 0; i < 30; i++)
		tui_input_key(&in, '9', &c);
	tui_input_key(&in, 'c', &c);
	CHECK_EQ(c.count, TUI_COUNT_MAX);
}

static void test_help(void)
{
	static char lines[128][TUI_HELP_COLS];
	char hints[200];
	int n = tui_help_lines(76, lines, 128);

	CHECK(n > TUI_ACT__COUNT);
	for (int i = 0; i < n; i++)
		CHECK(strlen(lines[i]) <= 76);
	/* every action's first key and the start of its help text are in the help */
	for (int a = 1; a < TUI_ACT__COUNT; a++) {
		char key[16], start[24];
		int found = 0;

		tui_key_name(tui_actions[a].key, key, sizeof(key));
		snprintf(start, sizeof(start), "%.20s", tui_actions[a].help);
		for (int i = 0; i < n; i++)
			if (strncmp(lines[i], key, strlen(key)) == 0 && strstr(lines[i], start))
				found = 1;
		CHECK(found);
	}
	CHECK(strstr(lines[0], "s F7") == lines[0]);
	tui_hints(hints, sizeof(hints), 78);
	CHECK(strlen(hints) <= 78);
	CHECK_CONTAINS(hints, "s step");
	CHECK_CONTAINS(hints, "? help");
	CHECK_CONTAINS(hints, "q quit");
	tui_hints(hints, sizeof(hints), 20);
	CHECK(strlen(hints) <= 20);
}

static void test_prompt(void)
{
	struct tui_prompt p;
	const char *s = "0x10 00";

	tui_prompt_open(&p, TUI_ACT_BREAK, "break at: ");
	CHECK(p.active);
	for (; *s; s++)
		CHECK_EQ(tui_prompt_key(&p, *s), TUI_PROMPT_EDIT);
	CHECK_STR(p.text, "0x10 00");
	tui_prompt_key(&p, TUI_KEY_BACKSPACE);
	CHECK_STR(p.text, "0x10 0");
	tui_prompt_key(&p, TUI_CTRL('w'));
	CHECK_STR(p.text, "0x10 ");
	tui_prompt_key(&p, '3');
	tui_prompt_key(&p, 127);
	tui_prompt_key(&p, TUI_KEY_LEFT);  /* ignored */
	CHECK_STR(p.text, "0x10 ");
	CHECK_EQ(tui_prompt_key(&p, '\r'), TUI_PROMPT_DONE);
	CHECK(!p.active);
	CHECK_EQ(p.act, TUI_ACT_BREAK);
	tui_prompt_open(&p, TUI_ACT_WALK, "walk: ");
	tui_prompt_key(&p, 'x');
	tui_prompt_key(&p, TUI_CTRL('u'));
	CHECK_STR(p.text, "");
	CHECK_EQ(tui_prompt_key(&p, 27), TUI_PROMPT_CANCEL);
	CHECK(!p.active);
	/* the text never overflows */
	tui_prompt_open(&p, TUI_ACT_WALK, "walk: ");
	for (int i = 0; i < 500; i++)
		tui_prompt_key(&p, 'a');
	CHECK_EQ(p.len, TUI_PROMPT_MAX - 1);
}

static void test_addresses(void)
{
	struct kvm_regs r = { .rax = 0x1122334455667788ull, .rsp = 0xfff0, .rip = 0x10, .r10 = 0x42 };
	struct kvm_sregs s = { 0 };
	struct tui_addr a;
	uint64_t n, len = 8;

	s.cs.base = 0x10000;
	s.ss.base = 0x20000;
	CHECK_EQ(tui_parse_addr("1000", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x1000);
	CHECK(!a.phys);
	CHECK_EQ(tui_parse_addr(" 0x1FfF ", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x1fff);
	CHECK_EQ(tui_parse_addr("p:400", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x400);
	CHECK(a.phys);
	CHECK_EQ(tui_parse_addr("phys:0x400+8", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x408);
	CHECK_EQ(tui_parse_addr("0000:1000", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x1000);
	CHECK_EQ(tui_parse_addr("b800:10", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0xb8010);
	CHECK_EQ(tui_parse_addr("cs:10", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x10010);
	/* registers, with the segment base the CPU adds outside 64-bit mode */
	CHECK_EQ(tui_parse_addr("rip", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x10010);
	CHECK_EQ(tui_parse_addr("rsp-10", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x2ffe0);
	CHECK_EQ(tui_parse_addr("eax", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x55667788);
	CHECK_EQ(tui_parse_addr("ax", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x7788);
	CHECK_EQ(tui_parse_addr("RAX", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x1122334455667788ull);
	CHECK_EQ(tui_parse_addr("r10", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x42);
	s.efer = 1u << 10;  /* 64-bit mode: no CS base */
	s.cs.l = 1;
	CHECK_EQ(tui_parse_addr("rip", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x10);
	s.fs.base = 0x7000;  /* ... nor CS:OFF, but FS and GS keep theirs */
	CHECK_EQ(tui_parse_addr("cs:10", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x10);
	CHECK_EQ(tui_parse_addr("FS:8", &r, &s, &a), 0);
	CHECK_EQ(a.addr, 0x7008);
	/* bad input */
	CHECK_EQ(tui_parse_addr("", &r, &s, &a), -EINVAL);
	CHECK_EQ(tui_parse_addr("xyz", &r, &s, &a), -EINVAL);
	CHECK_EQ(tui_parse_addr("0x", &r, &s, &a), -EINVAL);
	CHECK_EQ(tui_parse_addr("12345678901234567", &r, &s, &a), -EINVAL);
	CHECK_EQ(tui_parse_addr("10000:0", &r, &s, &a), -EINVAL);
	CHECK_EQ(tui_parse_addr("1000+", &r, &s, &a), -EINVAL);
	/* address and length */
	CHECK_EQ(tui_parse_addr_len("400", &r, &s, &a, &len), 0);
	CHECK_EQ(a.addr, 0x400);
	CHECK_EQ(len, 8);
	CHECK_EQ(tui_parse_addr_len("  400  16 ", &r, &s, &a, &len), 0);
	CHECK_EQ(len, 16);
	CHECK_EQ(tui_parse_addr_len("400 0x20", &r, &s, &a, &len), 0);
	CHECK_EQ(len, 32);
	CHECK_EQ(tui_parse_addr_len("400 0", &r, &s, &a, &len), -EINVAL);
	CHECK_EQ(tui_parse_addr_len("400 x", &r, &s, &a, &len), -EINVAL);
	/* steps: decimal, or relative */
	CHECK_EQ(tui_parse_step("12", 5, &n), 0);
	CHECK_EQ(n, 12);
	CHECK_EQ(tui_parse_step("+3", 5, &n), 0);
	CHECK_EQ(n, 8);
	CHECK_EQ(tui_parse_step("-9", 5, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(tui_parse_step("1a", 5, &n), -EINVAL);
	CHECK_EQ(tui_parse_step("", 5, &n), -EINVAL);
}

static void test_timeline(void)
{
	CHECK_EQ(tui_back(10, 3), 7);
	CHECK_EQ(tui_back(2, 3), 0);
	CHECK_EQ(tui_scroll_clamp(-5, 10, 4), 0);
	CHECK_EQ(tui_scroll_clamp(3, 10, 4), 3);
	CHECK_EQ(tui_scroll_clamp(9, 10, 4), 6);
	CHECK_EQ(tui_scroll_clamp(9, 2, 4), 0);
}

static void test_events(void)
{
	struct tui_events l, c;
	char buf[256];
	size_t len;
	const char *t;

	tui_events_init(&l);
	CHECK_EQ(tui_events_upto(&l, 100), 0);
	CHECK_EQ(tui_events_add(&l, 3, TUI_EV_EXIT, "#3 OUT", 6), 0);
	CHECK_EQ(tui_events_add(&l, 3, TUI_EV_NOTE, "note", 4), 0);
	CHECK_EQ(tui_events_add(&l, 7, TUI_EV_EXIT, "#7 HLT", 6), 0);
	CHECK_EQ(tui_events_upto(&l, 0), 0);
	CHECK_EQ(tui_events_upto(&l, 3), 2);
	CHECK_EQ(tui_events_upto(&l, 6), 2);
	CHECK_EQ(tui_events_upto(&l, 7), 3);
	t = tui_event_text(&l, 2, &len);
	CHECK_EQ(len, 6);
	CHECK(memcmp(t, "#7 HLT", 6) == 0);
	/* an event for an earlier step drops the later ones (a rewritten future) */
	CHECK_EQ(tui_events_add(&l, 5, TUI_EV_LOG, "x", 1), 0);
	CHECK_EQ(l.n, 3);
	CHECK_EQ(tui_events_upto(&l, 100), 3);
	/* a long run keeps the newest half when full */
	l.max_events = 100;
	for (int i = 0; i < 1000; i++) {
		char line[32];
		int k = snprintf(line, sizeof(line), "#%d", 10 + i);

		tui_events_add(&l, (uint64_t)(10 + i), TUI_EV_EXIT, line, (size_t)k);
	}
	CHECK(l.n <= 100);
	CHECK(l.dropped > 0);
	t = tui_event_text(&l, l.n - 1, &len);
	CHECK(len == 5 && memcmp(t, "#1009", 5) == 0);
	t = tui_event_text(&l, 0, &len);
	CHECK_EQ(l.ev[0].step, (uint64_t)strtoul(t + 1, NULL, 10));
	tui_events_free(&l);

	/* the console: chunks of any size, lines by '\n' */
	tui_events_init(&c);
	tui_events_add(&c, 6, TUI_EV_CONSOLE, "R", 1);
	tui_events_add(&c, 20, TUI_EV_CONSOLE, "P", 1);
	tui_events_add(&c, 45, TUI_EV_CONSOLE, "L", 1);
	tui_events_add(&c, 47, TUI_EV_CONSOLE, "\n", 1);
	tui_events_add(&c, 60, TUI_EV_CONSOLE, "two\nthree\x01", 10);
	tui_events_console_tail(&c, tui_events_upto(&c, 5), 1, buf, sizeof(buf));
	CHECK_STR(buf, "");
	tui_events_console_tail(&c, tui_events_upto(&c, 20), 1, buf, sizeof(buf));
	CHECK_STR(buf, "RP");
	tui_events_console_tail(&c, tui_events_upto(&c, 47), 1, buf, sizeof(buf));
	CHECK_STR(buf, "RPL");
	tui_events_console_tail(&c, tui_events_upto(&c, 60), 1, buf, sizeof(buf));
	CHECK_STR(buf, "three.");
	tui_events_console_tail(&c, tui_events_upto(&c, 60), 3, buf, sizeof(buf));
	CHECK_STR(buf, "RPL\ntwo\nthree.");
	tui_events_console_tail(&c, tui_events_upto(&c, 60), 3, buf, 5);
	CHECK_STR(buf, "ree.");
	tui_events_free(&c);
}

/* Segment types in a few letters (bit names: tests/test-x86.c). */
static void test_seg_types(void)
{
	struct kvm_segment cs = { .type = 0xb, .s = 1, .present = 1 }, tr = { .type = 0xb, .s = 0 };
	struct kvm_segment ds = { .type = 0x3, .s = 1 }, bad = { .unusable = 1 };

	CHECK_STR(tui_seg_type(&cs), "code RX");
	CHECK_STR(tui_seg_type(&ds), "data RW");
	CHECK_STR(tui_seg_type(&tr), "TSSbusy");
	CHECK_STR(tui_seg_type(&bad), "-");
}

int main(void)
{
	test_layout();
	test_keys();
	test_counts();
	test_help();
	test_prompt();
	test_addresses();
	test_timeline();
	test_events();
	test_seg_types();
	return check_summary();
}
