/* cmd_diff.c - `kvmlab diff`: the first step where two JSONL traces diverge, and what differs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
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

/* Read and check the next line; 1 if read, 0 at end of file, -1 (message printed) if bad. */
static int next(struct trace_file *t)
{
	const char *err;

	t->len = getline(&t->line, &t->cap, t->f);
	if (t->len < 0)
		return 0;
	t->lineno++;
	if (t->len > 0 && t->line[t->len - 1] != '\n') {
		cli_error(EXIT_LOAD, "%s:%lu: the last line has no newline: the file is truncated",
			  t->path, t->lineno);
		return -1;
	}
	t->nfld = json_fields(t->line, (size_t)t->len, t->fld, MAX_FIELDS, &err);
	if (t->nfld < 0) {
		cli_error(EXIT_LOAD, "%s:%lu: %s", t->path, t->lineno, err);
		return -1;
	}
	if (!json_find(t->fld, t->nfld, "step") || !json_find(t->fld, t->nfld, "pc")) {
		cli_error(EXIT_LOAD, "%s:%lu: a JSON object, but not a kvmlab trace step (no \"step\" or "
			  "\"pc\" field; make traces with kvmlab trace --format jsonl)", t->path, t->lineno);
		return -1;
	}
	return 1;
}

static void show(const struct json_field *f)
{
	if (f)
		printf("%.*s", (int)f->vallen, f->val);
	else
		printf("(absent)");
}

/* Print every field that differs; the number of them. */
static int report(const struct trace_file *a, const struct trace_file *b)
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
				continue;  /* already compared in the first pass */
			if (o && o->vallen == x->fld[i].vallen &&
			    memcmp(o->val, x->fld[i].val, o->vallen) == 0)
				continue;
			if (!ndiff++) {
				printf("traces diverge at step ");
				show(step);
				printf(" (%s line %lu, %s line %lu)", a->path, a->lineno, b->path, b->lineno);
				if (as) {
					printf(": ");
					show(as);
				}
				printf("\n");
			}
			printf("  %-8s A: ", key);
			show(pass ? o : &x->fld[i]);
			printf("\n  %-8s B: ", "");
			show(pass ? &x->fld[i] : o);
			printf("\n");
		}
	}
	return ndiff;
}

static int diff_main(int argc, char **argv)
{
	struct trace_file t[2] = { { 0 } };
	int status = EXIT_HALTED;
	unsigned long same = 0;

	if (cli_wants_help(&cmd_diff, argc, argv))
		return 0;
	if (argc != 3)
		return cli_error(EXIT_USAGE, "diff: give two trace files (see kvmlab diff --help)");
	for (int i = 0; i < 2; i++) {
		t[i].path = argv[i + 1];
		t[i].f = fopen(t[i].path, "r");
		if (!t[i].f) {
			status = cli_error(EXIT_LOAD, "%s: %s", t[i].path, strerror(errno));
			goto out;
		}
	}
	for (;;) {
		int ra = next(&t[0]), rb = next(&t[1]);

		if (ra < 0 || rb < 0) {
			status = EXIT_LOAD;
			break;
		}
		if (!ra || !rb) {
			if (ra != rb) {
				printf("traces agree for %lu steps, then %s ends while %s goes on at line %lu\n",
				       same, t[!ra ? 0 : 1].path, t[!ra ? 1 : 0].path, t[!ra ? 1 : 0].lineno);
				status = EXIT_DIFFER;
			} else {
				printf("traces are identical (%lu steps)\n", same);
			}
			break;
		}
		if (report(&t[0], &t[1])) {
			status = EXIT_DIFFER;
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
	return status;
}

const struct command cmd_diff = {
	.name = "diff",
	.summary = "find the first step where two JSONL traces diverge",
	.help =
	"usage: kvmlab diff A.jsonl B.jsonl\n\n"
	"Compares two traces written by `kvmlab trace --format jsonl` step by step and\n"
	"reports the first step that differs, field by field (instruction, registers\n"
	"changed, exit, memory written). Exit status 0 if identical, 6 if they differ,\n"
	"2 if a file is unreadable, truncated or not a kvmlab trace (with its line).\n",
	.main = diff_main,
};
