/* outbuf.h - a fast buffered writer for trace output (no printf on the per-step path). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct outbuf {
	FILE *f;
	size_t n;
	int err;             /* 0, or the errno of a failed write */
	char buf[1 << 16];
};

/* Start writing to f. */
void outbuf_init(struct outbuf *o, FILE *f);

/* Write out what is buffered; 0 or -errno. */
int outbuf_flush(struct outbuf *o);

/* Append len bytes. */
void outbuf_put(struct outbuf *o, const char *s, size_t len);

/* Append a NUL-terminated string. */
void outbuf_str(struct outbuf *o, const char *s);

/* Append "0x" and v in lower-case hex, no leading zeros. */
void outbuf_hex(struct outbuf *o, uint64_t v);

/* Append v in decimal. */
void outbuf_u64(struct outbuf *o, uint64_t v);

/* Append bytes as two hex digits each, separated by sep if it is not 0. */
void outbuf_bytes(struct outbuf *o, const uint8_t *b, size_t n, char sep);

/* Append s as a JSON string literal, quotes included. */
void outbuf_json_str(struct outbuf *o, const char *s);
