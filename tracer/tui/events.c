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
