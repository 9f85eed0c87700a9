/* labcli.h - what `kvmlab grade` and `kvmlab lab` share: finding labs, grading one submission. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* The folder labs are looked for in (datadir_find): $KVMLAB_LABS, <exe dir>/labs,
 * <exe dir>/../labs (the source tree when run from build/), <exe dir>/../share/kvmlab/labs
 * (a relocated install), then KVMLAB_LABDIR; the first that holds a lab. */
int labcli_labs_dir(char *out, size_t len);

/* LAB (a lab folder, a lab.yaml path, or a lab id/prefix under the labs dir) -> lab.yaml path.
 * 0 or -ENOENT with a message printed. */
int labcli_find(const char *name, char *yaml, size_t len);

struct labcli_grade {
	unsigned score, max;
	char reason[512];     /* run or build error, or how the run ended; "" if none */
};

/*
 * Load the lab against submission dir, build, run and check, write the report in
 * fmt to out (NULL: no report).  Returns EXIT_HALTED (full marks), EXIT_DIFFER
 * (below full marks), EXIT_LOAD (bad lab file, message printed) or EXIT_HOST.
 * A missing source in the submission is graded 0 with the reason (EXIT_DIFFER).
 */
int labcli_grade(const char *yaml, const char *subdir, const char *subname,
		 enum lab_report_format fmt, bool show_hidden, FILE *out, struct labcli_grade *g);

/* One report of a grading: its format and where it goes. */
struct labcli_report {
	enum lab_report_format fmt;
	FILE *out;
};

/* labcli_grade() writing the same results in several formats (the service keeps them all). */
int labcli_grade_reports(const char *yaml, const char *subdir, const char *subname,
			 bool show_hidden, const struct labcli_report *reps, size_t nreps,
			 struct labcli_grade *g);
