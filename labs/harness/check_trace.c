/* check_trace.c - the run's trace matches the reference solution's, step for step. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tracediff.h"
#include "labbuf.h"
#include "labdiag.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_trace_spec *t = c->trace_matches;

	/* a file of the lab's own folder, as every path a lab names; a missing one is the
	 * lab's error, said when it loads, not a failed check in every student's report */
	if (!lab_path_inside(t->reference))
		return lab_diag_check(d, "trace_matches.reference", "reference '%s' must be a "
				      "relative path inside the lab folder", t->reference);
	t->reference_path = lab_path_join(lab->dir, t->reference);
	if (!t->reference_path)
		return -ENOMEM;
	if (access(t->reference_path, R_OK) != 0)
		return lab_diag_check(d, "trace_matches.reference", "reference trace '%s' not "
				      "found in the lab folder %s: %s (write it with kvmlab trace "
				      "--format jsonl -o %s on the reference solution's guest)",
				      t->reference, lab->dir, strerror(errno), t->reference);
	return 0;
}

static void release(struct lab_check *c)
{
	if (c->trace_matches) {
		free(c->trace_matches->reference_path);
		c->trace_matches->reference_path = NULL;
	}
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_trace_spec *t = c->trace_matches;
	char msg[1024] = "";
	int ret;

	if (!run->trace_path)
		return lab_result_set(r, false, NULL, NULL, strdup("the run wrote no trace"));
	/* A = the submission's trace, B = the reference's (the same comparison as kvmlab diff). */
	ret = trace_diff(run->trace_path, t->reference_path, msg, sizeof(msg));
	if (ret < 0)
		return lab_result_set(r, false, NULL, NULL,
				      lab_strdupf("cannot compare traces: %s", msg[0] ? msg :
						  strerror(-ret)));
	return lab_result_set(r, ret == 0, strdup("the reference solution's steps"), NULL,
			      strdup(msg));
}

const struct lab_check_ops lab_check_trace_ops = {
	.needs_trace = true,
	.prepare = prepare,
	.evaluate = evaluate,
	.release = release,
};
