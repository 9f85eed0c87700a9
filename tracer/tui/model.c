/* model.c - the TUI's pure logic: layout, keys and counts, the prompt, scrolling, help. */
#include "model.h"

#include <stdio.h>
#include <string.h>

const struct tui_action_info tui_actions[TUI_ACT__COUNT] = {
#define TUI_ACT_INFO(id, nm, k, k2, h, c, txt) \
	[TUI_ACT_##id] = { .name = nm, .key = k, .key2 = k2, .hint = h, .counted = c, .help = txt },
	TUI_ACTIONS(TUI_ACT_INFO)
#undef TUI_ACT_INFO
};

/* ---- layout ------------------------------------------------------------------------------- */

static const char *const pane_names[TUI_NPANES] = {
	[TUI_PANE_CODE] = "code",
	[TUI_PANE_REGS] = "registers",
	[TUI_PANE_SYSTEM] = "system",
	[TUI_PANE_WALK] = "page walk",
	[TUI_PANE_EVENTS] = "events",
	[TUI_PANE_CONSOLE] = "console",
	[TUI_PANE_MEMORY] = "memory",
};

const char *tui_pane_name(enum tui_pane_id p)
{
	return (unsigned)p < TUI_NPANES ? pane_names[p] : "?";
}

struct slot {
	enum tui_pane_id id;
	int min, weight, cap;   /* rows (title included); cap 0: none */
};

/* Which pane gets the rows it asks for first when a column has more than the minimums: the
 * explanation, then the panes whose content has a fixed length, then the rest. */
static const int prio[TUI_NPANES] = {
	[TUI_PANE_EVENTS] = 0, [TUI_PANE_REGS] = 1, [TUI_PANE_SYSTEM] = 2, [TUI_PANE_WALK] = 3,
	[TUI_PANE_CONSOLE] = 4, [TUI_PANE_CODE] = 5, [TUI_PANE_MEMORY] = 6,
};

/* Stack n panes in one column: every pane its minimum; then, by priority, the rows its content
 * asks for (want: content lines, 0 none); what is left by weight, up to the caps. */
static void column(struct tui_rect *out, const struct slot *s, int n, int y, int h, int x, int w,
		   const int want[TUI_NPANES])
{
	int rows[4], summin = 0, sumw, used = 0, extra;

	for (int i = 0; i < n; i++)
		summin += s[i].min;
	if (h < summin) {
		/* every pane a title and two lines (the console one), then towards the minimums
		 * in the order of the column */
		for (int i = 0; i < n; i++) {
			rows[i] = s[i].min < 3 ? s[i].min : 3;
			used += rows[i];
		}
		extra = h - used;
		for (int i = 0; i < n && extra > 0; i++) {
			int add = s[i].min - rows[i] < extra ? s[i].min - rows[i] : extra;

			rows[i] += add;
			extra -= add;
		}
		rows[n - 1] += extra > 0 ? extra : 0;
	} else {
		for (int i = 0; i < n; i++)
			rows[i] = s[i].min;
		extra = h - summin;
		for (int p = 0; p < TUI_NPANES && extra > 0; p++) {
			for (int i = 0; i < n && extra > 0; i++) {
				int add = want[s[i].id] + 1 - rows[i];

				if (prio[s[i].id] != p || want[s[i].id] <= 0 || add <= 0)
					continue;
				if (s[i].cap && rows[i] + add > s[i].cap)
					add = s[i].cap - rows[i];
				add = add < extra ? add : extra;
				if (add > 0) {
					rows[i] += add;
					extra -= add;
				}
			}
		}
		while (extra > 0) {
			int given = 0;

			sumw = 0;
			for (int i = 0; i < n; i++)
				if (s[i].weight && (!s[i].cap || rows[i] < s[i].cap))
					sumw += s[i].weight;
			if (sumw == 0) {
				rows[n - 1] += extra;  /* everything capped: the last pane takes it */
				break;
			}
			for (int i = 0; i < n && extra > 0; i++) {
				int add;

				if (!s[i].weight || (s[i].cap && rows[i] >= s[i].cap))
					continue;
				add = extra * s[i].weight / sumw;
				if (add == 0)
					add = 1;
				if (s[i].cap && rows[i] + add > s[i].cap)
					add = s[i].cap - rows[i];
				if (add > extra)
					add = extra;
				rows[i] += add;
				given += add;
				extra -= add;
			}
			if (given == 0)
				break;
		}
	}
	for (int i = 0; i < n; i++) {
		out[s[i].id] = (struct tui_rect){ .y = y, .x = x, .h = rows[i], .w = w };
		y += rows[i];
	}
}

int tui_layout(int lines, int cols, int regs_lines, struct tui_rect out[TUI_NPANES])
{
	int want[TUI_NPANES] = { 0 };

	want[TUI_PANE_REGS] = regs_lines;
	return tui_layout_needs(lines, cols, want, out);
}

int tui_layout_needs(int lines, int cols, const int want[TUI_NPANES], struct tui_rect out[TUI_NPANES])
{
	int h = lines - 2, rh = want[TUI_PANE_REGS] > 0 ? want[TUI_PANE_REGS] + 1 : 8;

	if (lines < TUI_MIN_LINES || cols < TUI_MIN_COLS)
		return -1;
	if (cols < 150) {
		static const struct slot left[] = {
			{ TUI_PANE_CODE, 8, 3, 0 }, { TUI_PANE_WALK, 6, 1, 24 }, { TUI_PANE_EVENTS, 5, 2, 0 },
		};
		const struct slot right[] = {
			{ TUI_PANE_REGS, rh, 0, rh }, { TUI_PANE_SYSTEM, 6, 1, 20 },
			{ TUI_PANE_CONSOLE, 2, 1, 0 }, { TUI_PANE_MEMORY, 3, 2, 0 },
		};
		int lw = (cols - 1) / 2;

		column(out, left, 3, 1, h, 0, lw, want);
		column(out, right, 4, 1, h, lw + 1, cols - lw - 1, want);
	} else {
		/* three columns: the code; the CPU's state, what the step did and what the guest
		 * printed; the page walk and memory */
		static const struct slot a[] = {
			{ TUI_PANE_CODE, 8, 3, 0 },
		};
		const struct slot b[] = {
			{ TUI_PANE_REGS, rh, 0, rh }, { TUI_PANE_SYSTEM, 9, 0, 0 }, { TUI_PANE_EVENTS, 6, 2, 0 },
			{ TUI_PANE_CONSOLE, 3, 1, 0 },
		};
		static const struct slot c[] = {
			{ TUI_PANE_WALK, 8, 3, 0 }, { TUI_PANE_MEMORY, 6, 2, 0 },
		};
		int wa = cols * 35 / 100, wb = cols * 32 / 100, wc = cols - wa - wb - 2;

		column(out, a, 1, 1, h, 0, wa, want);
		column(out, b, 4, 1, h, wa + 1, wb, want);
		column(out, c, 2, 1, h, wa + wb + 2, wc, want);
	}
	return 0;
}

/* ---- keys and counts ---------------------------------------------------------------------- */

enum tui_action tui_key_action(int key)
{
	if (key == 0)
		return TUI_ACT_NONE;
	for (int a = 1; a < TUI_ACT__COUNT; a++)
		if (tui_actions[a].key == key || tui_actions[a].key2 == key)
			return (enum tui_action)a;
	return TUI_ACT_NONE;
}

const char *tui_key_name(int key, char *buf, size_t len)
{
	static const struct { int key; const char *name; } named[] = {
		{ '\t', "Tab" }, { ' ', "Space" }, { 27, "Esc" }, { TUI_KEY_LEFT, "Left" },
		{ TUI_KEY_RIGHT, "Right" }, { TUI_KEY_UP, "Up" }, { TUI_KEY_DOWN, "Down" }, { TUI_KEY_PPAGE, "PgUp" },
		{ TUI_KEY_NPAGE, "PgDn" }, { TUI_KEY_HOME, "Home" }, { TUI_KEY_END, "End" }, { TUI_KEY_BTAB, "S-Tab" },
		{ TUI_KEY_ENTER, "Enter" }, { '\n', "Enter" }, { '\r', "Enter" },
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].key == key) {
			snprintf(buf, len, "%s", named[i].name);
			return buf;
		}
	if (key >= TUI_KEY_F(1) && key <= TUI_KEY_F(12))
		snprintf(buf, len, "F%d", key - TUI_KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, len, "^%c", key + '@');
	else if (key >= 32 && key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key%d", key);
	return buf;
}

int tui_input_key(struct tui_input *in, int key, struct tui_cmd *out)
{
	enum tui_action a;

	if (key >= '0' && key <= '9') {
		uint64_t c = in->count * 10 + (uint64_t)(key - '0');

		in->count = c > TUI_COUNT_MAX ? TUI_COUNT_MAX : c;
		in->has_count = true;
		return 0;
	}
	if (key == 27) {
		*in = (struct tui_input){ 0 };
		return 0;
	}
	a = tui_key_action(key);
	if (a == TUI_ACT_NONE) {
		*in = (struct tui_input){ 0 };
		return -1;
	}
	out->act = a;
	out->has_count = in->has_count && tui_actions[a].counted;
	out->count = out->has_count ? in->count : 1;
	*in = (struct tui_input){ 0 };
	return 1;
}

/* ---- the prompt ----------------------------------------------------------------------------- */

void tui_prompt_open(struct tui_prompt *p, enum tui_action act, const char *label)
{
	memset(p, 0, sizeof(*p));
	p->active = true;
	p->act = act;
	snprintf(p->label, sizeof(p->label), "%s", label);
}

int tui_prompt_key(struct tui_prompt *p, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case TUI_KEY_ENTER:
		p->active = false;
		return TUI_PROMPT_DONE;
	case 27:
	case TUI_CTRL('c'):
	case TUI_CTRL('g'):
		p->active = false;
		return TUI_PROMPT_CANCEL;
	case TUI_KEY_BACKSPACE:
	case 127:
	case 8:
		if (p->len)
			p->text[--p->len] = '\0';
		return TUI_PROMPT_EDIT;
	case TUI_CTRL('u'):
		p->len = 0;
		p->text[0] = '\0';
		return TUI_PROMPT_EDIT;
	case TUI_CTRL('w'):
		while (p->len && p->text[p->len - 1] == ' ')
			p->len--;
		while (p->len && p->text[p->len - 1] != ' ')
			p->len--;
		p->text[p->len] = '\0';
		return TUI_PROMPT_EDIT;
	}
	if (key >= 32 && key < 127 && p->len + 1 < sizeof(p->text)) {
		p->text[p->len++] = (char)key;
		p->text[p->len] = '\0';
	}
	return TUI_PROMPT_EDIT;
}

