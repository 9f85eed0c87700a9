/* labdiag.h - where things are in a lab file, and one-message errors that say so.
 * Private to labs/harness.
 *
 * A node's path names it from the root: "checks.3.register.name" is the
 * value of key name in the mapping under key register of the fourth check.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <cyaml/cyaml.h>

#include "textbuf.h"

struct lab_loc {
	char *path;
	char *scalar;                  /* a scalar's text as written, NULL for a collection */
	unsigned line, column;         /* 1-based start of the node */
	unsigned key_line, key_column; /* its key when in a mapping, else = line/column */
};

struct lab_locs {
	struct lab_loc *v;
	size_t n, cap;
	unsigned alias_line, alias_column; /* first alias (*name), 0 if none */
};

/*
 * Index every node of text (libyaml, first document only).  On a YAML
 * syntax error returns -EINVAL with "line:column: syntax error: ..." in err
 * (no file name).
 */
int lab_locs_build(const char *text, size_t len, struct lab_locs *locs, char *err, size_t errlen);
void lab_locs_free(struct lab_locs *locs);

/* The node at path, or the nearest node above it; NULL if none. */
const struct lab_loc *lab_locs_find(const struct lab_locs *locs, const char *path);
/* Only the node at path exactly (its first or last occurrence); NULL if absent. */
const struct lab_loc *lab_locs_get(const struct lab_locs *locs, const char *path);
const struct lab_loc *lab_locs_last(const struct lab_locs *locs, const char *path);

/* Error context while loading one file. */
struct lab_diag {
	const char *file;
	const struct lab_locs *locs;
	char *err;
	size_t errlen;
	char base[64];                 /* path prefix for lab_diag_check(), e.g. "checks.3" */
	const char *check_id;          /* named in lab_diag_check() messages */
};

/* Every number in the file is written whole: decimal or 0x hex and nothing else ("12abc",
 * "2.5", "0x10010zz" and "-1" are refused at their line and column, where libcyaml would
 * take what comes before the junk).  The schema says which nodes are numbers; 0 or -EINVAL. */
int lab_numbers_check(const struct lab_locs *locs, const cyaml_schema_value_t *schema,
		      struct lab_diag *d);

/* "file:line:col: message" at path (at its key when at_key); returns -EINVAL. */
int lab_diag_at(struct lab_diag *d, const char *path, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "file:line:col: check 'id': message" at base.sub (sub NULL: the check); -EINVAL. */
int lab_diag_check(struct lab_diag *d, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Collects libcyaml's log lines (use as cyaml_config log_fn with ctx a struct lab_cylog,
 * after textbuf_init(&log.out, log.text, sizeof(log.text))). */
struct lab_cylog {
	char text[4096];
	struct textbuf out;
};
void lab_cylog_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args);

/* Turn a failed cyaml load into one message in d->err; returns -EINVAL (or -ENOMEM). */
int lab_diag_cyaml(struct lab_diag *d, const struct lab_cylog *log, cyaml_err_t cerr,
		   const cyaml_schema_value_t *schema);

/* Loader steps shared between labfile.c and labvalidate.c. */
struct lab;

/* Semantic checks after the schema: ids, dependencies, kinds, ports, sizes. */
int lab_validate(struct lab *lab, struct lab_diag *d);

/* Each substitution at path base.N names a file inside the submission and a non-empty
 * 'from'; 0 or -EINVAL. */
struct lab_substitute;
int lab_substitutes_check(struct lab_diag *d, const char *base, const struct lab_substitute *s,
			  unsigned n);

/* The tests: block (labexamples.c): folders inside the lab, known check ids, and each
 * score equal to what its failing checks leave. */
int lab_examples_validate(struct lab *lab, struct lab_diag *d);

/* dir/rel as a new string (NULL on failure). */
char *lab_path_join(const char *dir, const char *rel);

/* rel stays inside its folder: not absolute, no ".." component. */
bool lab_path_inside(const char *rel);
