/* check_answers.c - a student's answer in an answers file (YAML) against a live value.
 *
 *   answers: {file: answers.yaml, key: vcpu_mmap_size, expect: live:vcpu_mmap_size}
 *
 * The answers file is one YAML mapping of keys to a scalar or a list of
 * scalars.  `live:NAME[:ARG]` values come from lab_live() (live.h) on the
 * grading machine; `observed:NAME[:ARG]` values from what kvmlab exec saw the student's
 * program do in the check's run (obsvalue.h, program labs); anything else in expect is a
 * literal answer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "check.h"
#include "ioctl.h"
#include "labbuf.h"
#include "labdiag.h"
#include "live.h"
#include "obsvalue.h"
#include "vm.h"

#define MAX_ANSWERS_FILE (64u << 10)
#define MAX_ITEMS 64

/* The table NAME of "live:NAME" or "observed:NAME" is looked up in. */
static const struct lab_live_name *spec_name(const struct lab_answers_spec *a)
{
	if (a->live < 0)
		return NULL;
	return a->observed ? &lab_obs_names[a->live] : &lab_live_names[a->live];
}

/* Look NAME of spec ("NAME" or "NAME:ARG", after the prefix) up in table: a->live and
 * a->live_arg set; 0, -ENOMEM, or the diagnostic for a name the table lacks. */
static int lookup(struct lab_answers_spec *a, const char *spec, const struct lab_live_name *table,
		  const char *what, struct lab_diag *d)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), spec);
	for (int i = 0; table[i].name; i++)
		if (strcmp(table[i].name, name) == 0)
			a->live = i;
	if (a->live < 0) {
		struct labbuf known = { 0 };
		int ret;

		for (int i = 0; table[i].name; i++)
			labbuf_printf(&known, "%s%s", i ? ", " : "", table[i].name);
		ret = lab_diag_check(d, "answers.expect", "unknown %s value '%s' (known: %s)", what,
				     name, known.s ? known.s : "");
		labbuf_release(&known);
		return ret;
	}
	if (colon && !(a->live_arg = strdup(colon + 1)))
		return -ENOMEM;
	return 0;
}

/* "observed:NAME[:ARG]": a value of the check's run of the student's program. */
static int prepare_observed(struct lab_answers_spec *a, const struct lab *lab,
			    struct lab_diag *d)
{
	const char *problem;
	int ret;

	a->observed = true;
	if (!lab->program)
		return lab_diag_check(d, "answers.expect", "observed: values are what a program "
				      "lab's run showed; this lab has no program section");
	ret = lookup(a, a->expect + 9, lab_obs_names, "observed", d);
	if (ret < 0)
		return ret;
	problem = lab_obs_arg_problem(a->live, a->live_arg);
	if (problem)
		return lab_diag_check(d, "answers.expect", "observed:%s %s",
				      lab_obs_names[a->live].name, problem);
	return 0;
}

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_answers_spec *a = c->answers;
	const struct lab_live_name *ln;
	int ret;

	a->live = -1;
	if (!lab_path_inside(a->file))
		return lab_diag_check(d, "answers.file", "the answers file '%s' must be a relative "
				      "path inside the submission", a->file);
	if (strncmp(a->expect, "observed:", 9) == 0)
		return prepare_observed(a, lab, d);
	if (strncmp(a->expect, "live:", 5) != 0)
		return 0;
	ret = lookup(a, a->expect + 5, lab_live_names, "live", d);
	if (ret < 0)
		return ret;
	ln = &lab_live_names[a->live];
	switch (ln->arg) {
	case LAB_LIVE_ARG_NONE:
		if (a->live_arg)
			return lab_diag_check(d, "answers.expect", "live:%s takes no argument",
					      ln->name);
		break;
	case LAB_LIVE_ARG_IOCTL:
		if (!a->live_arg)
			return lab_diag_check(d, "answers.expect", "live:%s needs the name of a KVM "
					      "ioctl, as in live:%s:KVM_RUN", ln->name, ln->name);
		if (!vmm_ioctl_request(a->live_arg))
			return lab_diag_check(d, "answers.expect", "live:%s: '%s' is not a KVM ioctl "
					      "kvmlab knows (as KVM_RUN, KVM_GET_REGS, ...)", ln->name,
					      a->live_arg);
		break;
	case LAB_LIVE_ARG_COUNT: {
		char *end = NULL;
		unsigned long k = a->live_arg ? strtoul(a->live_arg, &end, 10) : 0;

		if (!a->live_arg || !*a->live_arg || *end || k < 1 || k > MAX_ITEMS)
			return lab_diag_check(d, "answers.expect", "live:%s needs a count from 1 to "
					      "%d, as in live:%s:3", ln->name, MAX_ITEMS, ln->name);
		break;
	}
	case LAB_LIVE_ARG_GUEST:
		if (a->live_arg && (!*a->live_arg || strpbrk(a->live_arg, "/ \t")))
			return lab_diag_check(d, "answers.expect", "live:%s takes a built-in guest "
					      "name (hello, boot, ...)", ln->name);
		break;
	case LAB_LIVE_ARG_LEVEL:
		return lab_diag_check(d, "answers.expect", "live:%s: levels are for observed: "
				      "values", ln->name);
	}
	return 0;
}

