/* labtest.h - testing a lab before students meet it (`kvmlab lab test`): every file it
 * refers to is there, and each example submission of its `tests:` block (labexamples.c)
 * gets exactly the score and failing checks listed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "grade.h"
#include "labfile.h"

/* A file the lab refers to. */
struct lab_test_file {
	char *path;                   /* the lab folder joined with the name */
	const char *what;             /* "lab source", "reference trace", ... */
	bool present;
};

/* One example submission, graded. */
struct lab_test_example {
	const struct lab_example *ex; /* in lab_test.lab */
	struct lab *lab;              /* the lab loaded for this grading (its own drawn values) */
	struct lab_graded gr;         /* its results, one per check of lab */
	unsigned score, max;
	bool graded, ok;              /* ok: exactly the listed score and failing checks */
};

struct lab_test {
	struct lab *lab;
	struct lab_test_file *files;
	size_t nfiles, missing;
	struct lab_test_example *ex;  /* lab->tests_count of them */
};

/* Load the lab file yaml and look for every file it refers to.  0, or -errno with
 * "file:line:column: ..." in err (a lab error). */
int lab_test_open(const char *yaml, struct lab_test *t, char *err, size_t errlen);

/* Grade example i in t->ex[i] under ro (runner.h: the sandbox policy, the KVM device): 0 (graded, or not for an example of another edition;
 * t->ex[i].ok says whether as listed), -ENODEV
 * (no KVM) or -EPERM (no sandbox) with the reason in err, -EINVAL (a lab error: the file
 * changed under us, a substitution that does not apply, a check script that failed; err
 * says which), -ENOMEM. */
int lab_test_run(struct lab_test *t, size_t i, const struct lab_runner_opts *ro, char *err,
		 size_t errlen);

/* Whether example e lists check c among those that must not pass. */
bool lab_test_listed_failing(const struct lab_test_example *e, const struct lab_check *c);

void lab_test_free(struct lab_test *t);
