/* check_time_share.c - program labs: one VM's share of the time the program's VMs spent in
 * KVM_RUN, measured from outside turn by turn (the Matrix, part 2b: 70/30 with FRAC_A = 7,
 * FRAC_B = 3). */
#include <errno.h>
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The typical time of one turn of each VM: the median, over its complete turns (a turn:
 * consecutive KVM_RUN calls on the same VM; the first and last turns of the run are cut
 * short and left out), of the time in KVM_RUN during the turn.  A lost or late timer tick
 * makes one turn longer; the median does not follow it.  0, or -ENODATA when a VM has no
 * complete turn, -ENOMEM.
 */
static int turn_medians(const struct lab_obs *o, unsigned nvms, uint64_t *med, unsigned *turns)
{
	uint64_t *t[LAB_OBS_MAX_VMS] = { 0 };
	size_t n[LAB_OBS_MAX_VMS] = { 0 }, first_end = 0, i = 0;
	int ret = 0;

	while (first_end < o->n && o->exits[first_end].vm == o->exits[0].vm)
		first_end++;
	for (unsigned v = 0; v < nvms; v++) {
		t[v] = calloc(o->n + 1, sizeof(uint64_t));
		if (!t[v])
			ret = -ENOMEM;
	}
	for (i = first_end; ret == 0 && i < o->n;) {
		uint32_t vm = o->exits[i].vm;
		uint64_t ns = 0;
		size_t j = i;

		while (j < o->n && o->exits[j].vm == vm)
			ns += o->exits[j++].ns;
		if (j < o->n && vm >= 1 && vm <= nvms)   /* the last turn is cut short */
			t[vm - 1][n[vm - 1]++] = ns;
		i = j;
	}
	for (unsigned v = 0; ret == 0 && v < nvms; v++) {
		if (!n[v]) {
			ret = -ENODATA;
			break;
		}
		qsort(t[v], n[v], sizeof(uint64_t), cmp_u64);
		med[v] = t[v][n[v] / 2];
		turns[v] = (unsigned)n[v];
	}
	for (unsigned v = 0; v < nvms; v++)
		free(t[v]);
	return ret;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_time_share_spec *t = c->time_share;
	const struct lab_obs *o = run->obs;
	uint64_t med[LAB_OBS_MAX_VMS] = { 0 }, total = 0;
	unsigned turns[LAB_OBS_MAX_VMS] = { 0 }, nvms;
	double share, lo, hi;
	char *exp;
	int ret;

	if (!o)
		return lab_result_set(r, false, NULL, NULL, strdup("nothing was observed"));
	nvms = o->nvms < LAB_OBS_MAX_VMS ? o->nvms : LAB_OBS_MAX_VMS;
	lo = (double)t->percent - (double)t->tolerance;
	hi = (double)t->percent + (double)t->tolerance;
	exp = lab_strdupf("VM %llu's turns take %llu%% of a round of turns (%.0f%% to %.0f%%)",
			  (unsigned long long)t->vm, (unsigned long long)t->percent,
			  lo < 0 ? 0 : lo, hi > 100 ? 100 : hi);
	if (t->vm > nvms)
		return lab_result_set(r, false, exp, lab_strdupf("%u VMs ran", o->nvms),
				      lab_strdupf("the program ran %u VM%s, and VM %llu never ran",
						  o->nvms, o->nvms == 1 ? "" : "s",
						  (unsigned long long)t->vm));
	ret = turn_medians(o, nvms, med, turns);
	if (ret == -ENOMEM) {
		free(exp);
		return ret;
	}
	if (ret < 0)
		return lab_result_set(r, false, exp, strdup("no complete turn of every VM"),
				      strdup("the VMs did not take turns (every VM needs a whole "
					     "turn between two of another's)"));
	for (unsigned v = 0; v < nvms; v++)
		total += med[v];
	share = total ? 100.0 * (double)med[t->vm - 1] / (double)total : 0;
	return lab_result_set(r, share >= lo && share <= hi, exp,
			      lab_strdupf("VM %llu: %.1f%% (a turn of VM %llu takes %.1f ms in "
					  "KVM_RUN, median of %u; all VMs' turns %.1f ms)",
					  (unsigned long long)t->vm, share,
					  (unsigned long long)t->vm, (double)med[t->vm - 1] / 1e6,
					  turns[t->vm - 1], (double)total / 1e6),
			      lab_strdupf("VM %llu had %.1f%% of the time, outside %.0f%% +- %llu",
					  (unsigned long long)t->vm, share, (double)t->percent,
					  (unsigned long long)t->tolerance));
}

const struct lab_check_ops lab_check_time_share_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