/* ---- timeline and scrolling ------------------------------------------------------------------ */

uint64_t tui_back(uint64_t pos, uint64_t n)
{
	return n > pos ? 0 : pos - n;
}

int tui_scroll_clamp(long off, int total, int visible)
{
	long max = (long)total - visible;

	if (max < 0)
		max = 0;
	if (off > max)
		off = max;
	return off < 0 ? 0 : (int)off;
}

bool tui_scroll_back(int *back, enum tui_action a, uint64_t count, int total, int visible)
{
	long n = count > 1000000 ? 1000000 : (long)count, page = visible > 1 ? visible - 1 : 1;
	long off = *back;

	switch (a) {
	case TUI_ACT_UP: off += n; break;
	case TUI_ACT_DOWN: off -= n; break;
	case TUI_ACT_PAGE_UP: off += n * page; break;
	case TUI_ACT_PAGE_DOWN: off -= n * page; break;
	case TUI_ACT_HOME: off = 0; break;
	default: return false;
	}
	*back = tui_scroll_clamp(off, total, visible);
	return true;
}

/* ---- help and hints --------------------------------------------------------------------------- */

static const char *const help_notes[] = {
	"",
	"A number typed before a key marked [N] repeats it: 100s steps 100 instructions, "
	"50g shows step 50, 0g the start.",
	"Addresses are hex (1000 or 0x1000), a symbol of the guest's ELF (setup_paging, "
	"main+10), a register (rip, rsp, eax, cr2, cr3, gdt), seg:off (0000:1000, cs:1000) or "
	"p:ADDR for a physical one; +HEX or -HEX adds an offset.  cr3 is the physical address of "
	"the top-level page table.",
	"Stepping back shows the recorded history: the guest never runs backwards, and it is not "
	"run again.",
};

