/* fieldw.c - named fields as text or JSON (see fieldw.h). */
#include "fieldw.h"

#include <string.h>

void fieldw_init(struct fieldw *w, struct outbuf *o, enum fieldw_format fmt)
{
	w->o = o;
	w->fmt = fmt;
	w->depth = 0;
	w->first[0] = true;
}

/* The separator and "key=" / "\"key\":" before a value. */
static void key(struct fieldw *w, const char *k)
{
	bool *first = &w->first[w->depth];

	if (!*first)
		outbuf_put(w->o, w->fmt == FIELDW_JSON ? "," : " ", 1);
	*first = false;
	if (!k)
		return;
	if (w->fmt == FIELDW_JSON) {
		outbuf_json_str(w->o, k);
		outbuf_put(w->o, ":", 1);
	} else {
		outbuf_str(w->o, k);
		outbuf_put(w->o, "=", 1);
	}
}

static void open(struct fieldw *w, const char *k, const char *brace)
{
	key(w, k);
	outbuf_str(w->o, brace);
	if (w->depth + 1 < FIELDW_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct fieldw *w, const char *brace)
{
	if (w->depth > 0)
		w->depth--;
	outbuf_str(w->o, brace);
}

void fieldw_begin(struct fieldw *w, const char *k) { open(w, k, "{"); }
void fieldw_end(struct fieldw *w) { close_(w, "}"); }
void fieldw_abegin(struct fieldw *w, const char *k) { open(w, k, "["); }
void fieldw_aend(struct fieldw *w) { close_(w, "]"); }

void fieldw_hex(struct fieldw *w, const char *k, uint64_t v)
{
	key(w, k);
	if (w->fmt == FIELDW_JSON)
		outbuf_put(w->o, "\"", 1);
	outbuf_hex(w->o, v);
	if (w->fmt == FIELDW_JSON)
		outbuf_put(w->o, "\"", 1);
}

void fieldw_u64(struct fieldw *w, const char *k, uint64_t v)
{
	key(w, k);
	outbuf_u64(w->o, v);
}

void fieldw_i64(struct fieldw *w, const char *k, int64_t v)
{
	key(w, k);
	if (v < 0) {
		outbuf_put(w->o, "-", 1);
		outbuf_u64(w->o, (uint64_t)0 - (uint64_t)v);
	} else {
		outbuf_u64(w->o, (uint64_t)v);
	}
}

void fieldw_bool(struct fieldw *w, const char *k, bool v)
{
	key(w, k);
	outbuf_str(w->o, w->fmt == FIELDW_JSON ? (v ? "true" : "false") : (v ? "1" : "0"));
}

void fieldw_str(struct fieldw *w, const char *k, const char *s)
{
	key(w, k);
	if (w->fmt == FIELDW_JSON)
		outbuf_json_str(w->o, s);
	else
		outbuf_str(w->o, s);
}

void fieldw_bytes(struct fieldw *w, const char *k, const uint8_t *b, size_t n)
{
	key(w, k);
	if (w->fmt == FIELDW_JSON) {
		outbuf_put(w->o, "\"", 1);
		outbuf_bytes(w->o, b, n, 0);
		outbuf_put(w->o, "\"", 1);
		return;
	}
	outbuf_put(w->o, "[", 1);
	outbuf_bytes(w->o, b, n, ' ');
	outbuf_put(w->o, "]", 1);
	/* text (printable characters, newlines, tabs): again in quotes, in C notation */
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if ((b[i] < 0x20 || b[i] > 0x7e) && b[i] != '\n' && b[i] != '\t')
			return;
	for (size_t i = 0; i < n; i++)
		if (b[i] >= 0x20 && b[i] <= 0x7e)
			break;
		else if (i == n - 1)
			return;  /* only white space */
	outbuf_put(w->o, "\"", 1);
	for (size_t j = 0; j < n; j++) {
		if (b[j] == '\n')
			outbuf_put(w->o, "\\n", 2);
		else if (b[j] == '\t')
			outbuf_put(w->o, "\\t", 2);
		else if (b[j] == '"' || b[j] == '\\')
			outbuf_put(w->o, (const char[]){ '\\', (char)b[j] }, 2);
		else
			outbuf_put(w->o, (const char *)&b[j], 1);
	}
	outbuf_put(w->o, "\"", 1);
}

void fieldw_bits(struct fieldw *w, const char *k, uint64_t v, const char *names)
{
	fieldw_hex(w, k, v);
	if (w->fmt == FIELDW_JSON) {
		char bk[64];

		snprintf(bk, sizeof(bk), "%s_bits", k ? k : "bits");
		fieldw_str(w, bk, names);
	} else if (names[0]) {
		outbuf_put(w->o, "(", 1);
		outbuf_str(w->o, names);
		outbuf_put(w->o, ")", 1);
	}
}
