/* labtemplate.c - values a lab file draws when it is loaded for grading. */
#include "labtemplate.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "labbuf.h"

#define MAX_DRAWN 32

struct drawn {
	char key[48];                 /* "u32:V1" */
	char value[24];
};

static uint64_t draw(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v ^= (uint64_t)(uintptr_t)&v * 0x9e3779b97f4a7c15ull;   /* still differs per run */
	return v;
}

/* A fresh value of kind ("u32", "word", "addr", "count") in out; -EINVAL for another kind. */
static int make(const char *kind, char *out, size_t len)
{
	uint64_t r = draw();

	if (strcmp(kind, "u32") == 0)   /* 10 digits: never a count or a port */
		snprintf(out, len, "%u", 1000000000u + (unsigned)(r % 3000000000u));
	else if (strcmp(kind, "addr") == 0)   /* a page below 1 MiB, above the first 64 KiB */
		snprintf(out, len, "%u", (unsigned)(0x10000 + (r % 0xf0) * 0x1000 + (r >> 32) % 0x1000));
	else if (strcmp(kind, "count") == 0)
		snprintf(out, len, "%u", 2 + (unsigned)(r % 6));
	else if (strcmp(kind, "word") == 0) {
		for (int i = 0; i < 10 && (size_t)i + 1 < len; i++, r /= 26)
			out[i] = (char)('a' + r % 26);
		out[len > 10 ? 10 : len - 1] = '\0';
	} else {
		return -EINVAL;
	}
	return 0;
}

int lab_template_expand(const char *text, size_t len, char **out, size_t *outlen, char *err,
			size_t errlen)
{
	struct drawn d[MAX_DRAWN];
	struct labbuf b = { 0 };
	unsigned nd = 0, line = 1;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *close, *colon;
		char key[48], kind[16];
		unsigned i;

		if (*p == '\n')
			line++;
		if (p + 1 >= end || p[0] != '$' || p[1] != '{') {
			labbuf_putc(&b, *p++);
			continue;
		}
		close = memchr(p, '}', (size_t)(end - p));
		colon = close ? memchr(p, ':', (size_t)(close - p)) : NULL;
		if (!close || !colon || close - p - 2 >= (long)sizeof(key) ||
		    colon - p - 2 >= (long)sizeof(kind)) {
			snprintf(err, errlen, ":%u: '${' starts no ${KIND:NAME} value (KIND: u32, word, "
				 "addr, count)", line);
			labbuf_release(&b);
			return -EINVAL;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(close - p - 2), p + 2);
		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - p - 2), p + 2);
		for (i = 0; i < nd && strcmp(d[i].key, key); i++)
			;
		if (i == nd) {   /* the same KIND:NAME is the same value all through the file */
			if (nd == MAX_DRAWN || make(kind, d[nd].value, sizeof(d[nd].value)) < 0) {
				snprintf(err, errlen, ":%u: ${%s}: %s", line, key, nd == MAX_DRAWN ?
					 "too many drawn values" : "unknown kind (u32, word, addr, count)");
				labbuf_release(&b);
				return -EINVAL;
			}
			snprintf(d[nd++].key, sizeof(d[0].key), "%s", key);
		}
		labbuf_puts(&b, d[i].value);
		p = close + 1;
	}
	if (b.oom)
		return -ENOMEM;
	*out = labbuf_take(&b);
	if (!*out)
		return -ENOMEM;
	*outlen = strlen(*out);
	return 0;
}
