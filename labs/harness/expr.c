/* expr.c - recursive-descent evaluation of capture expressions (grammar in expr.h). */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "expr.h"

struct parser {
	const char *src, *p;
	const struct lab_expr_var *vars;
	size_t nvars;
	char *const *names;   /* check mode: names allowed, values not needed */
	size_t nnames;
	bool checking;
	int skip;             /* > 0: inside a short-circuited operand, no runtime errors */
	char *err;
	size_t errlen;
	bool failed;
	unsigned depth;       /* nested unary operators and parentheses */
};

/* Deeper than this is refused, not recursed into (a lab file's expression is untrusted
 * text: 100,000 '(' would overflow the stack). */
#define MAX_DEPTH 64

static int64_t parse_or(struct parser *ps);

static int64_t fail(struct parser *ps, const char *fmt, const char *arg)
{
	if (!ps->failed) {
		char msg[160];

		snprintf(msg, sizeof(msg), fmt, arg);
		snprintf(ps->err, ps->errlen, "%s at column %d of \"%s\"", msg,
			 (int)(ps->p - ps->src) + 1, ps->src);
		ps->failed = true;
	}
	return 0;
}

static void blank(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool eat(struct parser *ps, const char *op)
{
	size_t n = strlen(op);

	blank(ps);
	if (strncmp(ps->p, op, n) != 0)
		return false;
	/* "<" must not take the first char of "<=", nor "!" of "!=" */
	if (n == 1 && (op[0] == '<' || op[0] == '>' || op[0] == '!') && ps->p[1] == '=')
		return false;
	ps->p += n;
	return true;
}

static int64_t number(struct parser *ps)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (ps->p[0] == '0' && (ps->p[1] == 'x' || ps->p[1] == 'X') && isxdigit((unsigned char)ps->p[2])) {
		base = 16;
		ps->p += 2;
	}
	while (isalnum((unsigned char)*ps->p)) {
		int c = tolower((unsigned char)*ps->p);
		unsigned d = isdigit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);

		if (!isxdigit(c) || d >= base)
			return fail(ps, "bad digit '%.1s'", ps->p);
		if (v > (UINT64_MAX - d) / base || v * base + d > (uint64_t)INT64_MAX)
			return fail(ps, "number too large%s", "");
		v = v * base + d;
		ps->p++;
	}
	return (int64_t)v;
}

static int64_t name(struct parser *ps)
{
	const char *start = ps->p;
	size_t n;

	while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
		ps->p++;
	n = (size_t)(ps->p - start);
	if (ps->checking) {
		for (size_t i = 0; i < ps->nnames; i++)
			if (strlen(ps->names[i]) == n && strncmp(ps->names[i], start, n) == 0)
				return 1;
	} else {
		for (size_t i = 0; i < ps->nvars; i++)
			if (strlen(ps->vars[i].name) == n && strncmp(ps->vars[i].name, start, n) == 0)
				return ps->vars[i].value;
	}
	ps->p = start;
	{
		char nm[64];

		snprintf(nm, sizeof(nm), "%.*s", (int)(n < 63 ? n : 63), start);
		return fail(ps, "unknown name '%s'", nm);
	}
}

static int64_t primary(struct parser *ps)
{
	int64_t v;

	blank(ps);
	if (isdigit((unsigned char)*ps->p))
		return number(ps);
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_')
		return name(ps);
	if (eat(ps, "(")) {
		v = parse_or(ps);
		if (!eat(ps, ")"))
			return fail(ps, "expected ')'%s", "");
		return v;
	}
	return fail(ps, *ps->p ? "unexpected '%.1s'" : "unexpected end%s", ps->p);
}

static int64_t unary_op(struct parser *ps);

/* Every level of nesting passes here: '(' through primary and parse_or, '-' '!' '+' directly. */
static int64_t unary(struct parser *ps)
{
	int64_t v;

	if (ps->failed)
		return 0;
	if (ps->depth >= MAX_DEPTH)
		return fail(ps, "nested more than %s levels deep", "64");
	ps->depth++;
	v = unary_op(ps);
	ps->depth--;
	return v;
}

static int64_t unary_op(struct parser *ps)
{
	if (eat(ps, "-"))
		return (int64_t)(0 - (uint64_t)unary(ps));
	if (eat(ps, "+"))
		return unary(ps);
	if (eat(ps, "!"))
		return !unary(ps);
	return primary(ps);
}

static int64_t mul(struct parser *ps)
{
	int64_t v = unary(ps);

	for (;;) {
		char op = eat(ps, "*") ? '*' : eat(ps, "/") ? '/' : eat(ps, "%") ? '%' : 0;
		int64_t r;

		if (!op || ps->failed)
			return v;
		r = unary(ps);
		if (op == '*') {
			v = (int64_t)((uint64_t)v * (uint64_t)r);
			continue;
		}
		if (ps->checking || ps->skip) {
			v = 0;
			continue;
		}
		if (r == 0)
			return fail(ps, "division by zero%s", "");
		if (v == INT64_MIN && r == -1)
			return fail(ps, "overflow%s", "");
		v = op == '/' ? v / r : v % r;
	}
}

static int64_t add(struct parser *ps)
{
	int64_t v = mul(ps);

	for (;;) {
		if (eat(ps, "+"))
			v = (int64_t)((uint64_t)v + (uint64_t)mul(ps));
		else if (eat(ps, "-"))
			v = (int64_t)((uint64_t)v - (uint64_t)mul(ps));
		else
			return v;
	}
}

static int64_t rel(struct parser *ps)
{
	int64_t v = add(ps);

	for (;;) {
		if (eat(ps, "<="))
			v = v <= add(ps);
		else if (eat(ps, ">="))
			v = v >= add(ps);
		else if (eat(ps, "<"))
			v = v < add(ps);
		else if (eat(ps, ">"))
			v = v > add(ps);
		else
			return v;
	}
}

static int64_t eq(struct parser *ps)
{
	int64_t v = rel(ps);

	for (;;) {
		if (eat(ps, "=="))
			v = v == rel(ps);
		else if (eat(ps, "!="))
			v = v != rel(ps);
		else
			return v;
	}
}

static int64_t parse_and(struct parser *ps)
{
	int64_t v = eq(ps);

	while (eat(ps, "&&")) {
		int64_t r;

		ps->skip += !v;
		r = eq(ps);
		ps->skip -= !v;
		v = v && r;
	}
	return v;
}

static int64_t parse_or(struct parser *ps)
{
	int64_t v = parse_and(ps);

	while (eat(ps, "||")) {
		int64_t r;

		ps->skip += !!v;
		r = parse_and(ps);
		ps->skip -= !!v;
		v = v || r;
	}
	return v;
}

static int run(struct parser *ps, int64_t *value)
{
	int64_t v = parse_or(ps);

	blank(ps);
	if (!ps->failed && *ps->p)
		fail(ps, "unexpected '%.1s'", ps->p);
	if (ps->failed)
		return -EINVAL;
	if (value)
		*value = v;
	return 0;
}

int lab_expr_eval(const char *src, const struct lab_expr_var *vars, size_t nvars,
		  int64_t *value, char *err, size_t errlen)
{
	struct parser ps = {
		.src = src, .p = src, .vars = vars, .nvars = nvars, .err = err, .errlen = errlen,
	};

	return run(&ps, value);
}

int lab_expr_check(const char *src, char *const *names, size_t nnames, char *err, size_t errlen)
{
	struct parser ps = {
		.src = src, .p = src, .names = names, .nnames = nnames, .checking = true,
		.err = err, .errlen = errlen,
	};

	return run(&ps, NULL);
}
