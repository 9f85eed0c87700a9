/* jsonl.c - a small strict JSON validator that splits a top-level object into fields. */
#include "jsonl.h"

#include <string.h>

struct p {
	const char *s, *end;
	const char *err;
};

static void ws(struct p *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\r' || *p->s == '\n'))
		p->s++;
}

static int fail(struct p *p, const char *why)
{
	if (!p->err)
		p->err = why;
	return -1;
}

static int string(struct p *p)
{
	if (p->s >= p->end || *p->s != '"')
		return fail(p, "expected a string");
	for (p->s++; p->s < p->end; p->s++) {
		if (*p->s == '"') {
			p->s++;
			return 0;
		}
		if ((unsigned char)*p->s < 0x20)
			return fail(p, "control character inside a string");
		if (*p->s == '\\' && ++p->s >= p->end)
			break;
	}
	return fail(p, "unterminated string (truncated line?)");
}

static int value(struct p *p, int depth);

static int container(struct p *p, int depth, char close, int keyed)
{
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return 0;
	}
	for (;;) {
		ws(p);
		if (keyed) {
			if (string(p) < 0)
				return -1;
			ws(p);
			if (p->s >= p->end || *p->s != ':')
				return fail(p, "expected ':' after a key");
			p->s++;
		}
		if (value(p, depth + 1) < 0)
			return -1;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return 0;
		}
		return fail(p, p->s >= p->end ? "the line ends inside an object or array (truncated?)"
					      : "expected ',' or a closing bracket");
	}
}

static int value(struct p *p, int depth)
{
	static const char *const words[] = { "true", "false", "null" };

	ws(p);
	if (depth > 32)
		return fail(p, "nested too deeply");
	if (p->s >= p->end)
		return fail(p, "missing value (truncated line?)");
	if (*p->s == '"')
		return string(p);
	if (*p->s == '{')
		return container(p, depth, '}', 1);
	if (*p->s == '[')
		return container(p, depth, ']', 0);
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(p->end - p->s) >= n && memcmp(p->s, words[i], n) == 0) {
			p->s += n;
			return 0;
		}
	}
	if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9')) {
		while (p->s < p->end && strchr("+-0123456789.eE", *p->s))
			p->s++;
		return 0;
	}
	return fail(p, "not a JSON value");
}

int json_fields(const char *line, size_t len, struct json_field *out, int max, const char **err)
{
	struct p p = { line, line + len, NULL };
	int n = 0;

	ws(&p);
	if (p.s >= p.end || *p.s != '{') {
		*err = "not a JSON object (a trace line starts with '{')";
		return -1;
	}
	p.s++;
	ws(&p);
	if (p.s < p.end && *p.s == '}')
		p.s++;
	else
		for (;;) {
			const char *k, *kend, *v;

			ws(&p);
			k = p.s;
			if (string(&p) < 0)
				break;
			kend = p.s;
			ws(&p);
			if (p.s >= p.end || *p.s != ':') {
				fail(&p, "expected ':' after a key");
				break;
			}
			p.s++;
			ws(&p);
			v = p.s;
			if (value(&p, 1) < 0)
				break;
			if (n < max)
				out[n++] = (struct json_field){ k + 1, (size_t)(kend - k) - 2, v,
								(size_t)(p.s - v) };
			ws(&p);
			if (p.s < p.end && *p.s == ',') {
				p.s++;
				continue;
			}
			if (p.s < p.end && *p.s == '}') {
				p.s++;
				break;
			}
			fail(&p, p.s >= p.end ? "the line ends inside the object (truncated?)"
					      : "expected ',' or '}'");
			break;
		}
	if (!p.err) {
		ws(&p);
		if (p.s != p.end)
			fail(&p, "text after the end of the object");
	}
	*err = p.err;
	return p.err ? -1 : n;
}

const struct json_field *json_find(const struct json_field *f, int n, const char *key)
{
	size_t len = strlen(key);

	for (int i = 0; i < n; i++)
		if (f[i].keylen == len && memcmp(f[i].key, key, len) == 0)
			return &f[i];
	return NULL;
}