/* What the abbreviations on the screen mean, pane by pane. */
static const char *const help_abbrevs[][2] = {
	{ "", "What the panes show:" },
	{ "HISTORY", "the title bar: a recorded step is shown, not the vCPU's state now" },
	{ "STOPPED", "the guest halted, faulted or reached a limit; the status line says how" },
	{ "mode", "real, protected, protected+paging, PAE, long (64-bit code), compat (long mode "
		  "active, running a 32- or 16-bit code segment)" },
	{ "code >", "the next instruction; * the cursor; B a breakpoint" },
	{ "<name>", "a symbol of the guest's ELF starts here" },
	{ "(16-bit)", "an instruction that already ran, shown as it ran: in that code size, "
		      "with the bytes it had then" },
	{ "CF PF AF", "RFLAGS bits: carry, parity, adjust; ZF zero, SF sign, TF trap (single "
		      "step), IF interrupts enabled, DF direction, OF overflow; -ZF: a flag the "
		      "step cleared" },
	{ "CPL", "current privilege level (0 kernel .. 3 user); DPL a descriptor's privilege level" },
	{ "CR0", "PE protected mode, MP/EM/TS FPU control, ET extension type, NE numeric error, WP "
		 "write protect, AM alignment mask, NW/CD cache off, PG paging" },
	{ "CR3", "the page tables' physical address; CR2 the address of the last page fault" },
	{ "CR4", "PSE 4 MiB pages, PAE physical address extension, PGE global pages, VME/PVI "
		 "virtual-8086, TSD, DE, MCE, PCE, OSFXSR, OSXMMEXCPT, UMIP, LA57 5-level paging, "
		 "VMXE, SMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP/SMAP supervisor protections, PKE" },
	{ "EFER", "SCE syscall, LME long mode enable, LMA long mode active, NXE no-execute" },
	{ "GDT IDT", "a descriptor table's base/limit (GDTR, IDTR)" },
	{ "sel acc", "a segment's selector and access byte; base and limit are the hidden part "
		     "the CPU loaded from the descriptor" },
	{ "LD", "L: a 64-bit code segment, D: 32-bit default size (-D 32-bit, L- 64-bit, -- "
		"16-bit); the row LD is the LDTR, TR the task register" },
	{ "RX RW", "code readable/executable, data read/write; TSSbusy a task state segment" },
	{ "PML4 PDPT", "page-table levels: PML5, PML4, PDPT (page directory pointers), PD (page "
		       "directory), PT (page table)" },
	{ "P RW US", "entry flags: present, writable, user-accessible; PWT/PCD caching, A "
		     "accessed, D dirty, PS a large page (2M/4M/1G), G global, NX no-execute" },
	{ "=> phys", "the physical address the walk ends at, the page size, RW/RO, U/S" },
	{ "KVM", "KVM_TRANSLATE's answer for the same address, asked of the vCPU: 'agrees' or "
		 "DISAGREES with the walk kvmlab did itself" },
	{ "live only", "KVM_TRANSLATE can only be asked about the vCPU's state now: a step from "
		       "the history shows kvmlab's own walk alone (End goes to the latest step)" },
	{ "#6 IO", "an exit: the step that made it, its type (IO, MMIO, HLT, ...), port or "
		   "address, size and data" },
	{ "p:", "memory at a physical address (no page walk); 'follows writes' the memory pane "
		"shows the latest write until you pick an address" },
	{ "e: all", "the explanation is longer than the pane: e shows it all, z zooms any pane" },
};

