/* labloc.c - an index of the nodes of a YAML text by path, with their line and column.
 *
 * libcyaml checks the schema but only locates what it rejects; the checks
 * validated after loading (unknown register, dependency cycle, ...) need the
 * position of any node, so the text is walked once with libyaml's event
 * parser.  The walk also reports syntax errors with libyaml's exact mark.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "array.h"
#include "labdiag.h"

#define MAX_DEPTH 64

struct frame {
	char *path;
	bool mapping;
	bool want_key;       /* mapping: the next node is a key */
	bool key_is_node;    /* this frame is a collection used as a mapping key */
	unsigned index;      /* sequence: index of the next entry */
	char *key;           /* mapping: key of the next value */
	yaml_mark_t key_mark;
};

struct walker {
	struct lab_locs *locs;
	struct frame stack[MAX_DEPTH];
	int depth;
};

static int add_loc(struct lab_locs *locs, char *path, const yaml_event_t *ev, yaml_mark_t key)
{
	struct lab_loc *v = vmm_array_grow(locs->v, &locs->cap, sizeof(*v), locs->n + 1, 64);
	yaml_mark_t at = ev->start_mark;
	char *scalar = NULL;

	if (!v)
		return -ENOMEM;
	locs->v = v;
	if (ev->type == YAML_SCALAR_EVENT &&
	    !(scalar = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length)))
		return -ENOMEM;
	locs->v[locs->n++] = (struct lab_loc){
		.path = path, .scalar = scalar,
		.line = (unsigned)at.line + 1, .column = (unsigned)at.column + 1,
		.key_line = (unsigned)key.line + 1, .key_column = (unsigned)key.column + 1,
	};
	return 0;
}

/* Path of the next child of the top frame (a copy), or the root path "". */
static char *child_path(struct walker *w)
{
	struct frame *f;
	char *p;
	int n;

	if (w->depth == 0)
		return strdup("");
	f = &w->stack[w->depth - 1];
	if (f->mapping)
		n = asprintf(&p, "%s%s%s", f->path, *f->path ? "." : "", f->key ? f->key : "?");
	else
		n = asprintf(&p, "%s%s%u", f->path, *f->path ? "." : "", f->index);
	return n < 0 ? NULL : p;
}

/* A node of the top frame is complete. */
static void node_done(struct walker *w)
{
	struct frame *f;

	if (w->depth == 0)
		return;
	f = &w->stack[w->depth - 1];
	if (!f->mapping) {
		f->index++;
		return;
	}
	free(f->key);
	f->key = NULL;
	f->want_key = true;
}

static int node_start(struct walker *w, const yaml_event_t *ev)
{
	bool collection = ev->type == YAML_SEQUENCE_START_EVENT ||
			  ev->type == YAML_MAPPING_START_EVENT;
	struct frame *top = w->depth ? &w->stack[w->depth - 1] : NULL;
	bool is_key = top && top->mapping && top->want_key;
	yaml_mark_t key_mark = ev->start_mark;
	char *path = NULL;

	if (ev->type == YAML_ALIAS_EVENT && !w->locs->alias_line) {
		w->locs->alias_line = (unsigned)ev->start_mark.line + 1;
		w->locs->alias_column = (unsigned)ev->start_mark.column + 1;
	}
	if (is_key && !collection) {
		free(top->key);
		top->key = ev->type == YAML_SCALAR_EVENT ?
			   strndup((const char *)ev->data.scalar.value, ev->data.scalar.length) :
			   strdup("?");
		if (!top->key)
			return -ENOMEM;
		top->key_mark = ev->start_mark;
		top->want_key = false;
		return 0;
	}
	if (!is_key) {
		if (top && top->mapping)
			key_mark = top->key_mark;
		path = child_path(w);
		if (!path || add_loc(w->locs, path, ev, key_mark) < 0) {
			free(path);
			return -ENOMEM;
		}
		if (!collection)
			node_done(w);
	}
	if (!collection)
		return 0;
	if (w->depth == MAX_DEPTH)
		return -E2BIG;
	top = &w->stack[w->depth++];
	*top = (struct frame){
		.path = strdup(path ? path : "?"),
		.mapping = ev->type == YAML_MAPPING_START_EVENT,
		.want_key = true,
		.key_is_node = is_key,
	};
	return top->path ? 0 : -ENOMEM;
}

static void node_end(struct walker *w)
{
	struct frame *f = &w->stack[--w->depth];
	struct frame *parent = w->depth ? &w->stack[w->depth - 1] : NULL;
	bool was_key = f->key_is_node;

	free(f->path);
	free(f->key);
	if (was_key && parent) {
		/* a collection as a key: record it as "?" and expect its value */
		parent->key = strdup("?");
		parent->want_key = false;
		return;
	}
	node_done(w);
}

static int syntax_error(const yaml_parser_t *p, char *err, size_t errlen)
{
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	snprintf(err, errlen, "%zu:%zu: syntax error: %s%s%s", m->line + 1, m->column + 1,
		 p->problem ? p->problem : "invalid YAML",
		 p->context ? " " : "", p->context ? p->context : "");
	return -EINVAL;
}

int lab_locs_build(const char *text, size_t len, struct lab_locs *locs, char *err, size_t errlen)
{
	struct walker w = { .locs = locs };
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	int docs = 0, ret = 0;

	memset(locs, 0, sizeof(*locs));
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && ret == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = syntax_error(&parser, err, errlen);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			done = ++docs > 1;  /* only the first document is loaded */
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			ret = node_start(&w, &ev);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (w.depth > 0)
				node_end(&w);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	while (w.depth > 0) {
		struct frame *f = &w.stack[--w.depth];

		free(f->path);
		free(f->key);
	}
	yaml_parser_delete(&parser);
	if (ret == -E2BIG)
		snprintf(err, errlen, "1:1: nested deeper than %d levels", MAX_DEPTH);
	if (ret < 0)
		lab_locs_free(locs);
	return ret == -E2BIG ? -EINVAL : ret;
}

void lab_locs_free(struct lab_locs *locs)
{
	for (size_t i = 0; i < locs->n; i++) {
		free(locs->v[i].path);
		free(locs->v[i].scalar);
	}
	free(locs->v);
	memset(locs, 0, sizeof(*locs));
}

const struct lab_loc *lab_locs_get(const struct lab_locs *locs, const char *path)
{
	for (size_t i = 0; locs && i < locs->n; i++)
		if (strcmp(locs->v[i].path, path) == 0)
			return &locs->v[i];
	return NULL;
}

const struct lab_loc *lab_locs_last(const struct lab_locs *locs, const char *path)
{
	for (size_t i = locs ? locs->n : 0; i > 0; i--)
		if (strcmp(locs->v[i - 1].path, path) == 0)
			return &locs->v[i - 1];
	return NULL;
}

const struct lab_loc *lab_locs_find(const struct lab_locs *locs, const char *path)
{
	char buf[256];
	const struct lab_loc *l;

	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		char *dot;

		l = lab_locs_get(locs, buf);
		if (l || !*buf)
			return l;
		dot = strrchr(buf, '.');
		if (dot)
			*dot = '\0';
		else
			buf[0] = '\0';
	}
}
