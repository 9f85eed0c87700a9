/* check_output.c - the guest's console and hypercall output: exact, substring, regex, captures. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "expr.h"
#include "labbuf.h"
#include "labdiag.h"

#define SHOW_MAX 2000   /* bytes of output shown in a result */
#define MAX_NAMES 9

/* Values of the run an expression may use beside the captures: what the grader observed. */
static const char *const run_names[] = {
	"hva_base", "io_in", "io_out", "exits", "now", "start", "end", "tsc_start", "tsc_end",
	"clock_start", "clock_end",
};
#define NRUN (sizeof(run_names) / sizeof(*run_names))

static int64_t run_value(const struct lab_run *run, unsigned i)
{
	const uint64_t v[] = {
		run->hva_base, run->exits[VMM_EXIT_IO_IN], run->exits[VMM_EXIT_IO_OUT],
		run->total_exits, (uint64_t)time(NULL) /* when the check is evaluated */,
		run->start, run->end, run->tsc_start, run->tsc_end, run->clock_start, run->clock_end,
	};

	return i < sizeof(v) / sizeof(*v) ? (int64_t)v[i] : 0;
}

/* Labs with handlers: NAME_K_in and NAME_K_out, the IO in and IO out exits KVM had reported
 * when hypercall NAME came the K-th time (K up to VMM_HC_SEEN), counted by the grader. */
#define NSEEN (VMM_HC__COUNT * VMM_HC_SEEN * 2)

static void seen_name(unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%u_%s", vmm_hc_name((enum vmm_hc_id)(i / (VMM_HC_SEEN * 2))),
		 i / 2 % VMM_HC_SEEN + 1, i % 2 ? "out" : "in");
}

static int64_t seen_value(const struct lab_run *run, unsigned i)
{
	return (int64_t)run->hc_seen[i / (VMM_HC_SEEN * 2)][i / 2 % VMM_HC_SEEN][i % 2];
}

#define OBS_K_MAX 8  /* observed names go up to the 8th call of a hypercall */

/* name appears in expr as a whole word */
static bool mentions(const char *expr, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(expr, name); p; p = strstr(p + 1, name)) {
		bool before = p > expr && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = isalnum((unsigned char)p[n]) || p[n] == '_';

		if (!before && !after)
			return true;
	}
	return false;
}

