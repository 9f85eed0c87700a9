/* tracediff.c - compare two JSONL traces step by step, field by field. */
#include "tracediff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

#define MAX_FIELDS 32

struct trace_file {
	const char *path;
	FILE *f;
	char *line;
	size_t cap;
	ssize_t len;
	unsigned long lineno;
	struct json_field fld[MAX_FIELDS];
	int nfld;
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
	const char *err;

	t->len = getline(&t->line, &t->cap, t->f);
	if (t->len < 0)
		return 0;
	t->lineno++;
	if (t->len > 0 && t->line[t->len - 1] != '\n') {
		put(r, "%s:%lu: the last line has no newline: the file is truncated", t->path, t->lineno);
		return -EINVAL;
	}
	t->nfld = json_fields(t->line, (size_t)t->len, t->fld, MAX_FIELDS, &err);
	if (t->nfld < 0) {
		put(r, "%s:%lu: %s", t->path, t->lineno, err);
		return -EINVAL;
	}
	if (!json_find(t->fld, t->nfld, "step") || !json_find(t->fld, t->nfld, "pc")) {
		put(r, "%s:%lu: a JSON object, but not a kvmlab trace step (no \"step\" or \"pc\" field; "
		    "make traces with kvmlab trace --format jsonl)", t->path, t->lineno);
		return -EINVAL;
	}
	return 1;
}

static void show(struct report *r, const struct json_field *f)
{
	if (f)
		put(r, "%.*s", (int)f->vallen, f->val);
	else
		put(r, "(absent)");
}

static bool same_field(const struct trace_file *a, const struct trace_file *b, const char *key)
{
	const struct json_field *x = json_find(a->fld, a->nfld, key), *y = json_find(b->fld, b->nfld, key);

	return x && y && x->vallen == y->vallen && memcmp(x->val, y->val, x->vallen) == 0;
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
	const struct json_field *step = json_find(a->fld, a->nfld, "step");
	const struct json_field *as = json_find(a->fld, a->nfld, "asm");
	int ndiff = 0;

	for (int pass = 0; pass < 2; pass++) {
		const struct trace_file *x = pass ? b : a, *y = pass ? a : b;

		for (int i = 0; i < x->nfld; i++) {
			char key[64];
			const struct json_field *o;

			snprintf(key, sizeof(key), "%.*s", (int)x->fld[i].keylen, x->fld[i].key);
			o = json_find(y->fld, y->nfld, key);
			if (pass && o)
				continue;  /* compared in the first pass */
			if (o && o->vallen == x->fld[i].vallen && memcmp(o->val, x->fld[i].val, o->vallen) == 0)
				continue;
			if (annotation(a, b, key))
				continue;
			if (!ndiff++) {
				put(r, "traces diverge at step ");
				show(r, step);
				put(r, " (%s line %lu, %s line %lu)", a->path, a->lineno, b->path, b->lineno);
				if (as) {
					put(r, ": ");
					show(r, as);
				}
			}
			put(r, "\n  %-8s A: ", key);
			show(r, pass ? o : &x->fld[i]);
			put(r, "\n  %-8s B: ", "");
			show(r, pass ? &x->fld[i] : o);
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
	}
	return ret;
}