static void release(struct lab_check *c)
{
	if (c->answers) {
		free(c->answers->path);
		free(c->answers->live_arg);
		c->answers->path = c->answers->live_arg = NULL;
	}
}

/* ---- reading the answers file -------------------------------------------- */

struct answer {
	char *items[MAX_ITEMS];   /* the scalar, or the list's items */
	size_t n;
	bool list;
};

static void answer_free(struct answer *ans)
{
	for (size_t i = 0; i < ans->n; i++)
		free(ans->items[i]);
	ans->n = 0;
}

static bool is_null(const yaml_node_t *v)
{
	const char *s = (const char *)v->data.scalar.value;

	if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return v->data.scalar.length == 0;
	return !*s || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

/* Find key in the file: 0 with ans filled (n 0: no answer yet), or -errno with why in msg. */
static int read_answer(const char *path, const char *file, const char *key, struct answer *ans,
		       char *msg, size_t len)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *v = NULL;
	yaml_node_pair_t *p;
	char *text;
	size_t n;
	int ret = 0;

	memset(ans, 0, sizeof(*ans));
	if (!f) {
		ret = -errno;
		snprintf(msg, len, "cannot read %s: %s", file, strerror(-ret));
		return ret;
	}
	text = malloc(MAX_ANSWERS_FILE + 1);
	n = text ? fread(text, 1, MAX_ANSWERS_FILE + 1, f) : 0;
	fclose(f);
	if (!text)
		return -ENOMEM;
	if (n > MAX_ANSWERS_FILE) {
		free(text);
		snprintf(msg, len, "%s is larger than %u KiB", file, MAX_ANSWERS_FILE >> 10);
		return -EFBIG;
	}
	if (!yaml_parser_initialize(&parser)) {
		free(text);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(&parser, &doc)) {
		const yaml_mark_t *m = parser.problem ? &parser.problem_mark : &parser.context_mark;

		snprintf(msg, len, "%s:%zu:%zu: syntax error: %s", file, m->line + 1, m->column + 1,
			 parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		free(text);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		snprintf(msg, len, "%s must be a list of 'key: answer' lines", file);
		ret = -EINVAL;
		goto out;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0) {
			v = yaml_document_get_node(&doc, p->value);
			break;
		}
	}
	if (!v) {
		snprintf(msg, len, "%s has no line '%s:'", file, key);
		ret = -ENOENT;
	} else if (v->type == YAML_SCALAR_NODE) {
		if (!is_null(v) && !(ans->items[ans->n++] = strdup((const char *)v->data.scalar.value)))
			ret = -ENOMEM;
	} else if (v->type == YAML_SEQUENCE_NODE) {
		ans->list = true;
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top && ret == 0; it++) {
			yaml_node_t *e = yaml_document_get_node(&doc, *it);

			if (!e || e->type != YAML_SCALAR_NODE || ans->n == MAX_ITEMS) {
				snprintf(msg, len, "%s:%zu:%zu: '%s' must be a list of up to %d plain "
					 "values", file, v->start_mark.line + 1,
					 v->start_mark.column + 1, key, MAX_ITEMS);
				ret = -EINVAL;
			} else if (!(ans->items[ans->n++] = strdup((const char *)e->data.scalar.value))) {
				ret = -ENOMEM;
			}
		}
	} else {
		snprintf(msg, len, "%s:%zu:%zu: the answer to '%s' must be a value or a list",
			 file, v->start_mark.line + 1, v->start_mark.column + 1, key);
		ret = -EINVAL;
	}
out:
	if (ret < 0)
		answer_free(ans);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(text);
	return ret;
}

/* ---- comparing ----------------------------------------------------------- */

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

/* "12288", "0x3000", "12K", "12 KiB", "4096 bytes" -> value; false if not a number. */
static bool parse_number(const char *text, uint64_t *out)
{
	char buf[64];
	size_t j = 0;

	for (const char *p = text; *p && j < sizeof(buf) - 1; p++)
		if (!isspace((unsigned char)*p))
			buf[j++] = *p;
	buf[j] = '\0';
	if (j > 5 && strcasecmp(buf + j - 5, "bytes") == 0)
		buf[j - 5] = '\0';
	j = 0;
	while (buf[j] == '0' && isdigit((unsigned char)buf[j + 1]))
		j++;  /* leading zeros are decimal, not octal */
	return vmm_parse_size(buf + j, out) == 0;
}

