/* grade.c - grading one submission: lab file, build, run, checks, report. */
#include "grade.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "labfile.h"
#include "live.h"
#include "runner.h"

int lab_grade(const char *yaml, const char *subdir, const char *subname,
	      enum lab_report_format fmt, bool show_hidden, FILE *out, struct lab_grade *g)
{
	struct lab_grade_out o = { .fmt = fmt, .out = out };

	return lab_grade_reports(yaml, subdir, subname, show_hidden, &o, out ? 1 : 0, g);
}

int lab_grade_reports(const char *yaml, const char *subdir, const char *subname,
		      bool show_hidden, const struct lab_grade_out *outs, size_t nouts,
		      struct lab_grade *g)
{
	struct lab *lab = NULL;
	struct lab_build b;
	struct lab_run run;
	struct lab_check_result *res = NULL;
	struct lab_report rep;
	double t0 = vmm_clock_s();
	int ret, host = 0;

	memset(g, 0, sizeof(*g));
	ret = lab_load(yaml, NULL, &lab, g->error, sizeof(g->error));
	if (ret < 0) {
		g->failed = LAB_GRADE_LAB;
		return ret;
	}
	ret = lab_resolve_sources(lab, subdir, g->error, sizeof(g->error));
	memset(&b, 0, sizeof(b));
	memset(&run, 0, sizeof(run));
	if (ret < 0) {   /* a source missing from the submission: graded 0 with the reason */
		run.output = calloc(1, 1);
		snprintf(run.error, sizeof(run.error), "%.255s", g->error);
		g->error[0] = '\0';
	} else {
		/* no /dev/kvm (-ENODEV), no sandbox (-EPERM): every check says why in the
		 * report, then the host's failure is returned */
		ret = lab_run_submission(lab, &b, &run);
		if (ret == -ENODEV || ret == -EPERM)
			host = ret;
	}
	ret = 0;
	lab_live_set(lab_runner_live);   /* answers checks: values from this machine */
	if (lab_checks_run(lab, &run, &res) < 0) {
		ret = -ENOMEM;
		g->failed = LAB_GRADE_HOST;
		snprintf(g->error, sizeof(g->error), "out of memory");
		goto out;
	}
	g->build_seconds = b.seconds;
	lab_report_init(&rep, lab, res, lab->checks_count);
	rep.submission = subname;
	rep.build_log = b.log;
	rep.run_error = run.error[0] ? run.error : run.stop_detail;
	rep.show_hidden = show_hidden;
	rep.seconds = vmm_clock_s() - t0;
	g->score = rep.score;
	g->max = rep.max_score;
	snprintf(g->reason, sizeof(g->reason), "%s", rep.run_error ? rep.run_error : "");
	for (unsigned i = 0; i < lab->checks_count && !g->lab_error[0]; i++)
		if (res[i].lab_error)
			snprintf(g->lab_error, sizeof(g->lab_error), "check '%s': %s",
				 res[i].check->id, res[i].message ? res[i].message : "lab error");
	for (size_t i = 0; i < nouts && ret == 0; i++) {
		ret = lab_report_write(&rep, outs[i].fmt, outs[i].out);
		if (ret < 0) {
			g->failed = LAB_GRADE_REPORT;
			snprintf(g->error, sizeof(g->error), "writing the report: %s", strerror(-ret));
		}
	}
	lab_check_results_free(res, lab->checks_count);
	if (host && ret == 0) {
		ret = host;
		g->failed = LAB_GRADE_HOST;
		snprintf(g->error, sizeof(g->error), "%s", run.error);
	}
out:
	g->seconds = vmm_clock_s() - t0;
	lab_run_free(&run);
	lab_build_free(&b);
	lab_free(lab);
	return ret;
}
