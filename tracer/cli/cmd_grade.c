/* cmd_grade.c - `kvmlab grade`: grade a submission, or (--batch) a folder of them, and report.
 * The grading itself is the lab harness's (labs/harness/grade.c, batch.c). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "command.h"
#include "deploy.h"
#include "grade.h"
#include "grademerge.h"
#include "labcli.h"
#include "options.h"
#include "progrun.h"
#include "report.h"
#include "runner.h"

/* Each graded submission, on stderr: "[3/200] alice: 40/50 (error: ...)". */
static void progress(void *ctx, size_t done, size_t total, const struct lab_batch_result *r)
{
	(void)ctx;
	if (r->status == LAB_BATCH_OK)
		fprintf(stderr, "[%zu/%zu] %s: %u/%u\n", done, total, r->name, r->score, r->max);
	else
		fprintf(stderr, "[%zu/%zu] %s: %u/%u (%s%s%s)\n", done, total, r->name, r->score,
			r->max, lab_batch_status_name(r->status), r->reason[0] ? ": " : "", r->reason);
}

/* Write a summary to path with write(); 0, or an exit status with the message printed. */
static int write_summary(const char *opt, const char *path, const struct lab_batch *b,
			 int (*write)(const struct lab_batch *, FILE *))
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return cli_error(EXIT_USAGE, "%s %s: %s", opt, path, strerror(errno));
	ret = write(b, f);
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		return cli_error(EXIT_USAGE, "%s %s: writing failed: %s", opt, path, strerror(-ret));
	return 0;
}

/* The gradebook files a batch was asked for (--gradescope-csv, --moodle-csv). */
static int write_gradebooks(const struct lab_batch *b, const char *gradescope_csv,
			    const char *moodle_csv)
{
	const struct lab_deploy_api *d = cli_deploy();
	struct lab_gradebook g;
	int ret = 0;

	if (!d)
		return EXIT_HOST;
	d->gradebook_init(&g, b->lab, b->max);
	for (size_t i = 0; i < b->count && ret == 0; i++)
		ret = d->gradebook_add(&g, b->subs[i].name, b->subs[i].score, b->subs[i].max,
					lab_batch_status_name(b->subs[i].status), b->subs[i].reason,
					b->subs[i].seconds);
	if (ret == 0)
		ret = grademerge_write(d, &g, NULL, NULL, gradescope_csv, moodle_csv);
	d->gradebook_free(&g);
	return ret < 0 ? EXIT_USAGE : 0;
}

static int batch_graded(const struct lab_batch_opts *o, const char *csv, const char *json,
			const char *gradescope_csv, const char *moodle_csv)
{
	struct lab_batch b;
	int ret, status;

	ret = lab_batch_run(o, &b);
	if (ret < 0 && b.lab_failed) {   /* file:line:column: ..., printed as it is */
		fprintf(stderr, "%s\n", b.error);
		status = EXIT_LOAD;
	} else if (ret < 0) {
		status = cli_error(ret == -ENOMEM || ret == -EPERM ? EXIT_HOST : EXIT_USAGE, "%s",
				   b.error);
	}
	if (ret < 0) {
		lab_batch_free(&b);
		return status;
	}
	status = b.full_marks == b.count ? EXIT_HALTED : EXIT_DIFFER;
	if (b.report_errors)
		status = cli_error(EXIT_USAGE, "-o %s: %u of the reports could not be written",
				   o->report_dir, b.report_errors);
	if (csv && (ret = write_summary("--csv", csv, &b, lab_batch_write_csv)))
		status = ret;
	if (json && (ret = write_summary("--json", json, &b, lab_batch_write_json)))
		status = ret;
	if ((gradescope_csv || moodle_csv) && (ret = write_gradebooks(&b, gradescope_csv, moodle_csv)))
		status = ret;
	fprintf(stderr, "kvmlab: graded %zu submissions in %.1f s\n", b.count, b.seconds);
	lab_batch_free(&b);
	return status;
}

/* The batch's submissions as they arrived (folders, archives, a zip of archives: intake.h);
 * refused archives are results decided before grading. */
