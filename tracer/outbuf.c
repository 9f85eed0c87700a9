/* outbuf.c - a fast buffered writer for trace output. */
#include "outbuf.h"

#include <errno.h>
#include <string.h>

static const char hexdig[] = "0123456789abcdef";

void outbuf_init(struct outbuf *o, FILE *f)
{
	o->f = f;
	o->n = 0;
	o->err = 0;
}

int outbuf_flush(struct outbuf *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n && !o->err)
		o->err = errno ? errno : EIO;
	o->n = 0;
	if (fflush(o->f) != 0 && !o->err)
		o->err = errno ? errno : EIO;
	return -o->err;
}

static inline void room(struct outbuf *o, size_t len)
{
	if (o->n + len > sizeof(o->buf)) {
		if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n && !o->err)
			o->err = errno ? errno : EIO;
		o->n = 0;
	}
}

void outbuf_put(struct outbuf *o, const char *s, size_t len)
{
	if (len > sizeof(o->buf) / 2) {
		room(o, sizeof(o->buf));
		if (fwrite(s, 1, len, o->f) != len && !o->err)
			o->err = errno ? errno : EIO;
		return;
	}
	room(o, len);
	memcpy(o->buf + o->n, s, len);
	o->n += len;
}

void outbuf_str(struct outbuf *o, const char *s)
{
	outbuf_put(o, s, strlen(s));
}

void outbuf_hex(struct outbuf *o, uint64_t v)
{
	char tmp[18];
	int i = sizeof(tmp);

	do {
		tmp[--i] = hexdig[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	outbuf_put(o, tmp + i, sizeof(tmp) - (size_t)i);
}

void outbuf_u64(struct outbuf *o, uint64_t v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	outbuf_put(o, tmp + i, sizeof(tmp) - (size_t)i);
}

void outbuf_bytes(struct outbuf *o, const uint8_t *b, size_t n, char sep)
{
	room(o, n * 3);
	for (size_t i = 0; i < n; i++) {
		if (sep && i)
			o->buf[o->n++] = sep;
		o->buf[o->n++] = hexdig[b[i] >> 4];
		o->buf[o->n++] = hexdig[b[i] & 15];
	}
}

void outbuf_json_str(struct outbuf *o, const char *s)
{
	outbuf_put(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			outbuf_put(o, esc, 2);
		} else if (c < 0x20) {
			char esc[6] = { '\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15] };

			outbuf_put(o, esc, 6);
		} else {
			outbuf_put(o, (const char *)&c, 1);
		}
	}
	outbuf_put(o, "\"", 1);
}
