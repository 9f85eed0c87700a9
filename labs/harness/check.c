/* check.c - the check-kind table and evaluation in dependency order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "check.h"
#include "labbuf.h"

#define OPS_ENTRY(kind, key, member, ops, shape, schema) [LAB_CHECK_##kind] = &ops,
const struct lab_check_ops *const lab_check_ops[LAB_CHECK__COUNT] = { LAB_CHECK_KINDS(OPS_ENTRY) };
#undef OPS_ENTRY

bool lab_range_ok(uint64_t n, const uint64_t *min, const uint64_t *max, const uint64_t *equals)
{
	return (!equals || n == *equals) && (!min || n >= *min) && (!max || n <= *max);
}

char *lab_range_text(const uint64_t *min, const uint64_t *max, const uint64_t *equals,
		     const char *what)
{
	if (equals)
		return lab_strdupf("%llu %s", (unsigned long long)*equals, what);
	if (min && max)
		return lab_strdupf("%llu to %llu %s", (unsigned long long)*min,
				   (unsigned long long)*max, what);
	if (min)
		return lab_strdupf("at least %llu %s", (unsigned long long)*min, what);
	return lab_strdupf("at most %llu %s", (unsigned long long)(max ? *max : 0), what);
}

const char *lab_status_name(enum lab_status s)
{
	switch (s) {
	case LAB_PASS: return "PASS";
	case LAB_FAIL: return "FAIL";
	case LAB_SKIP: return "SKIP";
	}
	return "?";
}

int lab_result_set(struct lab_check_result *r, bool passed, char *expected, char *actual,
		   char *message)
{
	free(r->expected);
	free(r->actual);
	free(r->message);
	r->status = passed ? LAB_PASS : LAB_FAIL;
	r->expected = expected;
	r->actual = actual;
	r->message = passed ? NULL : message;
	if (passed)
		free(message);
	return 0;
}

void lab_check_result_fini(struct lab_check_result *r)
{
	free(r->expected);
	free(r->actual);
	free(r->message);
	free(r->cause);
	r->expected = r->actual = r->message = r->cause = NULL;
}

void lab_check_results_free(struct lab_check_result *res, size_t n)
{
	for (size_t i = 0; res && i < n; i++)
		lab_check_result_fini(&res[i]);
	free(res);
}

const struct lab_run *lab_check_run_of(const struct lab_check *c, const struct lab_run *run)
{
	/* a program lab: the parent run holds one run per program.runs entry */
	if (run && !run->error[0] && run->nruns && c->run_index >= 0 &&
	    (size_t)c->run_index < run->nruns)
		run = &run->runs[c->run_index];
	if (run && c->run == LAB_RUN_REFERENCE_HANDLERS)
		return run->reference;
	if (run && c->run == LAB_RUN_GRADER_GUEST)
		return run->grader;
	return run;
}

int lab_check_evaluate(const struct lab_check *c, const struct lab_run *run,
		       struct lab_check_result *r)
{
	const struct lab_check_ops *ops = (unsigned)c->kind < LAB_CHECK__COUNT ?
					  lab_check_ops[c->kind] : NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	r->check = c;
	r->max_score = c->points;
	r->status = LAB_FAIL;
	if (!ops || !ops->evaluate) {
		r->message = strdup("unknown check kind");
		return -EINVAL;
	}
	if (run && c->run != LAB_RUN_SUBMISSION && !run->error[0] && !lab_check_run_of(c, run)) {
		r->message = strdup(c->run == LAB_RUN_REFERENCE_HANDLERS ?
				    "not run: the guest was not run with the reference handlers"
				    : "not run: the grader's own guest was not run");
		return 0;
	}
	if (run)   /* a run that failed: its error says why the others did not run either */
		run = lab_check_run_of(c, run) ? lab_check_run_of(c, run) : run;
	if (!run || run->error[0]) {
		r->message = lab_strdupf("not run%s: %s", c->run == LAB_RUN_REFERENCE_HANDLERS ?
					 " with the reference handlers" : c->run == LAB_RUN_GRADER_GUEST ?
					 " (the grader's own guest)" : "", run ? run->error : "no run");
		return 0;
	}
	if (ops->needs_trace && !run->traced) {
		r->message = strdup("not checked: the run was not traced");
		return 0;
	}
	if (c->timeout_ms && !ops->own_timeout && run->elapsed_ns > *c->timeout_ms * 1000000u) {
		r->expected = lab_strdupf("the run within %llu ms", (unsigned long long)*c->timeout_ms);
		r->actual = lab_strdupf("%llu ms", (unsigned long long)(run->elapsed_ns / 1000000u));
		r->message = lab_strdupf("the run took %llu ms; this check allows %llu ms (timeout_ms)",
					 (unsigned long long)(run->elapsed_ns / 1000000u),
					 (unsigned long long)*c->timeout_ms);
		return 0;
	}
	ret = ops->evaluate(c, run, r);
	if (ret < 0) {
		r->status = LAB_FAIL;
		if (!r->message)
			r->message = lab_strdupf("internal error: %s", strerror(-ret));
	}
	if (r->status == LAB_FAIL && run->stop_detail[0]) {   /* a run cut short says how */
		char *m = lab_strdupf("%s (%s)", r->message ? r->message : "failed",
				      run->stop_detail);

		if (m) {
			free(r->message);
			r->message = m;
		}
	}
	r->score = r->status == LAB_PASS ? c->points : r->lab_error || r->partial > c->points ? 0 :
		   r->partial;
	return ret;
}

/* Evaluate check i after its dependency; state: 0 new, 1 busy, 2 done. */
static int eval_one(const struct lab *lab, const struct lab_run *run,
		    struct lab_check_result *res, char *state, unsigned i)
{
	const struct lab_check *c = &lab->checks[i];
	int ret;

	if (state[i] == 2)
		return 0;
	if (state[i] == 1)
		return -ELOOP;  /* the loader rejects cycles; be safe anyway */
	state[i] = 1;
	if (c->dep >= 0 && !(run && run->error[0])) {   /* nothing ran: each check says why */
		ret = eval_one(lab, run, res, state, (unsigned)c->dep);
		if (ret < 0 && ret != -ELOOP)
			return ret;
		if (ret == -ELOOP || res[c->dep].status != LAB_PASS) {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].check = c;
			res[i].status = LAB_SKIP;
			res[i].max_score = c->points;
			res[i].message = lab_strdupf("depends on %s", c->depends_on);
			state[i] = 2;
			return res[i].message ? 0 : -ENOMEM;
		}
	}
	ret = lab_check_evaluate(c, run, &res[i]);
	state[i] = 2;
	return ret == -ENOMEM ? ret : 0;
}

int lab_checks_run(const struct lab *lab, const struct lab_run *run,
		   struct lab_check_result **out)
{
	unsigned n = lab->checks_count;
	struct lab_check_result *res = calloc(n ? n : 1, sizeof(*res));
	char *state = calloc(n ? n : 1, 1);
	int ret = 0;

	if (!res || !state) {
		ret = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < n && ret == 0; i++)
		ret = eval_one(lab, run, res, state, i);
	if (ret < 0)
		goto fail;
	for (unsigned i = 0; i < n; i++)   /* what went wrong in the run each failed check read */
		if (res[i].status == LAB_FAIL && run)
			res[i].cause = lab_causes_text(lab, lab_check_run_of(&lab->checks[i], run));
	free(state);
	*out = res;
	return 0;
fail:
	lab_check_results_free(res, n);
	free(state);
	return ret;
}