static int batch(struct lab_batch_opts *o, const char *csv, const char *json,
		 const char *gradescope_csv, const char *moodle_csv)
{
	const struct lab_deploy_api *d = cli_deploy();
	struct lab_batch_result *decided = NULL;
	struct lab_archive_limits lim;
	struct lab_intake in;
	char err[600];
	int status;

	if (!d)
		return EXIT_HOST;
	d->archive_limits_default(&lim);
	lim.sandbox_off = o->runner.sandbox == LAB_SANDBOX_NONE;
	if (d->intake_open(o->dir, &lim, &in, err, sizeof(err)) < 0)
		return cli_error(EXIT_USAGE, "--batch %s", err);
	if (in.nrejects && !(decided = calloc(in.nrejects, sizeof(*decided)))) {
		d->intake_free(&in);
		return cli_error(EXIT_HOST, "out of memory");
	}
	for (size_t i = 0; i < in.nrejects; i++) {
		snprintf(decided[i].name, sizeof(decided[i].name), "%s", in.rejects[i].id);
		snprintf(decided[i].reason, sizeof(decided[i].reason), "%s", in.rejects[i].reason);
		decided[i].status = LAB_BATCH_REJECTED;
	}
	o->dir = in.dir;
	o->decided = decided;
	o->ndecided = in.nrejects;
	status = batch_graded(o, csv, json, gradescope_csv, moodle_csv);
	free(decided);
	d->intake_free(&in);
	return status;
}

/* A graded submission's status: a lab error (the report is written all the same) is the
 * lab's, as a bad lab file is. */
static int graded_status(const struct lab_grade *g)
{
	if (g->lab_error[0])
		return cli_error(EXIT_LOAD, "the lab failed while grading: %s", g->lab_error);
	return g->score == g->max ? EXIT_HALTED : EXIT_DIFFER;
}

/* --reports DIR: the submission's report in every format, as the grading service keeps
 * them: report.txt, report.tap, report.xml (JUnit), results.json (Gradescope). */
static int grade_reports(const char *yaml, const char *subdir, const struct lab_runner_opts *ro,
			 enum lab_view view, const char *dir)
{
	static const struct { enum lab_report_format fmt; const char *name; } files[] = {
		{ LAB_REPORT_TEXT, "report.txt" }, { LAB_REPORT_TAP, "report.tap" },
		{ LAB_REPORT_JUNIT, "report.xml" }, { LAB_REPORT_GRADESCOPE, "results.json" },
	};
	const char *name = strrchr(subdir, '/') ? strrchr(subdir, '/') + 1 : subdir;
	struct lab_grade_out outs[4];
	struct lab_grade g;
	char path[PATH_MAX + 32];
	int ret, st = 0;

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%.4000s/%s", dir, files[i].name);
		outs[i].fmt = files[i].fmt;
		outs[i].out = fopen(path, "w");
		if (!outs[i].out) {
			st = cli_error(EXIT_USAGE, "--reports %s: %s", path, strerror(errno));
			while (i-- > 0)
				fclose(outs[i].out);
			return st;
		}
	}
	ret = lab_grade_reports(yaml, subdir, name, ro, view, outs, 4, &g);
	for (size_t i = 0; i < 4; i++)
		if (fclose(outs[i].out) != 0 && ret == 0)
			ret = -errno;
	if (ret < 0 && g.failed == LAB_GRADE_LAB) {
		fprintf(stderr, "%s\n", g.error);
		return EXIT_LOAD;
	}
	if (ret < 0)
		return cli_error(g.failed == LAB_GRADE_HOST ? EXIT_HOST : EXIT_USAGE, "%s",
				 g.error[0] ? g.error : strerror(-ret));
	return graded_status(&g);
}

/* One submission, in this process: the report to output (NULL: stdout). */
static int grade_one(const char *yaml, const char *dir, const char *name,
		     const struct lab_runner_opts *ro, enum lab_report_format fmt, enum lab_view view,
		     const char *output)
{
	struct lab_grade g;
	FILE *out = stdout;
	int ret;

	if (output && !(out = fopen(output, "w")))
		return cli_error(EXIT_USAGE, "-o %s: %s", output, strerror(errno));
	if (output) {   /* a program lab's drawings beside the report: report.l-flow.svg */
		char prefix[PATH_MAX];
		const char *slash = strrchr(output, '/'), *dot = strrchr(output, '.');
		size_t n = dot && dot > (slash ? slash : output) ? (size_t)(dot - output) :
			strlen(output);

		snprintf(prefix, sizeof(prefix), "%.*s.", (int)n, output);
		lab_program_set_drawings(prefix);
	}
	ret = lab_grade(yaml, dir, name, ro, fmt, view, out, &g);
	if (out != stdout && fclose(out) != 0 && ret == 0) {
		ret = -errno;
		g.failed = LAB_GRADE_REPORT;
		snprintf(g.error, sizeof(g.error), "writing the report: %s", strerror(errno));
	}
	if (getenv("KVMLAB_GRADE_TIMING") && g.max)   /* for the benchmark */
		fprintf(stderr, "kvmlab: timing: build %.4f s, run and checks %.4f s\n",
			g.build_seconds, g.seconds - g.build_seconds);
	switch (ret == 0 ? LAB_GRADE_OK : g.failed) {
	case LAB_GRADE_OK:
		return graded_status(&g);
	case LAB_GRADE_LAB:   /* file:line:column: ..., printed as it is */
		fprintf(stderr, "%s\n", g.error);
		return EXIT_LOAD;
	case LAB_GRADE_HOST:
		return cli_error(EXIT_HOST, "%s", g.error);
	default:   /* graded, but the report is lost: not a success */
		return cli_error(EXIT_USAGE, "%s: %s", output ? output : "standard output", g.error);
	}
}

