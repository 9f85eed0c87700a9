/* textbuf.c - text appended into a fixed buffer (see textbuf.h). */
#include "textbuf.h"

#include <stdio.h>

void textbuf_init(struct textbuf *t, char *buf, size_t len)
{
	*t = (struct textbuf){ .buf = buf, .len = len, .full = len == 0 };
	if (len)
		buf[0] = '\0';
}

void textbuf_vprintf(struct textbuf *t, const char *fmt, va_list ap)
{
	int k;

	if (t->full)
		return;
	k = vsnprintf(t->buf + t->n, t->len - t->n, fmt, ap);
	if (k < 0) {
		t->buf[t->n] = '\0';
		t->full = true;
	} else if ((size_t)k >= t->len - t->n) {
		t->n = t->len - 1;   /* vsnprintf kept what fits */
		t->full = true;
	} else {
		t->n += (size_t)k;
	}
}

void textbuf_printf(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textbuf_vprintf(t, fmt, ap);
	va_end(ap);
}
