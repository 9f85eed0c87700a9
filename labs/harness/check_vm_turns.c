/* check_vm_turns.c - program labs: the order of the program's KVM_RUN calls over its VMs
 * (the Matrix, part 2a: one thread, the VMs take turns, one exit each; a KVM_RUN that a
 * signal interrupted, such as the grader's at the end of the run, may be run again). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	const struct lab_vm_turns_spec *t = c->vm_turns;

	(void)lab;
	if (!t->alternate && !t->one_thread && !t->min_runs && !t->min_switches)
		return lab_diag_check(d, "vm_turns", "give alternate, one_thread, min_runs or "
				      "min_switches");
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_vm_turns_spec *t = c->vm_turns;
	const struct lab_obs *o = run->obs;
	struct labbuf exp = { 0 };
	uint64_t switches = 0;
	size_t same_at = 0, other_tid = 0;
	bool same = false;

	if (!o)
		return lab_result_set(r, false, NULL, NULL, strdup("nothing was observed"));
	for (size_t i = 1; i < o->n; i++) {
		if (!other_tid && o->exits[i].tid != o->exits[0].tid)
			other_tid = i;
		if (o->exits[i].vm != o->exits[i - 1].vm)
			switches++;
		else if (o->exits[i - 1].type == VMM_EXIT_INTR)
			;   /* a signal cut that KVM_RUN short (EINTR): no guest exit, run it again */
		else if (!same) {
			same = true;
			same_at = i;
		}
	}
	if (t->alternate)
		labbuf_puts(&exp, "every KVM_RUN on the other VM than the one before");
	if (t->one_thread)
		labbuf_printf(&exp, "%severy KVM_RUN from one thread", exp.len ? "; " : "");
	if (t->min_runs)
		labbuf_printf(&exp, "%sat least %llu KVM_RUN calls", exp.len ? "; " : "",
			      (unsigned long long)*t->min_runs);
	if (t->min_switches)
		labbuf_printf(&exp, "%sat least %llu switches between VMs", exp.len ? "; " : "",
			      (unsigned long long)*t->min_switches);
	if (o->nvms < 2)
		return lab_result_set(r, false, labbuf_take(&exp),
				      lab_strdupf("%u VM%s", o->nvms, o->nvms == 1 ? "" : "s"),
				      lab_strdupf("the program ran %u VM%s; the Matrix has two",
						  o->nvms, o->nvms == 1 ? "" : "s"));
	if (t->one_thread && other_tid)
		return lab_result_set(r, false, labbuf_take(&exp),
				      lab_strdupf("KVM_RUN from threads %u and %u",
						  o->exits[0].tid, o->exits[other_tid].tid),
				      lab_strdupf("KVM_RUN call %zu came from thread %u, the first from "
						  "thread %u: the VMs must run in one thread",
						  other_tid + 1, o->exits[other_tid].tid,
						  o->exits[0].tid));
	if (t->min_runs && o->n < *t->min_runs)
		return lab_result_set(r, false, labbuf_take(&exp),
				      lab_strdupf("%zu KVM_RUN calls", o->n),
				      lab_strdupf("only %zu KVM_RUN calls were observed", o->n));
	if (t->min_switches && switches < *t->min_switches)
		return lab_result_set(r, false, labbuf_take(&exp),
				      lab_strdupf("%llu switches", (unsigned long long)switches),
				      lab_strdupf("the VMs switched only %llu times",
						  (unsigned long long)switches));
	if (t->alternate && same)
		return lab_result_set(r, false, labbuf_take(&exp),
				      lab_strdupf("KVM_RUN %zu and %zu both on VM %u", same_at,
						  same_at + 1, o->exits[same_at].vm),
				      lab_strdupf("KVM_RUN calls %zu and %zu ran the same VM (%u): "
						  "the VMs must take turns on every exit",
						  same_at, same_at + 1, o->exits[same_at].vm));
	return lab_result_set(r, true, labbuf_take(&exp),
			      lab_strdupf("%zu KVM_RUN calls, %llu switches", o->n,
					  (unsigned long long)switches), NULL);
}

const struct lab_check_ops lab_check_vm_turns_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
