/* model.c - the TUI's pure logic: layout, keys and counts, prompts, addresses, the timeline. */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Stack n panes in one column: every pane its minimum, the rest by weight up to the caps. */
static void column(struct tui_rect *out, const struct slot *s, int n, int y, int h, int x, int w)
{
	int rows[4], summin = 0, sumw = 0, used = 0, extra;

	for (int i = 0; i < n; i++)
		summin += s[i].min;
	if (h < summin) {
		for (int i = 0; i < n; i++) {
			rows[i] = s[i].min * h / summin;
			if (rows[i] < 3)
				rows[i] = 3;
			used += rows[i];
		}
		rows[n - 1] += h - used;
	} else {
		for (int i = 0; i < n; i++)
			rows[i] = s[i].min;
		extra = h - summin;
		while (extra > 0) {
			int given = 0;

			sumw = 0;
			for (int i = 0; i < n; i++)
				if (!s[i].cap || rows[i] < s[i].cap)
					sumw += s[i].weight;
			if (sumw == 0) {
				rows[n - 1] += extra;  /* everything capped: the last pane takes it */
				break;
			}
			for (int i = 0; i < n && extra > 0; i++) {
				int add;

				if (s[i].cap && rows[i] >= s[i].cap)
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

int tui_layout(int lines, int cols, struct tui_rect out[TUI_NPANES])
{
	int h = lines - 2;

	if (lines < TUI_MIN_LINES || cols < TUI_MIN_COLS)
		return -1;
	if (cols < 150) {
		static const struct slot left[] = {
			{ TUI_PANE_CODE, 8, 3, 0 }, { TUI_PANE_WALK, 6, 2, 24 }, { TUI_PANE_EVENTS, 8, 2, 0 },
		};
		static const struct slot right[] = {
			{ TUI_PANE_REGS, 8, 1, 11 }, { TUI_PANE_SYSTEM, 9, 2, 20 }, { TUI_PANE_MEMORY, 5, 2, 0 },
		};
		int lw = (cols - 1) / 2;

		column(out, left, 3, 1, h, 0, lw);
		column(out, right, 3, 1, h, lw + 1, cols - lw - 1);
	} else {
		static const struct slot a[] = {
			{ TUI_PANE_CODE, 8, 3, 0 }, { TUI_PANE_EVENTS, 8, 2, 0 },
		};
		static const struct slot b[] = {
			{ TUI_PANE_REGS, 8, 1, 12 }, { TUI_PANE_SYSTEM, 9, 3, 0 },
		};
		static const struct slot c[] = {
			{ TUI_PANE_WALK, 8, 3, 0 }, { TUI_PANE_MEMORY, 6, 2, 0 },
		};
		int wa = cols * 35 / 100, wb = cols * 32 / 100, wc = cols - wa - wb - 2;

		column(out, a, 2, 1, h, 0, wa);
		column(out, b, 2, 1, h, wa + 1, wb);
		column(out, c, 2, 1, h, wa + wb + 2, wc);
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
		{ '\t', "Tab" }, { ' ', "Space" }, { 27, "Esc" }, { KEY_LEFT, "Left" },
		{ KEY_RIGHT, "Right" }, { KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_PPAGE, "PgUp" },
		{ KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" }, { KEY_BTAB, "S-Tab" },
		{ KEY_ENTER, "Enter" }, { '\n', "Enter" },
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].key == key) {
			snprintf(buf, len, "%s", named[i].name);
			return buf;
		}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F(0));
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
	case KEY_ENTER:
		p->active = false;
		return TUI_PROMPT_DONE;
	case 27:
	case TUI_CTRL('c'):
	case TUI_CTRL('g'):
		p->active = false;
		return TUI_PROMPT_CANCEL;
	case KEY_BACKSPACE:
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

/* ---- addresses and numbers ----------------------------------------------------------------- */

static int parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 16)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int c = tolower((unsigned char)s[i]);

		if (!isxdigit(c))
			return -EINVAL;
		v = v << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	*out = v;
	return 0;
}

static const struct kvm_segment *seg_named(const struct kvm_sregs *s, const char *t, size_t n)
{
	static const char names[][3] = { "cs", "ds", "es", "ss", "fs", "gs" };
	const struct kvm_segment *segs[] = { &s->cs, &s->ds, &s->es, &s->ss, &s->fs, &s->gs };

	for (int i = 0; i < 6; i++)
		if (n == 2 && strncasecmp(t, names[i], 2) == 0)
			return segs[i];
	return NULL;
}

/* A register's value: rax/eax/ax style names, r8..r15, rip; the stack and instruction pointers
 * get their segment's base as the CPU adds it (none for CS/SS in 64-bit mode). */
static int reg_named(const struct kvm_regs *r, const struct kvm_sregs *s, const char *t, size_t n,
		     uint64_t *out)
{
	static const char *const names[] = {
		"ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "ip",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	const uint64_t vals[] = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp, r->rip,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
	};
	bool lm64 = (s->efer & (1u << 10)) && s->cs.l;
	uint64_t mask = ~0ull;
	char name[8];

	if (n < 2 || n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)t[i]);
	name[n] = '\0';
	if (n == 3 && (name[0] == 'r' || name[0] == 'e') && !isdigit((unsigned char)name[1])) {
		mask = name[0] == 'e' ? 0xffffffffull : ~0ull;
		memmove(name, name + 1, n);
	} else if (n == 2 && name[0] != 'r') {
		mask = 0xffff;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) != 0)
			continue;
		*out = vals[i] & mask;
		if (!lm64 && strcmp(name, "ip") == 0)
			*out += s->cs.base;
		else if (!lm64 && (strcmp(name, "sp") == 0 || strcmp(name, "bp") == 0))
			*out += s->ss.base;
		return 0;
	}
	return -EINVAL;
}