/* One character, as is or quoted ('H', "H"): its code. */
static bool parse_char(const char *text, uint64_t *out)
{
	size_t n = strlen(text);

	if (n == 3 && (text[0] == '\'' || text[0] == '"') && text[2] == text[0])
		text++, n = 1;
	if (n != 1)
		return false;
	*out = (unsigned char)text[0];
	return true;
}

/* An _IOC direction in any usual spelling -> "none", "read", "write", "read/write", or NULL. */
static const char *parse_dir(const char *text)
{
	char buf[128], *save = NULL, *tok;
	bool r = false, w = false, none = false;
	size_t i;

	for (i = 0; i < sizeof(buf) - 1 && text[i]; i++)
		buf[i] = isalpha((unsigned char)text[i]) ? (char)tolower((unsigned char)text[i]) : ' ';
	buf[i] = '\0';
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "ioc", 3) == 0 && tok[3])
			tok += 3;   /* _IOC_READ -> "ioc read" or "iocread" */
		if (!strcmp(tok, "none") || !strcmp(tok, "io"))
			none = true;
		else if (!strcmp(tok, "read") || !strcmp(tok, "r") || !strcmp(tok, "ior"))
			r = true;
		else if (!strcmp(tok, "write") || !strcmp(tok, "w") || !strcmp(tok, "iow"))
			w = true;
		else if (!strcmp(tok, "rw") || !strcmp(tok, "readwrite") || !strcmp(tok, "iowr") ||
			 !strcmp(tok, "both"))
			r = w = true;
		else if (strcmp(tok, "ioc") != 0 && strcmp(tok, "and") != 0)
			return NULL;
	}
	if (none && (r || w))
		return NULL;
	return r && w ? "read/write" : r ? "read" : w ? "write" : none ? "none" : NULL;
}

/* Split "A, B C" (or a YAML list) into trimmed items. */
static size_t split_items(const struct answer *ans, char **items, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ans->n; i++) {
		char *copy = strdup(ans->items[i]), *save = NULL, *tok;

		if (!copy)
			break;
		for (tok = strtok_r(copy, ", \t\n", &save); tok && n < max;
		     tok = strtok_r(NULL, ", \t\n", &save))
			items[n++] = strdup(tok);
		free(copy);
	}
	return n;
}

static char *answer_text(const struct answer *ans)
{
	struct labbuf b = { 0 };

	if (ans->list)
		labbuf_putc(&b, '[');
	for (size_t i = 0; i < ans->n; i++)
		labbuf_printf(&b, "%s%s", i ? ", " : "", ans->items[i]);
	if (ans->list)
		labbuf_putc(&b, ']');
	return labbuf_take(&b);
}

/* Compare; true when right.  why gets the reason when wrong. */
static bool compare(enum lab_live_kind kind, const char *want, const struct answer *ans,
		    char *why, size_t len)
{
	char *items[MAX_ITEMS], *want_copy, *save = NULL, *tok;
	uint64_t a, b;
	const char *dir;
	size_t n, k = 0;
	bool ok = true;

	if (kind != LAB_LIVE_LIST && ans->n != 1) {
		snprintf(why, len, "give one value, not a list");
		return false;
	}
	switch (kind) {
	case LAB_LIVE_NUMBER:
		if (!parse_number(ans->items[0], &a)) {
			snprintf(why, len, "'%s' is not a number (write it in decimal or 0x hex)",
				 ans->items[0]);
			return false;
		}
		parse_number(want, &b);
		if (a != b)
			snprintf(why, len, "%llu (0x%llx) is not right", (unsigned long long)a,
				 (unsigned long long)a);
		return a == b;
	case LAB_LIVE_BYTE:
	case LAB_LIVE_ENTRY:
		if (!parse_number(ans->items[0], &a) && !(kind == LAB_LIVE_BYTE &&
							 parse_char(ans->items[0], &a))) {
			snprintf(why, len, "'%s' is not a number%s", ans->items[0],
				 kind == LAB_LIVE_BYTE ? " or one character" : " (write it in 0x hex)");
			return false;
		}
		parse_number(want, &b);
		if (kind == LAB_LIVE_ENTRY) {   /* the CPU sets Accessed and Dirty as it walks */
			a &= ~(uint64_t)0x60;
			b &= ~(uint64_t)0x60;
		}
		if (a != b)
			snprintf(why, len, "0x%llx is not right", (unsigned long long)a);
		return a == b;
	case LAB_LIVE_DIR:
		dir = parse_dir(ans->items[0]);
		if (!dir) {
			snprintf(why, len, "'%s' is not a direction: write none, read, write or "
				 "read/write", ans->items[0]);
			return false;
		}
		if (strcmp(dir, want) != 0)
			snprintf(why, len, "'%s' is not right", dir);
		return strcmp(dir, want) == 0;
	case LAB_LIVE_LIST:
		n = split_items(ans, items, MAX_ITEMS);
		want_copy = strdup(want);
		if (!want_copy) {
			snprintf(why, len, "out of memory");
			ok = false;
		}
		for (tok = want_copy ? strtok_r(want_copy, ", ", &save) : NULL; tok && ok;
		     tok = strtok_r(NULL, ", ", &save), k++) {
			if (k >= n) {
				snprintf(why, len, "%zu name%s given, more expected", n,
					 n == 1 ? "" : "s");
				ok = false;
			} else if (strcasecmp(items[k], tok) != 0) {
				snprintf(why, len, "name %zu, '%s', is not right", k + 1, items[k]);
				ok = false;
			}
		}
		if (ok && k < n) {
			snprintf(why, len, "%zu names given, only %zu expected", n, k);
			ok = false;
		}
		for (size_t i = 0; i < n; i++)
			free(items[i]);
		free(want_copy);
		return ok;
	}
	return false;
}