/* Append text wrapped at width, the first line after prefix, the others indented to match. */
static int wrap(const char *prefix, const char *text, int width, char lines[][TUI_HELP_COLS],
		int n, int max)
{
	int indent = (int)strlen(prefix), room = width - indent;
	size_t len = strlen(text);
	bool first = true;

	if (room < 10)
		room = 10;
	do {
		size_t k = len;

		if (k > (size_t)room) {
			k = (size_t)room;
			while (k > 0 && text[k] != ' ')
				k--;
			if (k == 0)
				k = (size_t)room;
		}
		if (n < max)
			snprintf(lines[n], TUI_HELP_COLS, "%-*s%.*s", indent, first ? prefix : "", (int)k,
				 text);
		n++;
		first = false;
		text += k;
		len -= k;
		while (len && *text == ' ')
			text++, len--;
	} while (len);
	return n;
}

int tui_help_lines(int width, char lines[][TUI_HELP_COLS], int max)
{
	int n = 0;

	if (width > TUI_HELP_COLS - 1)
		width = TUI_HELP_COLS - 1;
	for (int a = 1; a < TUI_ACT__COUNT; a++) {
		const struct tui_action_info *ai = &tui_actions[a];
		char k1[16], k2[16], keys[40], text[200];

		tui_key_name(ai->key, k1, sizeof(k1));
		if (ai->key2 && strcmp(k1, tui_key_name(ai->key2, k2, sizeof(k2))) != 0)
			snprintf(keys, sizeof(keys), "%s %s", k1, tui_key_name(ai->key2, k2, sizeof(k2)));
		else
			snprintf(keys, sizeof(keys), "%s", k1);
		snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%*s",
			 11 - (int)strlen(keys) > 1 ? 11 - (int)strlen(keys) : 1, "");
		snprintf(text, sizeof(text), "%s%s", ai->help, ai->counted ? " [N]" : "");
		n = wrap(keys, text, width, lines, n, max);
	}
	for (size_t i = 0; i < sizeof(help_notes) / sizeof(help_notes[0]); i++)
		n = wrap("", help_notes[i], width, lines, n, max);
	for (size_t i = 0; i < sizeof(help_abbrevs) / sizeof(help_abbrevs[0]); i++) {
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "%-11s", help_abbrevs[i][0]);
		n = wrap(i ? prefix : "", help_abbrevs[i][1], width, lines, n, max);
	}
	return n < max ? n : max;
}

size_t tui_hints(char *buf, size_t len, int width)
{
	size_t n = 0;
	char k[16], item[48];

	if (len)
		buf[0] = '\0';
	for (int a = 1; a < TUI_ACT__COUNT; a++) {
		int k_len;

		if (!tui_actions[a].hint)
			continue;
		k_len = snprintf(item, sizeof(item), "%s%s %s", n ? "  " : "",
				 tui_key_name(tui_actions[a].key, k, sizeof(k)), tui_actions[a].hint);
		if ((int)(n + (size_t)k_len) > width || n + (size_t)k_len + 1 > len)
			break;
		memcpy(buf + n, item, (size_t)k_len + 1);
		n += (size_t)k_len;
	}
	return n;
}
