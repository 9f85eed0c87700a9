/* labexamples.c - the `tests:` block of a lab file: example submissions and the score and
 * failing checks each must get (`kvmlab lab test` grades them; labtest.c).
 *
 * A check gives all its points or none, so the failing checks decide the score: when the
 * file gives the score too, the two must agree (a typo in either is caught when the lab
 * loads); without it, the score is what the failing checks leave.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "labdiag.h"
#include "labfile.h"

static int check_example(struct lab *lab, struct lab_diag *d, unsigned i)
{
	struct lab_example *ex = &lab->tests[i];
	unsigned lost = 0;
	char path[64];
	const struct lab_loc *l;

	snprintf(path, sizeof(path), "tests.%u", i);
	l = lab_locs_get(d->locs, path);
	ex->line = l ? l->line : 0;
	snprintf(path, sizeof(path), "tests.%u.submission", i);
	if (!lab_path_inside(ex->submission))
		return lab_diag_at(d, path, false, "'%s' must be a folder of the lab (a relative "
				   "path inside %s)", ex->submission, lab->dir);
	if (ex->edition && !lab->edition) {
		snprintf(path, sizeof(path), "tests.%u.edition", i);
		return lab_diag_at(d, path, false, "the example is for edition %u, but the lab names "
				   "no edition (add e.g. 'edition: %u' at the top)", *ex->edition,
				   *ex->edition);
	}
	/* an example of another edition names that edition's checks: not looked at here */
	ex->other_edition = ex->edition && *ex->edition != *lab->edition;
	if (ex->other_edition)
		return 0;
	snprintf(path, sizeof(path), "tests.%u.substitute", i);
	if (lab_substitutes_check(d, path, ex->substitute, ex->substitute_count) < 0)
		return -EINVAL;
	for (unsigned j = 0; j < ex->failing_count; j++) {
		int k = lab_find_check(lab, ex->failing[j]);

		snprintf(path, sizeof(path), "tests.%u.failing.%u", i, j);
		if (k < 0)
			return lab_diag_at(d, path, false, "no check '%s' in this lab",
					   ex->failing[j]);
		for (unsigned m = 0; m < j; m++)
			if (strcmp(ex->failing[m], ex->failing[j]) == 0)
				return lab_diag_at(d, path, false, "check '%s' is listed twice",
						   ex->failing[j]);
		lost += lab->checks[k].points;
	}
	ex->expected = lab->total_points - lost;
	if (ex->score && *ex->score != ex->expected) {
		snprintf(path, sizeof(path), "tests.%u.score", i);
		return lab_diag_at(d, path, false, "score %u does not match the failing checks: "
				   "of %u points, the %u listed take %u, which leaves %u",
				   *ex->score, lab->total_points, ex->failing_count, lost,
				   ex->expected);
	}
	return 0;
}

int lab_examples_validate(struct lab *lab, struct lab_diag *d)
{
	for (unsigned i = 0; i < lab->tests_count; i++) {
		int ret = check_example(lab, d, i);

		if (ret < 0)
			return ret;
	}
	return 0;
}