/* The value of an observed name: 0, or -ENOENT when the call was not seen. */
static int obs_value(const struct lab_obs_name *on, const struct lab_run *run, int64_t *v)
{
	const struct lab_obs *o = run->obs;
	int port = run->abi_port[on->abi];
	uint64_t all = 0, in = 0, out = 0;
	unsigned seen = 0;
	uint32_t vm;

	if (!o || port < 0 || o->n == 0)
		return -ENOENT;
	vm = o->exits[0].vm;
	for (size_t i = 0; i < o->n; i++) {
		const struct lab_obs_exit *x = &o->exits[i];

		if (x->vm != vm)
			continue;
		all++;
		in += x->type == VMM_EXIT_IO_IN;
		out += x->type == VMM_EXIT_IO_OUT;
		if ((x->type == VMM_EXIT_IO_IN || x->type == VMM_EXIT_IO_OUT) && x->port == port &&
		    ++seen == on->k) {
			*v = (int64_t)(on->field == 0 ? all : on->field == 1 ? in : out);
			return 0;
		}
	}
	return -ENOENT;
}

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_output_spec *o = c->output;
	int given = !!o->equals + !!o->contains + !!o->regex, rc;
	char msg[256];

	if (given != 1)
		return lab_diag_check(d, "output", "give exactly one of equals, contains, regex");
	if ((o->names_count > 0) != (o->expect != NULL))
		return lab_diag_check(d, o->expect ? "output.expect" : "output.names",
				      "names and expect go together");
	if ((o->names_count || o->expect) && !o->regex)
		return lab_diag_check(d, "output", "names and expect need a regex");
	if (!o->regex)
		return 0;
	rc = regcomp(&o->re, o->regex, REG_EXTENDED | REG_NEWLINE);
	if (rc != 0) {
		regerror(rc, &o->re, msg, sizeof(msg));
		return lab_diag_check(d, "output.regex", "bad regex \"%s\": %s", o->regex, msg);
	}
	o->compiled = true;
	if (o->names_count > MAX_NAMES || o->names_count > o->re.re_nsub)
		return lab_diag_check(d, "output.names", "%u names for a regex with %zu groups",
				      o->names_count, o->re.re_nsub);
	for (unsigned i = 0; i < o->names_count; i++) {
		const char *n = o->names[i];
		bool ok = isalpha((unsigned char)n[0]) || n[0] == '_';

		for (const char *p = n; *p; p++)
			ok = ok && (isalnum((unsigned char)*p) || *p == '_');
		if (!ok)
			return lab_diag_check(d, "output.names", "'%s' is not a name", n);
		for (unsigned j = 0; j < i; j++)
			if (strcmp(o->names[j], n) == 0)
				return lab_diag_check(d, "output.names", "name '%s' given twice", n);
	}
	if (o->expect) {
		/* the captures plus the run's own values, and in program labs the observed calls */
		const struct lab_program_abi *abi = lab->program ? lab->program->abi : NULL;
		unsigned nabi = abi ? (abi->names_count < LAB_ABI_MAX ? abi->names_count :
				       LAB_ABI_MAX) : 0;
		size_t cap = MAX_NAMES + NRUN + NSEEN + (size_t)nabi * OBS_K_MAX * 3, n = 0;
		char seen[NSEEN][48];
		struct lab_obs_name *cand = calloc(cap, sizeof(*cand));
		char **all = calloc(cap, sizeof(*all));
		int ret = 0;

		if (!cand || !all) {
			free(cand);
			free(all);
			return -ENOMEM;
		}
		for (unsigned i = 0; i < o->names_count; i++)
			all[n++] = o->names[i];
		for (unsigned i = 0; i < NRUN; i++)
			all[n++] = (char *)run_names[i];
		for (unsigned i = 0; lab->handlers && i < NSEEN; i++) {
			seen_name(i, seen[i], sizeof(seen[i]));
			all[n++] = seen[i];
		}
		for (unsigned a = 0; a < nabi; a++)
			for (unsigned k = 1; k <= OBS_K_MAX; k++)
				for (int f = 0; f < 3; f++) {
					struct lab_obs_name *on = &cand[o->nobs];

					snprintf(on->name, sizeof(on->name), "%.48s_%u%s", abi->names[a],
						 k, f == 0 ? "" : f == 1 ? "_in" : "_out");
					on->abi = (int)a;
					on->k = k;
					on->field = f;
					all[n++] = on->name;
					o->nobs++;
				}
		if (lab_expr_check(o->expect, all, n, msg, sizeof(msg)) < 0)
			ret = lab_diag_check(d, "output.expect", "%s", msg);
		/* keep only the observed names the expression uses */
		o->obs = cand;
		n = 0;
		for (unsigned i = 0; i < o->nobs; i++)
			if (mentions(o->expect, cand[i].name))
				cand[n++] = cand[i];
		o->nobs = (unsigned)n;
		free(all);
		return ret;
	}
	return 0;
}

static void release(struct lab_check *c)
{
	if (c->output) {
		free(c->output->obs);
		c->output->obs = NULL;
		c->output->nobs = 0;
	}
	if (c->output && c->output->compiled) {
		regfree(&c->output->re);
		c->output->compiled = false;
	}
}

static char *quote(const char *s, size_t n)
{
	struct labbuf b = { 0 };

	labbuf_quote(&b, s, n, SHOW_MAX);
	return labbuf_take(&b);
}

static char *first_difference(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, line = 1, col = 1;

	while (i < na && i < nb && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i++;
	}
	if (i == nb)
		return lab_strdupf("the output has %zu extra bytes after the expected text", na - i);
	if (i == na)
		return lab_strdupf("the output stops at line %zu, column %zu, before the expected "
				   "text ends", line, col);
	return lab_strdupf("the output differs at line %zu, column %zu", line, col);
}