/* A literal expect: numbers compare as numbers, anything else as trimmed text, any case. */
static bool compare_literal(const char *want, const struct answer *ans, char *why, size_t len)
{
	uint64_t a, b;
	char *got;
	bool ok;

	if (ans->n != 1 || ans->list)
		return compare(LAB_LIVE_LIST, want, ans, why, len);
	if (parse_number(want, &b) && parse_number(ans->items[0], &a))
		return compare(LAB_LIVE_NUMBER, want, ans, why, len);
	got = strdup(ans->items[0]);
	if (!got)
		return false;
	trim(got);
	ok = strcasecmp(got, want) == 0;
	if (!ok)
		snprintf(why, len, "'%s' is not right", got);
	free(got);
	return ok;
}

static char *describe(const struct lab_answers_spec *a, const char *value)
{
	const struct lab_live_name *ln = spec_name(a);
	char what[256];

	if (!ln)
		return a->reveal ? strdup(value) : strdup("the answer the lab expects");
	snprintf(what, sizeof(what), ln->what, a->live_arg ? a->live_arg :
		 a->observed ? "" : "hello");
	if (a->reveal && value)
		return lab_strdupf("%s (%s)", value, what);
	return strdup(what);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_answers_spec *a = c->answers;
	struct answer ans;
	char msg[512] = "", want[1024] = "", err[256] = "";
	bool ok;
	int ret;

	if (!a->path)
		return lab_result_set(r, false, describe(a, NULL), NULL,
				      lab_strdupf("no submission folder to read %s from", a->file));
	ret = read_answer(a->path, a->file, a->key, &ans, msg, sizeof(msg));
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return lab_result_set(r, false, describe(a, NULL), NULL, strdup(msg));
	if (ans.n == 0)
		return lab_result_set(r, false, describe(a, NULL), strdup("(no answer)"),
				      lab_strdupf("'%s' has no answer yet in %s", a->key, a->file));
	if (a->observed) {
		ret = lab_obs_value(run->obs_log, a->live, a->live_arg, want, sizeof(want), err,
				    sizeof(err));
		if (ret == -ENOMEM) {
			answer_free(&ans);
			return ret;
		}
		if (ret < 0) {
			lab_result_set(r, false, describe(a, NULL), answer_text(&ans), strdup(err));
			answer_free(&ans);
			return 0;
		}
		ok = compare(lab_obs_names[a->live].kind, want, &ans, msg, sizeof(msg));
	} else if (a->live >= 0) {
		ret = lab_live()(lab_live_names[a->live].name, a->live_arg, want, sizeof(want),
				 err, sizeof(err));
		if (ret < 0) {
			lab_result_set(r, false, describe(a, NULL), answer_text(&ans),
				       lab_strdupf("the grader could not read the live value: %s",
						   err[0] ? err : strerror(-ret)));
			answer_free(&ans);
			return 0;
		}
		ok = compare(lab_live_names[a->live].kind, want, &ans, msg, sizeof(msg));
	} else {
		snprintf(want, sizeof(want), "%s", a->expect);
		ok = compare_literal(want, &ans, msg, sizeof(msg));
	}
	lab_result_set(r, ok, describe(a, want), answer_text(&ans),
		       lab_strdupf("%s: %s", a->key, msg));
	answer_free(&ans);
	return 0;
}

const struct lab_check_ops lab_check_answers_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
	.release = release,
};
