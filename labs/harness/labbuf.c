/* labbuf.c - a growable string. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "labbuf.h"

static bool grow(struct labbuf *b, size_t more)
{
	char *s;

	if (b->oom)
		return false;
	s = more < SIZE_MAX - b->len - 1 ? vmm_array_grow(b->s, &b->cap, 1, b->len + more + 1, 64) : NULL;
	if (!s) {
		b->oom = true;
		return false;
	}
	b->s = s;
	return true;
}

void labbuf_add(struct labbuf *b, const void *p, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void labbuf_puts(struct labbuf *b, const char *s)
{
	labbuf_add(b, s, strlen(s));
}

void labbuf_putc(struct labbuf *b, char c)
{
	labbuf_add(b, &c, 1);
}

void labbuf_printf(struct labbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void labbuf_quote(struct labbuf *b, const char *s, size_t n, size_t max)
{
	size_t shown = n < max ? n : max;

	labbuf_putc(b, '"');
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '\n': labbuf_puts(b, "\\n"); break;
		case '\t': labbuf_puts(b, "\\t"); break;
		case '\r': labbuf_puts(b, "\\r"); break;
		case '"': labbuf_puts(b, "\\\""); break;
		case '\\': labbuf_puts(b, "\\\\"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				labbuf_printf(b, "\\x%02x", c);
			else
				labbuf_putc(b, (char)c);
		}
	}
	labbuf_putc(b, '"');
	if (shown < n)
		labbuf_printf(b, "... (%zu more bytes)", n - shown);
}

char *labbuf_take(struct labbuf *b)
{
	char *s = b->s;

	if (b->oom) {
		free(s);
		s = NULL;
	} else if (!s) {
		s = strdup("");
	}
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = false;
	return s;
}

void labbuf_release(struct labbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

char *lab_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}