static int parse_term(const char *t, size_t n, const struct kvm_regs *r, const struct kvm_sregs *s,
		      uint64_t *out)
{
	const char *colon = memchr(t, ':', n);
	uint64_t seg, off;

	if (colon) {
		const struct kvm_segment *sg = seg_named(s, t, (size_t)(colon - t));

		if (sg)
			seg = sg->base;
		else if (parse_hex(t, (size_t)(colon - t), &seg) == 0 && seg <= 0xffff)
			seg <<= 4;
		else
			return -EINVAL;
		if (parse_hex(colon + 1, n - (size_t)(colon + 1 - t), &off) < 0)
			return -EINVAL;
		*out = seg + off;
		return 0;
	}
	if (r && s && reg_named(r, s, t, n, out) == 0)
		return 0;
	return parse_hex(t, n, out);
}

int tui_parse_addr(const char *text, const struct kvm_regs *r, const struct kvm_sregs *s,
		   struct tui_addr *out)
{
	char buf[TUI_PROMPT_MAX];
	size_t n;
	char *p = buf, *op;
	uint64_t base, delta = 0;
	bool phys = false;

	while (isspace((unsigned char)*text))
		text++;
	n = strlen(text);
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (strncasecmp(p, "p:", 2) == 0 || strncasecmp(p, "phys:", 5) == 0) {
		phys = true;
		p = strchr(p, ':') + 1;
	}
	op = strpbrk(p, "+-");
	if (op) {
		char sign = *op;

		if (parse_hex(op + 1, strlen(op + 1), &delta) < 0)
			return -EINVAL;
		if (sign == '-')
			delta = (uint64_t)0 - delta;
		*op = '\0';
	}
	if (parse_term(p, strlen(p), r, s, &base) < 0)
		return -EINVAL;
	out->addr = base + delta;
	out->phys = phys;
	return 0;
}

int tui_parse_addr_len(const char *text, const struct kvm_regs *r, const struct kvm_sregs *s,
		       struct tui_addr *out, uint64_t *len)
{
	char buf[TUI_PROMPT_MAX];
	char *sp, *end;
	unsigned long long v;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	while (isspace((unsigned char)*buf))
		memmove(buf, buf + 1, strlen(buf));
	sp = strpbrk(buf, " \t");
	if (sp) {
		*sp++ = '\0';
		while (isspace((unsigned char)*sp))
			sp++;
		if (*sp) {
			if (*sp == '-')
				return -EINVAL;
			errno = 0;
			v = strtoull(sp, &end, 0);
			while (isspace((unsigned char)*end))
				end++;
			if (errno || *end || v == 0)
				return -EINVAL;
			*len = v;
		}
	}
	return tui_parse_addr(buf, r, s, out);
}

int tui_parse_step(const char *text, uint64_t cur, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int sign = 0;

	while (isspace((unsigned char)*text))
		text++;
	if (*text == '+' || *text == '-')
		sign = *text++ == '+' ? 1 : -1;
	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end)
		return -EINVAL;
	if (sign > 0)
		*out = cur + v;
	else if (sign < 0)
		*out = v > cur ? 0 : cur - v;
	else
		*out = v;
	return 0;
}

/* ---- timeline and scrolling ------------------------------------------------------------------ */

void tui_forward(uint64_t pos, uint64_t count, uint64_t n, uint64_t *to, uint64_t *run)
{
	if (pos > count)
		pos = count;
	if (n <= count - pos) {
		*to = pos + n;
		*run = 0;
	} else {
		*to = count;
		*run = n - (count - pos);
	}
}

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

/* ---- help and hints --------------------------------------------------------------------------- */

int tui_help_line(int i, char *buf, size_t len)
{
	const struct tui_action_info *a;
	char k1[16], k2[16], keys[40];

	if (i < 0 || i + 1 >= TUI_ACT__COUNT)
		return -1;
	a = &tui_actions[i + 1];
	tui_key_name(a->key, k1, sizeof(k1));
	if (a->key2)
		snprintf(keys, sizeof(keys), "%s %s", k1, tui_key_name(a->key2, k2, sizeof(k2)));
	else
		snprintf(keys, sizeof(keys), "%s", k1);
	return snprintf(buf, len, "%-10s %-12s %s%s", keys, a->name, a->help,
			a->counted ? " [N]" : "");
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
