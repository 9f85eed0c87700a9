/* check_exits.c - how many VM exits of one kind (or in total) the run made. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "check.h"
#include "exits.h"
#include "labbuf.h"
#include "labdiag.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_exits_spec *e = c->exits;
	struct labbuf names = { 0 };

	(void)lab;
	e->exit = -2;
	if (strcasecmp(e->type, "total") == 0)
		e->exit = -1;
	for (int k = 0; k < VMM_EXIT__COUNT && e->exit == -2; k++)
		if (strcasecmp(e->type, vmm_exit_name((enum vmm_exit)k)) == 0)
			e->exit = k;
	if (e->exit == -2) {
		char *list;
		int ret;

		for (int k = 0; k < VMM_EXIT__COUNT; k++)
			labbuf_printf(&names, "%s\"%s\"", k ? ", " : "",
				      vmm_exit_name((enum vmm_exit)k));
		list = labbuf_take(&names);
		ret = lab_diag_check(d, "exits.type", "unknown exit type '%s' (known: %s, \"total\")",
				     e->type, list ? list : "?");
		free(list);
		return ret;
	}
	if (!e->min && !e->max && !e->equals)
		return lab_diag_check(d, "exits", "give min, max or equals");
	if (e->equals && (e->min || e->max))
		return lab_diag_check(d, "exits.equals", "equals excludes min and max");
	if (e->min && e->max && *e->min > *e->max)
		return lab_diag_check(d, "exits.min", "min %llu is above max %llu",
				      (unsigned long long)*e->min, (unsigned long long)*e->max);
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_exits_spec *e = c->exits;
	uint64_t n = e->exit < 0 ? run->total_exits : run->exits[e->exit];
	char what[64];
	bool ok = true;

	snprintf(what, sizeof(what), "%s exits",
		 e->exit < 0 ? "" : vmm_exit_name((enum vmm_exit)e->exit));
	if (e->exit < 0)
		snprintf(what, sizeof(what), "exits in total");
	ok = lab_range_ok(n, e->min, e->max, e->equals);
	return lab_result_set(r, ok, lab_range_text(e->min, e->max, e->equals, what),
			      lab_strdupf("%llu %s", (unsigned long long)n, what),
			      lab_strdupf("the run made %llu %s", (unsigned long long)n, what));
}

const struct lab_check_ops lab_check_exits_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
