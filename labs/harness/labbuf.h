/* labbuf.h - a growable string for building check results and reports. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct labbuf {
	char *s;          /* NUL-terminated once anything was added */
	size_t len, cap;
	bool oom;         /* an allocation failed; further adds are ignored */
};

void labbuf_add(struct labbuf *b, const void *p, size_t n);
void labbuf_puts(struct labbuf *b, const char *s);
void labbuf_putc(struct labbuf *b, char c);
void labbuf_printf(struct labbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* s[0..n) as a double-quoted C string ("a\n\x01"); past max bytes: "..." (N more bytes). */
void labbuf_quote(struct labbuf *b, const char *s, size_t n, size_t max);

/* The string (caller frees; "" if empty), or NULL if an allocation failed. */
char *labbuf_take(struct labbuf *b);
void labbuf_release(struct labbuf *b);

/* printf into a new string; NULL on failure. */
char *lab_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
