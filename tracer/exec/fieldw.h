/* fieldw.h - one writer for named fields, as readable text (key=value) or as JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"

enum fieldw_format { FIELDW_TEXT, FIELDW_JSON };

#define FIELDW_DEPTH 8

/*
 * Text: `key=value` pairs separated by spaces, nested objects as `key={...}`, arrays as
 * `key=[...]`.  JSON: the same fields as members of one object, values that are addresses or
 * bit masks as hex strings, counts as numbers.  A NULL key writes a bare value (array items).
 */
struct fieldw {
	struct outbuf *o;
	enum fieldw_format fmt;
	int depth;
	bool first[FIELDW_DEPTH];
};

/* Start writing into o; the caller opens the top-level object with fieldw_begin(w, NULL). */
void fieldw_init(struct fieldw *w, struct outbuf *o, enum fieldw_format fmt);

void fieldw_begin(struct fieldw *w, const char *key);   /* { */
void fieldw_end(struct fieldw *w);                      /* } */
void fieldw_abegin(struct fieldw *w, const char *key);  /* [ */
void fieldw_aend(struct fieldw *w);                     /* ] */

void fieldw_hex(struct fieldw *w, const char *key, uint64_t v);
void fieldw_u64(struct fieldw *w, const char *key, uint64_t v);
void fieldw_i64(struct fieldw *w, const char *key, int64_t v);
void fieldw_bool(struct fieldw *w, const char *key, bool v);
/* A word (text: as is; JSON: a string). */
void fieldw_str(struct fieldw *w, const char *key, const char *s);
/* Bytes: hex pairs, and in text the printable ones again in quotes. */
void fieldw_bytes(struct fieldw *w, const char *key, const uint8_t *b, size_t n);
/* A value and the names of its set bits: text `cr0=0x11(PE ET)`, JSON `"cr0":"0x11","cr0_bits":"PE ET"`. */
void fieldw_bits(struct fieldw *w, const char *key, uint64_t v, const char *names);
