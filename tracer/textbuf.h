/* textbuf.h - text appended into a fixed buffer: what fits is kept, always NUL-terminated,
 * and an overflow is remembered (the sentences, walks and reports the tracer writes). */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct textbuf {
	char *buf;
	size_t len, n;     /* buf's size; characters written so far */
	bool full;         /* something did not fit (what did is kept) */
};

/* Start writing into buf[0..len) (buf[0] = '\0'; len 0 is full from the start). */
void textbuf_init(struct textbuf *t, char *buf, size_t len);

/* printf onto the end. */
void textbuf_printf(struct textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* vprintf onto the end. */
void textbuf_vprintf(struct textbuf *t, const char *fmt, va_list ap);
