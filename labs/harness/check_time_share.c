/* check_time_share.c - program labs: one VM's share of the time the program's VMs spent in
 * KVM_RUN, measured from outside (the Matrix, part 2b: 70/30 with FRAC_A = 7, FRAC_B = 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	const struct lab_time_share_spec *t = c->time_share;

	(void)lab;
	if (t->vm == 0 || t->vm > LAB_OBS_MAX_VMS)
		return lab_diag_check(d, "time_share.vm", "vm is 1 to %d", LAB_OBS_MAX_VMS);
	if (t->percent > 100 || t->tolerance > 100)
		return lab_diag_check(d, "time_share", "percent and tolerance are 0 to 100");
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_time_share_spec *t = c->time_share;
	const struct lab_obs *o = run->obs;
	uint64_t total = 0;
	double share, lo, hi;
	char *exp;

	if (!o)
		return lab_result_set(r, false, NULL, NULL, strdup("nothing was observed"));
	for (unsigned i = 0; i < o->nvms && i < LAB_OBS_MAX_VMS; i++)
		total += o->vm_ns[i];
	lo = (double)t->percent - (double)t->tolerance;
	hi = (double)t->percent + (double)t->tolerance;
	exp = lab_strdupf("VM %llu in KVM_RUN %llu%% of the VMs' time (%.0f%% to %.0f%%)",
			  (unsigned long long)t->vm, (unsigned long long)t->percent,
			  lo < 0 ? 0 : lo, hi > 100 ? 100 : hi);
	if (t->vm > o->nvms || total == 0)
		return lab_result_set(r, false, exp, lab_strdupf("%u VMs ran", o->nvms),
				      lab_strdupf("the program ran %u VM%s, and VM %llu never ran",
						  o->nvms, o->nvms == 1 ? "" : "s",
						  (unsigned long long)t->vm));
	share = 100.0 * (double)o->vm_ns[t->vm - 1] / (double)total;
	return lab_result_set(r, share >= lo && share <= hi, exp,
			      lab_strdupf("VM %llu: %.1f%% (%.3f s of %.3f s over %llu KVM_RUN calls)",
					  (unsigned long long)t->vm, share,
					  (double)o->vm_ns[t->vm - 1] / 1e9, (double)total / 1e9,
					  (unsigned long long)o->vm_runs[t->vm - 1]),
			      lab_strdupf("VM %llu had %.1f%% of the time, outside %.0f%% +- %llu",
					  (unsigned long long)t->vm, share, (double)t->percent,
					  (unsigned long long)t->tolerance));
}

const struct lab_check_ops lab_check_time_share_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