static int parse_capture(const char *s, size_t n, int64_t *v)
{
	char buf[32], *end;
	bool neg;
	unsigned long long u;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	neg = buf[0] == '-';
	if (!isdigit((unsigned char)buf[neg]))
		return -EINVAL;
	errno = 0;
	u = strtoull(buf + neg, &end, buf[neg] == '0' && (buf[neg + 1] | 0x20) == 'x' ? 16 : 10);
	if (*end || errno || u > (unsigned long long)INT64_MAX)
		return -EINVAL;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

static int eval_captures(const struct lab_output_spec *o, const char *out, const regmatch_t *m,
			 const struct lab_run *run, struct lab_check_result *r)
{
	struct lab_expr_var vars[MAX_NAMES + NRUN + NSEEN + 64];
	char names[NSEEN][48];
	size_t nv;
	struct labbuf act = { 0 };
	char msg[256];
	int64_t v;

	for (unsigned i = 0; i < o->names_count; i++) {
		const regmatch_t *g = &m[i + 1];

		if (g->rm_so < 0)
			return lab_result_set(r, false, strdup(o->expect), NULL,
					      lab_strdupf("capture '%s' is not in the match",
							  o->names[i]));
		if (parse_capture(out + g->rm_so, (size_t)(g->rm_eo - g->rm_so), &v) < 0)
			return lab_result_set(r, false, strdup(o->expect),
					      quote(out + g->rm_so, (size_t)(g->rm_eo - g->rm_so)),
					      lab_strdupf("capture '%s' is not an integer",
							  o->names[i]));
		vars[i] = (struct lab_expr_var){ .name = o->names[i], .value = v };
		labbuf_printf(&act, "%s%s = %lld", i ? ", " : "", o->names[i], (long long)v);
	}
	for (unsigned i = 0; i < NRUN; i++) {
		vars[o->names_count + i] = (struct lab_expr_var){ .name = run_names[i],
								  .value = run_value(run, i) };
		if (strstr(o->expect, run_names[i]))
			labbuf_printf(&act, i ? ", %s = %lld" : ", %s = 0x%llx", run_names[i],
				      (long long)run_value(run, i));
	}
	nv = o->names_count + NRUN;
	for (unsigned i = 0; !run->obs && i < NSEEN; i++) {   /* labs with handlers (programs:
							    * the observed names above) */
		seen_name(i, names[i], sizeof(names[i]));
		vars[nv++] = (struct lab_expr_var){ .name = names[i], .value = seen_value(run, i) };
		if (mentions(o->expect, names[i]))
			labbuf_printf(&act, ", %s = %lld", names[i], (long long)seen_value(run, i));
	}
	for (unsigned i = 0; i < o->nobs && nv < sizeof(vars) / sizeof(vars[0]); i++) {
		const struct lab_obs_name *on = &o->obs[i];

		if (obs_value(on, run, &v) < 0) {
			labbuf_release(&act);
			return lab_result_set(r, false, strdup(o->expect), NULL,
					      lab_strdupf("%s: the guest made fewer than %u exits on "
							  "that hypercall's port", on->name, on->k));
		}
		vars[nv++] = (struct lab_expr_var){ .name = on->name, .value = v };
		labbuf_printf(&act, ", %s = %lld (observed)", on->name, (long long)v);
	}
	if (lab_expr_eval(o->expect, vars, nv, &v, msg, sizeof(msg)) < 0)
		return lab_result_set(r, false, strdup(o->expect), labbuf_take(&act),
				      lab_strdupf("cannot evaluate: %s", msg));
	return lab_result_set(r, v != 0, strdup(o->expect), labbuf_take(&act),
			      lab_strdupf("'%s' is false for the values printed", o->expect));
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_output_spec *o = c->output;
	const char *out = run->output ? run->output : "";
	size_t n = run->output ? run->output_len : 0;
	regmatch_t m[MAX_NAMES + 1];
	struct labbuf exp = { 0 };

	if (o->equals) {
		size_t ne = strlen(o->equals);
		bool ok = ne == n && memcmp(out, o->equals, n) == 0;

		return lab_result_set(r, ok, quote(o->equals, ne), quote(out, n),
				      ok ? NULL : first_difference(out, n, o->equals, ne));
	}
	if (o->contains) {
		size_t ne = strlen(o->contains);
		bool ok = memmem(out, n, o->contains, ne) != NULL;

		labbuf_puts(&exp, "output containing ");
		labbuf_quote(&exp, o->contains, ne, SHOW_MAX);
		return lab_result_set(r, ok, labbuf_take(&exp), quote(out, n),
				      strdup("the text is not in the output"));
	}
	if (regexec(&o->re, out, MAX_NAMES + 1, m, 0) != 0)
		return lab_result_set(r, false, lab_strdupf("output matching /%s/", o->regex),
				      quote(out, n), strdup("no part of the output matches"));
	if (!o->expect)
		return lab_result_set(r, true, lab_strdupf("output matching /%s/", o->regex),
				      quote(out + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so)),
				      NULL);
	return eval_captures(o, out, m, run, r);
}

const struct lab_check_ops lab_check_output_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
	.release = release,
};
