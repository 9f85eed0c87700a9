/* tracediff.c - compare two JSONL traces step by step, field by field (lines read by json-c). */
#include "tracediff.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "textbuf.h"

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

/* Open a trace without blocking on a FIFO that has no writer (it then reads as empty); a
 * folder is refused (-EISDIR). */
static FILE *open_trace(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : errno;

		close(fd);
		errno = err;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/* The longest line taken as a step: the widest step (--walk, many writes) is a few KiB. */
#define MAX_LINE (1u << 20)

/* Read one line of at most MAX_LINE bytes into t->line: its length, 0 at the end, -E2BIG
 * past the limit (what was read stays unread beyond it), -ENOMEM. */
static ssize_t read_line(struct trace_file *t)
{
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(t->f)) != EOF) {
		if (n + 1 >= t->cap) {
			char *p;

			if (t->cap > MAX_LINE)
				return -E2BIG;
			p = vmm_array_grow(t->line, &t->cap, 1, n + 2, 4096);
			if (!p)
				return -ENOMEM;
			t->line = p;
		}
		t->line[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n)
		t->line[n] = '\0';
	return (ssize_t)n;
}

/* Read and check the next line: 1 if read, 0 at the end, -EINVAL (reported) if bad. */
static int next(struct trace_file *t, struct textbuf *r)
{
	enum json_tokener_error err;
	size_t end;

	json_object_put(t->step);
	t->step = NULL;
	t->len = read_line(t);
	if (t->len == 0)
		return 0;
	t->lineno++;
	if (t->len < 0) {
		textbuf_printf(r, "%s:%lu: %s", t->path, t->lineno, t->len == -E2BIG ?
			       "a line longer than 1 MiB is not a trace step" : "out of memory");
		return -EINVAL;
	}
	if (t->line[t->len - 1] != '\n') {
		textbuf_printf(r, "%s:%lu: the last line has no newline: the file is truncated", t->path, t->lineno);
		return -EINVAL;
	}
	if (t->len > INT_MAX / 2) {
		textbuf_printf(r, "%s:%lu: a line of %zd bytes is not a trace step", t->path, t->lineno, t->len);
		return -EINVAL;
	}
	json_tokener_reset(t->tok);
	t->step = json_tokener_parse_ex(t->tok, t->line, (int)t->len);
	err = json_tokener_get_error(t->tok);
	end = json_tokener_get_parse_end(t->tok);
	if (!t->step) {
		textbuf_printf(r, "%s:%lu: not valid JSON at column %zu: %s", t->path, t->lineno, end + 1,
			       err == json_tokener_continue ? "the line ends before the JSON value does"
						 : json_tokener_error_desc(err));
		return -EINVAL;
	}
	if (!json_object_is_type(t->step, json_type_object)) {
		textbuf_printf(r, "%s:%lu: not a JSON object (a trace line starts with '{')", t->path, t->lineno);
		return -EINVAL;
	}
	if (!json_object_object_get_ex(t->step, "step", NULL) ||
	    !json_object_object_get_ex(t->step, "pc", NULL)) {
		textbuf_printf(r, "%s:%lu: a JSON object, but not a kvmlab trace step (no \"step\" or \"pc\" field; "
			       "make traces with kvmlab trace --format jsonl)", t->path, t->lineno);
		return -EINVAL;
	}
	return 1;
}

/* A value as it is written in a trace (compact JSON), or "(absent)". */
static void show(struct textbuf *r, struct json_object *v, bool present)
{
	if (present)
		textbuf_printf(r, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		textbuf_printf(r, "(absent)");
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
static int compare(const struct trace_file *a, const struct trace_file *b, struct textbuf *r)
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
				textbuf_printf(r, "traces diverge at step ");
				show(r, step, true);
				textbuf_printf(r, " (%s line %lu, %s line %lu)", a->path, a->lineno, b->path, b->lineno);
				if (has_as) {
					textbuf_printf(r, ": ");
					show(r, as, true);
				}
			}
			textbuf_printf(r, "\n  %-8s A: ", key);
			show(r, pass ? o : val, pass ? present : true);
			textbuf_printf(r, "\n  %-8s B: ", "");
			show(r, pass ? val : o, pass ? true : present);
		}
	}
	return ndiff;
}

int trace_diff(const char *a, const char *b, char *msg, size_t len)
{
	struct trace_file t[2] = { { .path = a }, { .path = b } };
	struct textbuf r;
	unsigned long same = 0;
	int ret = 0;

	textbuf_init(&r, msg, len);
	for (int i = 0; i < 2; i++) {
		t[i].tok = json_tokener_new();
		if (!t[i].tok) {
			ret = -ENOMEM;
			textbuf_printf(&r, "out of memory");
			goto out;
		}
		json_tokener_set_flags(t[i].tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		t[i].f = open_trace(t[i].path);
		if (!t[i].f) {
			ret = -errno;
			textbuf_printf(&r, "%s: %s", t[i].path, errno == EISDIR ? "a folder, not a trace file" :
				       strerror(errno));
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
				textbuf_printf(&r, "traces agree for %lu steps, then %s ends while %s goes on at line %lu",
					       same, t[!ra ? 0 : 1].path, t[!ra ? 1 : 0].path, t[!ra ? 1 : 0].lineno);
				ret = 1;
			} else {
				textbuf_printf(&r, "traces are identical (%lu steps)", same);
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
