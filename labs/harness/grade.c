/* grade.c - grading one submission: lab file, build, run, checks, report. */
#include "grade.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "check.h"
#include "labbuf.h"
#include "clock.h"
#include "labfile.h"
#include "live.h"
#include "runner.h"

int lab_grade(const char *yaml, const char *subdir, const char *subname,
	      const struct lab_runner_opts *ro, enum lab_report_format fmt, enum lab_view view,
	      FILE *out, struct lab_grade *g)
{
	struct lab_grade_out o = { .fmt = fmt, .out = out };

	return lab_grade_reports(yaml, subdir, subname, ro, view, &o, out ? 1 : 0, g);
}

#define SHOWN_MAX 4096   /* bytes of the guest's output a report shows */

/* The ports no device claims that the run used, a line each; NULL when none. */
static char *nodev_text(const struct lab_run *run)
{
	struct labbuf b = { 0 };
	char one[160];

	for (unsigned i = 0; i < run->nnodev; i++) {
		lab_port_use_text(&run->nodev[i], one, sizeof(one));
		labbuf_printf(&b, "%s\n", one);
	}
	return b.len ? labbuf_take(&b) : (labbuf_release(&b), NULL);
}

/* The guest's output as shown to the student, cut at SHOWN_MAX bytes; NULL when none. */
static char *shown_text(const struct lab_run *run)
{
	if (!run->shown || !run->shown_len)
		return NULL;
	if (run->shown_len <= SHOWN_MAX)
		return strdup(run->shown);
	return lab_strdupf("%.*s\n[... %zu more bytes]\n", SHOWN_MAX, run->shown,
			   run->shown_len - SHOWN_MAX);
}

int lab_grade_lab(struct lab *lab, const char *subdir, const struct lab_runner_opts *ro,
		  struct lab_graded *gr)
{
	int ret;

	memset(gr, 0, sizeof(*gr));
	ret = lab_resolve_sources(lab, subdir, gr->run.error, sizeof(gr->run.error));
	if (ret < 0) {   /* a source missing from the submission: graded 0 with the reason */
		gr->run.output = calloc(1, 1);
	} else {
		/* no /dev/kvm (-ENODEV), no sandbox (-EPERM): every check says why in the
		 * report, then the host's failure is returned */
		ret = lab_run_submission(lab, ro, &gr->b, &gr->run);
		if (ret == -ENODEV || ret == -EPERM)
			gr->host = ret;
	}
	lab_live_set(lab_runner_live);   /* answers checks: values from this machine */
	return lab_checks_run(lab, &gr->run, &gr->res) < 0 ? -ENOMEM : 0;
}

void lab_graded_free(const struct lab *lab, struct lab_graded *gr)
{
	lab_check_results_free(gr->res, gr->res ? lab->checks_count : 0);
	lab_run_free(&gr->run);
	lab_build_free(&gr->b);
	memset(gr, 0, sizeof(*gr));
}

int lab_grade_reports(const char *yaml, const char *subdir, const char *subname,
		      const struct lab_runner_opts *ro, enum lab_view view,
		      const struct lab_grade_out *outs, size_t nouts, struct lab_grade *g)
{
	struct lab *lab = NULL;
	struct lab_graded gr;
	struct lab_report rep;
	char *nodev = NULL, *shown = NULL;
	double t0 = vmm_clock_s();
	int ret;

	memset(g, 0, sizeof(*g));
	ret = lab_load(yaml, NULL, &lab, g->error, sizeof(g->error));
	if (ret < 0) {
		g->failed = LAB_GRADE_LAB;
		return ret;
	}
	ret = lab_grade_lab(lab, subdir, ro, &gr);
	if (ret < 0) {
		g->failed = LAB_GRADE_HOST;
		snprintf(g->error, sizeof(g->error), "out of memory");
		goto out;
	}
	g->build_seconds = gr.b.seconds;
	lab_report_init(&rep, lab, gr.res, lab->checks_count);
	rep.submission = subname;
	rep.build_log = gr.b.log;
	rep.run_error = gr.run.error[0] ? gr.run.error : gr.run.stop_detail;
	rep.nodev = nodev = nodev_text(&gr.run);
	rep.output = shown = shown_text(&gr.run);
	rep.view = view;
	rep.seconds = vmm_clock_s() - t0;
	g->score = rep.score;
	g->max = rep.max_score;
	snprintf(g->reason, sizeof(g->reason), "%s", rep.run_error ? rep.run_error : "");
	for (unsigned i = 0; i < lab->checks_count && !g->lab_error[0]; i++)
		if (gr.res[i].lab_error)
			snprintf(g->lab_error, sizeof(g->lab_error), "check '%s': %s",
				 gr.res[i].check->id,
				 gr.res[i].message ? gr.res[i].message : "lab error");
	for (size_t i = 0; i < nouts && ret == 0; i++) {
		ret = lab_report_write(&rep, outs[i].fmt, outs[i].out);
		if (ret < 0) {
			g->failed = LAB_GRADE_REPORT;
			snprintf(g->error, sizeof(g->error), "writing the report: %s", strerror(-ret));
		}
	}
	if (gr.host && ret == 0) {
		ret = gr.host;
		g->failed = LAB_GRADE_HOST;
		snprintf(g->error, sizeof(g->error), "%s", gr.run.error);
	}
out:
	free(nodev);
	free(shown);
	g->seconds = vmm_clock_s() - t0;
	lab_graded_free(lab, &gr);
	lab_free(lab);
	return ret;
}
