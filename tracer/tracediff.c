/* tracediff.c - compare two JSONL traces step by step, field by field (lines read by json-c). */
#include "tracediff.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trace_file {
	const char *path;
	FILE *f;
	char *line;
	size_t cap;
	ssize_t len;
	unsigned long lineno;
	struct json_tokener *tok;
	struct json_object *step;    /* the current line, an object */
};

struct report {
	char *buf;
	size_t len, n;
};

static void put(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct report *r, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (r->n >= r->len)
		return;
	va_start(ap, fmt);
	k = vsnprintf(r->buf + r->n, r->len - r->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		r->n = r->n + (size_t)k < r->len ? r->n + (size_t)k : r->len - 1;
}

/* Read and check the next line: 1 if read, 0 at the end, -EINVAL (reported) if bad. */
static int next(struct trace_file *t, struct report *r)
{
	enum json_tokener_error err;
	size_t end;

	json_object_put(t->step);
	t->step = NULL;
	t->len = getline(&t->line, &t->cap, t->f);
	if (t->len < 0)
		return 0;
	t->lineno++;
	if (t->line[t->len - 1] != '\n') {
		put(r, "%s:%lu: the last line has no newline: the file is truncated", t->path, t->lineno);
		return -EINVAL;
	}
	if (t->len > INT_MAX / 2) {
		put(r, "%s:%lu: a line of %zd bytes is not a trace step", t->path, t->lineno, t->len);
		return -EINVAL;
	}
	json_tokener_reset(t->tok);
	t->step = json_tokener_parse_ex(t->tok, t->line, (int)t->len);
	err = json_tokener_get_error(t->tok);
	end = json_tokener_get_parse_end(t->tok);
	if (!t->step) {
		put(r, "%s:%lu: not valid JSON at column %zu: %s", t->path, t->lineno, end + 1,
		    err == json_tokener_continue ? "the line ends before the JSON value does"
						 : json_tokener_error_desc(err));
		return -EINVAL;
	}
	if (!json_object_is_type(t->step, json_type_object)) {
		put(r, "%s:%lu: not a JSON object (a trace line starts with '{')", t->path, t->lineno);
		return -EINVAL;
	}
	if (!json_object_object_get_ex(t->step, "step", NULL) ||
	    !json_object_object_get_ex(t->step, "pc", NULL)) {
		put(r, "%s:%lu: a JSON object, but not a kvmlab trace step (no \"step\" or \"pc\" field; "
		    "make traces with kvmlab trace --format jsonl)", t->path, t->lineno);
		return -EINVAL;
	}
	return 1;
}

/* A value as it is written in a trace (compact JSON), or "(absent)". */
static void show(struct report *r, struct json_object *v, bool present)
{
	if (present)
		put(r, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		put(r, "(absent)");
}

static bool same_field(const struct trace_file *a, const struct trace_file *b, const char *key)
{
	struct json_object *x = NULL, *y = NULL;

	return json_object_object_get_ex(a->step, key, &x) && json_object_object_get_ex(b->step, key, &y) &&
	       json_object_equal(x, y);
}

/* Fields that name things rather than record state: the guest's symbol and source line
 * differ between two builds of the same code (a renamed helper, a comment that moves lines),
 * and so does the text of an instruction that names a symbol, when its bytes, address and
 * code size are the same. */
static bool annotation(const struct trace_file *a, const struct trace_file *b, const char *key)
{
	if (strcmp(key, "sym") == 0 || strcmp(key, "src") == 0)
		return true;
	return strcmp(key, "asm") == 0 && same_field(a, b, "bytes") && same_field(a, b, "pc") &&
	       same_field(a, b, "bits");
}

/* Report every field that differs between the current lines; the number of them. */
static int compare(const struct trace_file *a, const struct trace_file *b, struct report *r)
{
	struct json_object *step = NULL, *as = NULL;
	bool has_as = json_object_object_get_ex(a->step, "asm", &as);
	int ndiff = 0;

	json_object_object_get_ex(a->step, "step", &step);
	for (int pass = 0; pass < 2; pass++) {
		const struct trace_file *x = pass ? b : a, *y = pass ? a : b;

		json_object_object_foreach(x->step, key, val) {
			struct json_object *o = NULL;
			bool present = json_object_object_get_ex(y->step, key, &o);

			if (pass && present)
				continue;  /* compared in the first pass */
			if (present && json_object_equal(o, val))
				continue;
			if (annotation(a, b, key))
				continue;
			if (!ndiff++) {
				put(r, "traces diverge at step ");
				show(r, step, true);
				put(r, " (%s line %lu, %s line %lu)", a->path, a->lineno, b->path, b->lineno);
				if (has_as) {
					put(r, ": ");
					show(r, as, true);
				}
			}
			put(r, "\n  %-8s A: ", key);
			show(r, pass ? o : val, pass ? present : true);
			put(r, "\n  %-8s B: ", "");
			show(r, pass ? val : o, pass ? true : present);
		}
	}
	return ndiff;
}

int trace_diff(const char *a, const char *b, char *msg, size_t len)
{
	struct trace_file t[2] = { { .path = a }, { .path = b } };
	struct report r = { msg, len, 0 };
	unsigned long same = 0;
	int ret = 0;

	if (len)
		msg[0] = '\0';
	for (int i = 0; i < 2; i++) {
		t[i].tok = json_tokener_new();
		if (!t[i].tok) {
			ret = -ENOMEM;
			put(&r, "out of memory");
			goto out;
		}
		json_tokener_set_flags(t[i].tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		t[i].f = fopen(t[i].path, "r");
		if (!t[i].f) {
			ret = -errno;
			put(&r, "%s: %s", t[i].path, strerror(errno));
			goto out;
		}
	}
	for (;;) {
		int ra = next(&t[0], &r), rb = ra < 0 ? 0 : next(&t[1], &r);

		if (ra < 0 || rb < 0) {
			ret = -EINVAL;
			break;
		}
		if (!ra || !rb) {
			if (ra != rb) {
				put(&r, "traces agree for %lu steps, then %s ends while %s goes on at line %lu",
				    same, t[!ra ? 0 : 1].path, t[!ra ? 1 : 0].path, t[!ra ? 1 : 0].lineno);
				ret = 1;
			} else {
				put(&r, "traces are identical (%lu steps)", same);
			}
			break;
		}
		if (compare(&t[0], &t[1], &r)) {
			ret = 1;
			break;
		}
		same++;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (t[i].f)
			fclose(t[i].f);
		free(t[i].line);
		json_object_put(t[i].step);
		if (t[i].tok)
			json_tokener_free(t[i].tok);
	}
	return ret;
}
