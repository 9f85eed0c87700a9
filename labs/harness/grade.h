/* grade.h - grading one submission in this process: load the lab, build, run, check, report.
 *
 * `kvmlab grade LAB DIR` calls it directly; a batch (batch.h) calls it in a child process
 * per submission.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "runner.h"

/* Why lab_grade() failed. */
enum lab_grade_fail {
	LAB_GRADE_OK,
	LAB_GRADE_LAB,            /* the lab file could not be loaded (error: file:line:column: ...) */
	LAB_GRADE_HOST,           /* KVM is missing, or out of memory */
	LAB_GRADE_REPORT,         /* graded, but the report could not be written */
};

struct lab_grade {
	unsigned score, max;
	char reason[512];         /* run or build error, or how the run ended; "" if none */
	char error[512];          /* for a -errno return: why there is no grade (or no report) */
	char lab_error[512];      /* graded, but a check failed by the lab's fault (a script that
				   * crashed): "check 'ID': ..."; "" if none */
	double build_seconds;     /* compiling the submission */
	double seconds;           /* everything: load, build, run, checks, report */
	enum lab_grade_fail failed;
};

/*
 * Load the lab file yaml against the submission folder subdir, build, run (under ro, runner.h;
 * NULL: sandbox required, /dev/kvm) and check it,
 * and write the report in fmt to out (NULL: no report; subname: the name it shows), as view
 * shows it (report.h).
 * 0: graded, g->score of g->max (a missing source, a failed build or run is graded,
 * the reason in g->reason).  -errno with g->error saying why and g->failed where: the
 * lab file (lab_load's -errno), the host (-ENODEV KVM is missing, -EPERM the host cannot
 * sandbox student code, -ENOMEM; for the first two the report is still written, every
 * check saying why), or the report (the write's -errno; g is graded all the same).
 */
int lab_grade(const char *yaml, const char *subdir, const char *subname,
	      const struct lab_runner_opts *ro, enum lab_report_format fmt, enum lab_view view,
	      FILE *out, struct lab_grade *g);

/* One report of a grading: its format and where it goes. */
struct lab_grade_out {
	enum lab_report_format fmt;
	FILE *out;
};

/* lab_grade() writing the same results in several formats (the grading service keeps
 * them all: `kvmlab grade --reports DIR`). */
int lab_grade_reports(const char *yaml, const char *subdir, const char *subname,
		      const struct lab_runner_opts *ro, enum lab_view view,
		      const struct lab_grade_out *outs, size_t nouts, struct lab_grade *g);

/* One grading's results before any report: what lab_grade_reports() writes and what
 * `kvmlab lab test` compares with the lab's tests. */
struct lab_graded {
	struct lab_check_result *res;   /* lab->checks_count results */
	struct lab_build b;
	struct lab_run run;             /* run.error: why the build or run failed, or "" */
	int host;                       /* -ENODEV (no KVM), -EPERM (no sandbox), or 0 */
};

/* Grade the submission folder subdir against a loaded lab under ro: resolve its sources (a
 * missing one is graded 0 with the reason), build, run, check.  0, or -ENOMEM.  Free with
 * lab_graded_free() either way. */
int lab_grade_lab(struct lab *lab, const char *subdir, const struct lab_runner_opts *ro,
		  struct lab_graded *gr);
void lab_graded_free(const struct lab *lab, struct lab_graded *gr);
