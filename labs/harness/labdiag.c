/* labdiag.c - one error message with file:line:column for a bad lab file.
 *
 * libcyaml reports a schema error as a problem line ("Load: Unexpected key:
 * pionts") and a backtrace of frames ("in mapping field 'checks'", "in
 * sequence entry '2'"), innermost first.  The frames give the node's path;
 * the location index gives its exact position; the schema gives the words
 * for what was expected.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labdiag.h"
#include "labschema.h"

#define MAX_COMPS 16

struct backtrace {
	char problem[320];
	char comp[MAX_COMPS][64];       /* path components, outermost first */
	int ncomp;
};

void lab_cylog_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct lab_cylog *log = ctx;

	if (level >= CYAML_LOG_ERROR)
		textbuf_vprintf(&log->out, fmt, args);
}

static void vformat(struct lab_diag *d, const struct lab_loc *l, bool at_key,
		    const char *prefix, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (l)
		snprintf(d->err, d->errlen, "%s:%u:%u: %s%s", d->file,
			 at_key ? l->key_line : l->line, at_key ? l->key_column : l->column,
			 prefix, msg);
	else
		snprintf(d->err, d->errlen, "%s: %s%s", d->file, prefix, msg);
}

int lab_diag_at(struct lab_diag *d, const char *path, bool at_key, const char *fmt, ...)
{
	const struct lab_loc *l = lab_locs_get(d->locs, path);
	va_list ap;

	if (!l) {
		l = lab_locs_find(d->locs, path);
		at_key = false;
	}
	va_start(ap, fmt);
	vformat(d, l, at_key, "", fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int lab_diag_check(struct lab_diag *d, const char *sub, const char *fmt, ...)
{
	char path[256], prefix[128];
	const struct lab_loc *l;
	bool at_key = true;
	va_list ap;

	snprintf(path, sizeof(path), "%s%s%s", d->base, sub ? "." : "", sub ? sub : "");
	l = lab_locs_get(d->locs, path);
	if (!l) {
		l = lab_locs_find(d->locs, path);
		at_key = false;
	}
	if (!sub)
		at_key = false;
	snprintf(prefix, sizeof(prefix), "check '%s': ", d->check_id ? d->check_id : "?");
	va_start(ap, fmt);
	vformat(d, l, at_key, prefix, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Text between the first pair of single quotes after s, into out. */
static bool quoted(const char *s, char *out, size_t len)
{
	const char *a = strchr(s, '\''), *b = a ? strchr(a + 1, '\'') : NULL;

	if (!b)
		return false;
	snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	return true;
}

static void parse_backtrace(const char *text, struct backtrace *bt)
{
	char frames[MAX_COMPS][64];
	int nframes = 0;
	const char *line = text;

	memset(bt, 0, sizeof(*bt));
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		char buf[320];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
		line = end ? end + 1 : NULL;
		if (strncmp(buf, "Load: Backtrace:", 16) == 0)
			continue;
		if (strncmp(buf, "Load: ", 6) == 0 && !bt->problem[0]) {
			snprintf(bt->problem, sizeof(bt->problem), "%s", buf + 6);
			continue;
		}
		if (strncmp(buf, "  in ", 5) != 0)
			continue;
		if (nframes == MAX_COMPS)
			continue;
		if (strncmp(buf + 5, "mapping field", 13) == 0) {
			if (quoted(buf, frames[nframes], sizeof(frames[0])))
				nframes++;
		} else if (strncmp(buf + 5, "sequence entry", 14) == 0) {
			char num[16];

			if (quoted(buf, num, sizeof(num)) && atoi(num) > 0)
				snprintf(frames[nframes++], sizeof(frames[0]), "%d", atoi(num) - 1);
		}
	}
	for (int i = 0; i < nframes; i++)  /* frames are innermost first */
		memcpy(bt->comp[i], frames[nframes - 1 - i], sizeof(bt->comp[0]));
	bt->ncomp = nframes;
}

static void join(const struct backtrace *bt, int ncomp, const char *last, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < ncomp && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "." : "", bt->comp[i]);
	if (last && n < len)
		snprintf(out + n, len - n, "%s%s", n ? "." : "", last);
}

/* The schema value at the first ncomp components, or NULL. */
static const cyaml_schema_value_t *schema_at(const cyaml_schema_value_t *v,
					     const struct backtrace *bt, int ncomp)
{
	for (int i = 0; v && i < ncomp; i++) {
		const cyaml_schema_field_t *f;

		if (v->type == CYAML_SEQUENCE || v->type == CYAML_SEQUENCE_FIXED) {
			v = v->sequence.entry;
			continue;
		}
		if (v->type != CYAML_MAPPING)
			return NULL;
		for (f = v->mapping.fields; f->key && strcmp(f->key, bt->comp[i]); f++)
			;
		v = f->key ? &f->value : NULL;
	}
	return v;
}

static bool has_field(const cyaml_schema_value_t *v, const char *key)
{
	if (!v || v->type != CYAML_MAPPING)
		return false;
	for (const cyaml_schema_field_t *f = v->mapping.fields; f->key; f++)
		if (strcmp(f->key, key) == 0)
			return true;
	return false;
}

/* Edit distance with adjacent transpositions, for "did you mean". */
static int distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b), d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		for (int j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static void suggest(const cyaml_schema_value_t *v, const char *key, char *out, size_t len)
{
	const char *best = NULL;
	int bestd = 99, limit = strlen(key) > 6 ? 3 : 2;

	out[0] = '\0';
	if (!v || v->type != CYAML_MAPPING)
		return;
	for (const cyaml_schema_field_t *f = v->mapping.fields; f->key; f++) {
		int dd = distance(key, f->key);

		if (dd < bestd) {
			bestd = dd;
			best = f->key;
		}
	}
	if (best && bestd <= limit)
		snprintf(out, len, " (did you mean '%s'?)", best);
}

static const char *event_words(const char *ev)
{
	if (strncmp(ev, "SEQUENCE", 8) == 0)
		return "a list";
	if (strncmp(ev, "MAPPING", 7) == 0)
		return "a mapping";
	if (strncmp(ev, "SCALAR", 6) == 0)
		return "a single value";
	return ev;
}

/* What the node named by the last component is called in a message. */
static void node_name(const struct backtrace *bt, int ncomp, char *out, size_t len)
{
	const char *last = ncomp ? bt->comp[ncomp - 1] : "";

	if (ncomp == 0)
		snprintf(out, len, "the file");
	else if (last[0] >= '0' && last[0] <= '9')
		snprintf(out, len, "entry %d of '%s'", atoi(last) + 1,
			 ncomp > 1 ? bt->comp[ncomp - 2] : "?");
	else
		snprintf(out, len, "'%s'", last);
}

int lab_diag_cyaml(struct lab_diag *d, const struct lab_cylog *log, cyaml_err_t cerr,
		   const cyaml_schema_value_t *schema)
{
	struct backtrace bt;
	const char *p;
	char path[256], what[96], expect[256], extra[64], val[128];
	int n;

	if (cerr == CYAML_ERR_OOM)
		return -ENOMEM;
	parse_backtrace(log->text, &bt);
	p = bt.problem;
	join(&bt, bt.ncomp, NULL, path, sizeof(path));
	node_name(&bt, bt.ncomp, what, sizeof(what));
	lab_schema_describe(schema_at(schema, &bt, bt.ncomp), expect, sizeof(expect));

	if (strncmp(p, "Unexpected key: ", 16) == 0) {
		snprintf(val, sizeof(val), "%.*s", (int)sizeof(val) - 1, p + 16);
		suggest(schema_at(schema, &bt, bt.ncomp), val, extra, sizeof(extra));
		join(&bt, bt.ncomp, val, path, sizeof(path));
		return lab_diag_at(d, path, true, "unknown key '%s'%s", val, extra);
	}
	if (sscanf(p, "Missing required mapping field: %127s", val) == 1) {
		for (n = bt.ncomp; n > 0 && !has_field(schema_at(schema, &bt, n), val); n--)
			;
		join(&bt, n, NULL, path, sizeof(path));
		node_name(&bt, n, what, sizeof(what));
		return lab_diag_at(d, path, false, "missing required key '%s' in %s", val, what);
	}
	if (sscanf(p, "Mapping field already seen: %127s", val) == 1) {
		const struct lab_loc *l = lab_locs_last(d->locs, path);

		if (l)
			snprintf(d->err, d->errlen, "%s:%u:%u: duplicate key '%s'", d->file,
				 l->key_line, l->key_column, val);
		else
			lab_diag_at(d, path, true, "duplicate key '%s'", val);
		return -EINVAL;
	}
	if (cerr == CYAML_ERR_ALIAS && d->locs->alias_line) {
		snprintf(d->err, d->errlen, "%s:%u:%u: aliases (*name) are not supported in lab files",
			 d->file, d->locs->alias_line, d->locs->alias_column);
		return -EINVAL;
	}
	if (strncmp(p, "Expecting ", 10) == 0 && strstr(p, "got event: "))
		return lab_diag_at(d, path, false, "wrong type for %s: expected %s, got %s",
				   what, expect, event_words(strstr(p, "got event: ") + 11));
	if ((strncmp(p, "Invalid ", 8) == 0 && strstr(p, " value: ")) ||
	    strncmp(p, "Unknown flag: ", 14) == 0) {
		const char *v = strstr(p, ": ") + 2;

		snprintf(val, sizeof(val), "%s", v);
		if (val[0] == '\'' && strlen(val) > 1 && val[strlen(val) - 1] == '\'') {
			memmove(val, val + 1, strlen(val));
			val[strlen(val) - 1] = '\0';
		}
		return lab_diag_at(d, path, false, "wrong value for %s: expected %s, got '%s'",
				   what, expect, val);
	}
	if (strncmp(p, "Insufficient entries", 20) == 0 || strncmp(p, "Excessive entries", 17) == 0) {
		for (n = bt.ncomp; n > 0 && bt.comp[n - 1][0] >= '0' && bt.comp[n - 1][0] <= '9'; n--)
			;
		join(&bt, n, NULL, path, sizeof(path));
		node_name(&bt, n, what, sizeof(what));
		return lab_diag_at(d, path, false, "%s has too %s entries", what,
				   p[0] == 'I' ? "few" : "many");
	}
	if (strncmp(p, "STRING length", 13) == 0)
		return lab_diag_at(d, path, false, "%s must not be empty", what);
	if (p[0])
		return lab_diag_at(d, path, false, "%s: %s", what, p);
	if (bt.ncomp > 0)  /* libcyaml gave a place but no problem line */
		return lab_diag_at(d, path, false, "bad value for %s: expected %s", what, expect);
	snprintf(d->err, d->errlen, "%s: %s", d->file, cyaml_strerror(cerr));
	return cerr == CYAML_ERR_FILE_OPEN ? -ENOENT : -EINVAL;
}
