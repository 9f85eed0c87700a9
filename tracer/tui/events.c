/* events.c - an append-only log of short texts tagged with the step they happened in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../steplog.h"
#include "array.h"
#include "model.h"

#define DEFAULT_MAX_EVENTS 100000

void tui_events_init(struct tui_events *l)
{
	memset(l, 0, sizeof(*l));
}

void tui_events_free(struct tui_events *l)
{
	free(l->ev);
	free(l->text);
	tui_events_init(l);
}

/* Forget the oldest half of the events and their text. */
static void drop_half(struct tui_events *l)
{
	size_t half = l->n / 2, base;

	if (half == 0)
		return;
	base = l->ev[half].off;
	memmove(l->text, l->text + base, l->tlen - base);
	l->tlen -= base;
	memmove(l->ev, l->ev + half, (l->n - half) * sizeof(*l->ev));
	l->n -= half;
	for (size_t i = 0; i < l->n; i++)
		l->ev[i].off -= base;
	l->dropped += half;
}

int tui_events_add(struct tui_events *l, uint64_t step, enum tui_event_kind kind,
		   const char *text, size_t len)
{
	size_t max = l->max_events ? l->max_events : DEFAULT_MAX_EVENTS;
	void *p;

	while (l->n && l->ev[l->n - 1].step > step) {
		l->n--;
		l->tlen = l->ev[l->n].off;
	}
	if (l->n >= max)
		drop_half(l);
	if (!(p = vmm_array_grow(l->ev, &l->cap, sizeof(*l->ev), l->n + 1, 256)))
		return -ENOMEM;
	l->ev = p;
	if (!(p = vmm_array_grow(l->text, &l->tcap, 1, l->tlen + len, 4096)))
		return -ENOMEM;
	l->text = p;
	memcpy(l->text + l->tlen, text, len);
	l->ev[l->n++] = (struct tui_event){ .step = step, .kind = (uint8_t)kind, .off = l->tlen, .len = len };
	l->tlen += len;
	return 0;
}

size_t tui_events_upto(const struct tui_events *l, uint64_t step)
{
	return STEPLOG_AFTER(struct tui_event, l->ev, l->n, step);
}

const char *tui_event_text(const struct tui_events *l, size_t i, size_t *len)
{
	*len = l->ev[i].len;
	return l->text + l->ev[i].off;
}

size_t tui_events_console_tail(const struct tui_events *l, size_t upto, int nlines, char *buf,
			       size_t len)
{
	size_t end, start, n;
	int seen = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (upto == 0 || nlines <= 0)
		return 0;
	if (upto > l->n)
		upto = l->n;
	end = l->ev[upto - 1].off + l->ev[upto - 1].len;
	start = end;
	/* A final newline ends the last line; it does not start an empty one. */
	if (start > 0 && l->text[start - 1] == '\n')
		start--, end--;
	while (start > 0 && end - start < 4096) {
		if (l->text[start - 1] == '\n' && ++seen == nlines)
			break;
		start--;
	}
	n = end - start < len - 1 ? end - start : len - 1;
	for (size_t i = 0; i < n; i++) {
		char c = l->text[end - n + i];

		buf[i] = c == '\n' || (c >= 32 && c < 127) ? c : '.';
	}
	buf[n] = '\0';
	return n;
}

size_t tui_events_text_upto(const struct tui_events *l, size_t upto, const char **text)
{
	*text = l->text;
	if (upto > l->n)
		upto = l->n;
	return upto ? l->ev[upto - 1].off + l->ev[upto - 1].len : 0;
}

#define CONSOLE_LOOKBACK 65536

/* Call fn for each display line of text[0..len) (its last CONSOLE_LOOKBACK bytes), oldest
 * first; the number of lines. */
static int console_split(const char *text, size_t len, int width, void (*fn)(void *ctx, int i,
			 const char *s, size_t n), void *ctx)
{
	size_t start = len > CONSOLE_LOOKBACK ? len - CONSOLE_LOOKBACK : 0, i;
	int count = 0;

	if (width < 1)
		width = 1;
	if (width > TUI_CONSOLE_COLS - 1)
		width = TUI_CONSOLE_COLS - 1;
	/* Start at a line boundary when the look-back cut a line. */
	while (start > 0 && start < len && text[start - 1] != '\n')
		start++;
	for (i = start; i < len;) {
		size_t end = i, n;

		while (end < len && text[end] != '\n' && end - i < (size_t)width)
			end++;
		n = end - i;
		if (fn)
			fn(ctx, count, text + i, n);
		count++;
		i = end < len && text[end] == '\n' ? end + 1 : end;
	}
	return count;
}

struct console_out {
	int first, max, written;
	char (*lines)[TUI_CONSOLE_COLS];
};

static void console_keep(void *ctx, int i, const char *s, size_t n)
{
	struct console_out *o = ctx;
	char *d;

	if (i < o->first || i >= o->first + o->max)
		return;
	d = o->lines[i - o->first];
	for (size_t k = 0; k < n; k++)
		d[k] = s[k] >= 32 && s[k] < 127 ? s[k] : '.';
	d[n] = '\0';
	o->written++;
}

int tui_console_lines(const char *text, size_t len, int width, int back, char lines[][TUI_CONSOLE_COLS],
		      int max, int *total)
{
	struct console_out o = { 0, max, 0, lines };
	int n = console_split(text, len, width, NULL, NULL);

	*total = n;
	if (back > n)
		back = n;
	if (back < 0)
		back = 0;
	o.first = n - back - max > 0 ? n - back - max : 0;
	o.max = n - back - o.first < max ? n - back - o.first : max;
	console_split(text, len, width, console_keep, &o);
	return o.written;
}
