/* check_instructions.c - bounds on the number of instructions the traced run retired. */
#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	const struct lab_instructions_spec *s = c->instructions;

	(void)lab;
	if (!s->min && !s->max)
		return lab_diag_check(d, "instructions", "give min, max or both");
	if (s->min && s->max && *s->min > *s->max)
		return lab_diag_check(d, "instructions.min", "min %llu is above max %llu",
				      (unsigned long long)*s->min, (unsigned long long)*s->max);
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_instructions_spec *s = c->instructions;
	unsigned long long n = run->instructions;
	bool low = s->min && n < *s->min, high = s->max && n > *s->max;
	char *want;

	if (s->min && s->max)
		want = lab_strdupf("%llu to %llu instructions", (unsigned long long)*s->min,
				   (unsigned long long)*s->max);
	else if (s->min)
		want = lab_strdupf("at least %llu instructions", (unsigned long long)*s->min);
	else
		want = lab_strdupf("at most %llu instructions", (unsigned long long)*s->max);
	return lab_result_set(r, !low && !high, want, lab_strdupf("%llu instructions", n),
			      lab_strdupf("the guest ran %llu instructions, too %s", n,
					  low ? "few" : "many"));
}

const struct lab_check_ops lab_check_instructions_ops = {
	.needs_trace = true,
	.prepare = prepare,
	.evaluate = evaluate,
};