/* "K/N", both numbers, 1 <= K <= N, nothing else; 0 or -EINVAL. */
static int parse_shard(const char *text, unsigned *k, unsigned *n)
{
	unsigned long long a, b;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	a = strtoull(text, &end, 10);
	if (*end != '/' || !isdigit((unsigned char)end[1]))
		return -EINVAL;
	b = strtoull(end + 1, &end, 10);
	if (*end || a < 1 || a > b || b > 1000000)
		return -EINVAL;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

enum { OPT_FORMAT = 0x300, OPT_BATCH, OPT_SHARD, OPT_CSV, OPT_JSON, OPT_TIMEOUT, OPT_ALL,
       OPT_NO_SANDBOX, OPT_DEV, OPT_GRADESCOPE_CSV, OPT_MOODLE_CSV, OPT_REPORTS, OPT_VIEW };

static const struct cli_opt grade_opts[] = {
	{ "format", OPT_FORMAT, "F", "text (default), tap (TAP 14), tap13, junit, gradescope,\n"
	  "classroom (GitHub Classroom's autograding reporter)" },
	{ "reports", OPT_REPORTS, "DIR", "the report in every format into DIR: report.txt,\n"
	  "report.tap, report.xml (JUnit), results.json (Gradescope)" },
	{ "output", 'o', "FILE", "write the report to FILE (with --batch: a folder, one\n"
	  "report per submission); a program lab's flowcharts go\n"
	  "beside it (-o report.txt: report.l-flow.svg, .png, .dot)" },
	{ "view", OPT_VIEW, "WHO", "the report as WHO sees it, in every format: student\n"
	  "(visible checks in full; hidden and after_due_date ones\n"
	  "only as a count with their points), after-due (the\n"
	  "after_due_date checks in full too), instructor (every\n"
	  "check, marked with its visibility).  Default: student\n"
	  "for text, instructor for the other formats" },
	{ "all", OPT_ALL, NULL, "the same as --view instructor" },
	{ "batch", OPT_BATCH, "DIR", "grade every folder in DIR, each in its own process with\n"
	  "CPU, memory, file-size and wall-clock limits; archives\n"
	  "(ID.zip, ID_anything.tar.gz) in DIR, or DIR itself a zip\n"
	  "or tarball of them (Moodle's download-all), are unpacked\n"
	  "first, each in a child with limits; results name the ID" },
	{ "jobs", 'j', "N", "grade N submissions at a time (batch)" },
	{ "shard", OPT_SHARD, "K/N", "grade only the K-th of N slices (names sorted;\n"
	  "index % N == K-1)" },
	{ "csv", OPT_CSV, "FILE", "batch summary: submission,score,max,status,reason" },
	{ "json", OPT_JSON, "FILE", "batch summary as JSON" },
	{ "gradescope-csv", OPT_GRADESCOPE_CSV, "FILE", "batch scores for Gradescope's import\n"
	  "(SID,Total Score)" },
	{ "moodle-csv", OPT_MOODLE_CSV, "FILE", "batch scores for Moodle's grade import\n"
	  "(ID number,score,Feedback)" },
	{ "timeout", OPT_TIMEOUT, "S", "wall-clock limit per submission in a batch (default 60)" },
	{ "dev", OPT_DEV, "PATH", "the KVM device (default /dev/kvm)" },
	{ "no-sandbox", OPT_NO_SANDBOX, NULL, "run the compiler and the student's handlers without the\n"
	  "sandbox (bubblewrap, seccomp): only for trusted code, on a\n"
	  "host that cannot make one (grading refuses otherwise)" },
	{ 0 },
};
static const struct cli_opt *const grade_tables[] = { grade_opts, NULL };

/* grade_main's work once getopt has its tables. */
static int grade_args(int argc, char **argv, const struct option *opts, const char *shorts)
{
	struct lab_batch_opts o = { .fmt = LAB_REPORT_TEXT, .jobs = 1, .timeout_s = 60,
				    .progress = progress };
	const char *output = NULL, *csv = NULL, *json = NULL, *gs_csv = NULL, *moodle_csv = NULL;
	const char *reports = NULL;
	char yaml[PATH_MAX];
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (lab_report_format_parse(optarg, &o.fmt) < 0)
				return cli_error(EXIT_USAGE, "--format: '%s' is not text, tap, tap13, "
						 "junit, gradescope or classroom", optarg);
			break;
		case 'o': output = optarg; break;
		case OPT_BATCH: o.dir = optarg; break;
		case 'j':
			if (parse_u64("-j", optarg, &v) < 0)
				return EXIT_USAGE;
			if (v < 1 || v > LAB_BATCH_MAX_JOBS)
				return cli_error(EXIT_USAGE, "-j: give 1 to %d", LAB_BATCH_MAX_JOBS);
			o.jobs = (unsigned)v;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &o.shard_k, &o.shard_n) < 0)
				return cli_error(EXIT_USAGE, "--shard: expected K/N with 1 <= K <= N");
			break;
		case OPT_CSV: csv = optarg; break;
		case OPT_JSON: json = optarg; break;
		case OPT_TIMEOUT:
			if (parse_u64("--timeout", optarg, &v) < 0)
				return EXIT_USAGE;
			if (v < 1 || v > 86400)
				return cli_error(EXIT_USAGE, "--timeout: give seconds, 1 to 86400");
			o.timeout_s = (unsigned)v;
			break;
		case OPT_ALL: o.view = LAB_VIEW_INSTRUCTOR; break;
		case OPT_VIEW:
			if (lab_view_parse(optarg, &o.view) < 0)
				return cli_error(EXIT_USAGE, "--view: '%s' is not student, after-due "
						 "or instructor", optarg);
			break;
		case OPT_NO_SANDBOX: o.runner.sandbox = LAB_SANDBOX_NONE; break;
		case OPT_DEV: o.runner.dev = optarg; break;
		case OPT_GRADESCOPE_CSV: gs_csv = optarg; break;
		case OPT_MOODLE_CSV: moodle_csv = optarg; break;
		case OPT_REPORTS: reports = optarg; break;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab grade --help");
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_error(EXIT_USAGE, "usage: kvmlab grade LAB [SUBMISSION_DIR] (see --help)");
	if (labcli_find(argv[optind], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	if (o.dir) {
		o.lab = yaml;
		o.report_dir = output;
		return batch(&o, csv, json, gs_csv, moodle_csv);
	}
	if (gs_csv || moodle_csv)
		return cli_error(EXIT_USAGE, "--gradescope-csv and --moodle-csv go with --batch "
				 "(or kvmlab grade merge)");
	if (reports)
		return grade_reports(yaml, argc - optind > 1 ? argv[optind + 1] : ".", &o.runner,
				     o.view, reports);
	return grade_one(yaml, argc - optind > 1 ? argv[optind + 1] : ".",
			 argc - optind > 1 ? argv[optind + 1] : NULL, &o.runner, o.fmt, o.view,
			 output);
}

static int grade_main(int argc, char **argv)
{
	struct option *opts;
	char *shorts;
	int status;

	if (argc > 1 && strcmp(argv[1], "merge") == 0)
		return grademerge_main(argc - 1, argv + 1);
	if (cli_wants_help(&cmd_grade, argc, argv))
		return 0;
	if (cli_opts_getopt(grade_tables, &opts, &shorts) < 0)
		return cli_error(EXIT_USAGE, "out of memory");
	status = grade_args(argc, argv, opts, shorts);
	free(opts);
	free(shorts);
	return status;
}

const struct command cmd_grade = {
	.name = "grade",
	.summary = "grade a lab submission (or a folder of them) and report",
	.help =
	"usage: kvmlab grade [OPTIONS] LAB [SUBMISSION_DIR]\n"
	"       kvmlab grade [OPTIONS] LAB --batch DIR|ARCHIVE [-j N] [--shard K/N]\n"
	"                    [--csv F] [--json F] [--gradescope-csv F] [--moodle-csv F]\n"
	"       kvmlab grade merge [--csv F] [--json F] [--gradescope-csv F] [--moodle-csv F]\n"
	"                    SHARD.json...\n\n"
	"Builds the submission (default: the current folder) with the lab's guest and\n"
	"handlers, runs it on KVM, and prints each check with PASS/FAIL, its points and,\n"
	"for a failure, the expected and actual values and a hint.\n"
	"LAB is a lab folder, its lab.yaml, or a lab name from `kvmlab lab list`\n"
	"(04-hypercalls, 04 or hypercalls).\n",
	.opts = grade_tables,
	.main = grade_main,
	.epilogue =
	"Student code (the compiler run on a copy of the submission, the handlers) runs in\n"
	"a sandbox: its own uid, no network, its own PID namespace, only its files visible,\n"
	"a seccomp filter and limits; the score comes only from what kvmlab observes.\n\n"
	"kvmlab grade merge joins the --json summaries of the shards of one batch (every\n"
	"shard K/N once, one lab) into one CSV, JSON and gradebook files.\n\n"
	"Exit status: 0 full marks (every submission, in a batch), 6 below full marks,\n"
	"2 the lab file is invalid (file:line:column), 3 KVM is missing or the host\n"
	"cannot sandbox (the report still lists every check with the reason).\n",
};
