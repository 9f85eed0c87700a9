/* labtestcli.c - `kvmlab lab test LAB`: is every file the lab refers to there, and does each
 * example submission of its tests: block get exactly its listed score and failing checks?
 * The testing is the harness's (labs/harness/labtest.c); this file prints it. */
#include "labtestcli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "labcli.h"
#include "labtest.h"
#include "options.h"
#include "report.h"
#include "runner.h"

enum { OPT_NO_SANDBOX = 0x700, OPT_DEV };

#define LOG_TAIL_LINES 8              /* of a failed build's log, under its DIFF */

static const struct cli_opt test_opts[] = {
	{ "no-sandbox", OPT_NO_SANDBOX, NULL, "build and run the examples without the sandbox\n"
	  "(only on a host that cannot make one)" },
	{ "dev", OPT_DEV, "PATH", "the KVM device (default /dev/kvm)" },
	{ "help", 'h', NULL, "this help" },
	{ 0 },
};
static const struct cli_opt *const test_tables[] = { test_opts, NULL };

static void test_help(void)
{
	fputs("usage: kvmlab lab test [OPTIONS] LAB\n\n"
	      "Tests a lab before students meet it: every file it refers to is there (its\n"
	      "README, lab_sources, linker script, grader_guest, reference traces, check\n"
	      "scripts, the files of program runs, solution/, starter/, the examples' folders,\n"
	      "and the files a submission hands in, in each example listed with full marks),\n"
	      "and each example submission of the lab file's tests: block, graded as\n"
	      "`kvmlab grade` grades it, gets exactly its listed score and failing checks:\n\n"
	      "  tests:\n"
	      "    - {submission: solution, score: 50}\n"
	      "    - {submission: starter, score: 2, failing: [output, timeline, ...]}\n"
	      "    - submission: solution           # a known mistake, as a change of a copy\n"
	      "      substitute: [{file: modes.S, from: \"movq $42, %rax\", to: \"movq $41, %rax\"}]\n"
	      "      failing: [rax42]\n\n"
	      "score may be left out: it is then what the failing checks leave; when given,\n"
	      "the two must agree (checked when the lab loads).\n\n"
	      "Each example gives one line, ok or DIFF; under a DIFF, each check that passed\n"
	      "but is listed as failing, or failed but is not listed, with the reason.\n\n"
	      "Options:\n", stdout);
	cli_opts_help(stdout, test_opts);
	fputs("\nExit status: 0 every file present and every example as listed, 1 a file\n"
	      "missing, an example not as listed, no tests: block (or a bad command line),\n"
	      "2 the lab file is invalid (file:line:column), 3 KVM is missing or the host\n"
	      "cannot sandbox.\n", stdout);
}

/* The first line of text (a guest's bytes may be in it: shown escaped), then a newline. */
static void put_line(const char *text)
{
	if (text)
		lab_fput_text(stdout, text, strcspn(text, "\n"));
	putchar('\n');
}

/* The last lines of a failed build's log (the compiler's messages), indented. */
static void put_log_tail(const char *log)
{
	const char *p = log + strlen(log);
	int lines = 0;

	while (p > log && lines <= LOG_TAIL_LINES)
		lines += *--p == '\n';
	p += p > log;
	while (*p) {
		fputs("          ", stdout);
		put_line(p);
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
}

/* Under a DIFF: the score, then each check not as listed (with the reason it failed; when
 * nothing ran, the reason once and the checks by id). */
static void print_diff(const struct lab_test_example *e)
{
	const struct lab_run *run = &e->gr.run;
	bool first = true;

	if (e->score != e->ex->expected)
		printf("        score %u, listed %u\n", e->score, e->ex->expected);
	if (run->error[0]) {
		fputs("        not graded in full: ", stdout);
		put_line(run->error);
		if (!e->gr.b.ok && e->gr.b.log)
			put_log_tail(e->gr.b.log);
	}
	for (unsigned k = 0; k < e->lab->checks_count; k++) {
		const struct lab_check_result *r = &e->gr.res[k];
		bool listed = lab_test_listed_failing(e, r->check);

		if ((r->status != LAB_PASS) == listed)
			continue;
		if (listed)
			printf("        %-20s passed, listed as failing\n", r->check->id);
		else if (run->error[0]) {
			printf("%s%s", first ? "        failed, not listed as failing: " : ", ",
			       r->check->id);
			first = false;
		} else {
			printf("        %-20s %s, not listed as failing: ", r->check->id,
			       r->status == LAB_SKIP ? "skipped" : "failed");
			put_line(r->message);
		}
	}
	if (!first)
		putchar('\n');
}

static int run_tests(struct lab_test *t, const struct lab_runner_opts *ro)
{
	const struct lab *lab = t->lab;
	unsigned bad = 0, other = 0;
	char err[512];

	printf("Lab %s: %u checks, %u points; %u example%s; %zu files it refers to\n", lab->id,
	       lab->checks_count, lab->total_points, lab->tests_count,
	       lab->tests_count == 1 ? "" : "s", t->nfiles);
	for (size_t i = 0; i < t->nfiles; i++)
		if (!t->files[i].present)
			printf("missing  %s (%s)\n", t->files[i].path, t->files[i].what);
	if (!lab->tests_count)
		printf("no examples: give the lab a tests: block (kvmlab lab test --help)\n");
	for (size_t i = 0; i < lab->tests_count; i++) {
		struct lab_test_example *e = &t->ex[i];
		int ret;

		fflush(stdout);
		ret = lab_test_run(t, i, ro, err, sizeof(err));
		if (ret == -ENODEV || ret == -EPERM || ret == -ENOMEM)
			return cli_error(EXIT_HOST, "%s", err[0] ? err : strerror(-ret));
		if (ret < 0) {   /* the lab file, loaded again: file:line:column: ... */
			fprintf(stderr, "%s\n", err);
			return EXIT_LOAD;
		}
		snprintf(err, sizeof(err), "%s%s", e->ex->submission,
			 e->ex->substitute_count ? ", changed" : "");
		if (!e->graded) {
			printf("skip  %-24s          %s (for edition %u)\n", err,
			       e->ex->name ? e->ex->name : "", *e->ex->edition);
			other++;
			continue;
		}
		printf("%-4s  %-24s %3u/%-3u  %s\n", e->ok ? "ok" : "DIFF", err, e->score, e->max,
		       e->ex->name ? e->ex->name : "");
		if (!e->ok) {
			print_diff(e);
			bad++;
		}
	}
	printf("%s: %u of %u examples as listed", lab->id, lab->tests_count - bad - other,
	       lab->tests_count - other);
	if (other)
		printf(" (%u of another edition not graded)", other);
	printf(", %zu of %zu files present\n", t->nfiles - t->missing, t->nfiles);
	if (fflush(stdout) != 0)
		return cli_error(EXIT_USAGE, "standard output: %s", strerror(errno));
	return bad || t->missing || lab->tests_count == other ? EXIT_USAGE : 0;
}

/* labtestcli_main's work once getopt has its tables. */
static int test_args(int argc, char **argv, const struct option *opts, const char *shorts)
{
	struct lab_runner_opts ro = { 0 };
	char yaml[PATH_MAX], err[600];
	struct lab_test t;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (c) {
		case OPT_NO_SANDBOX: ro.sandbox = LAB_SANDBOX_NONE; break;
		case OPT_DEV: ro.dev = optarg; break;
		case 'h':
			test_help();
			return 0;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab lab test --help");
		}
	}
	if (optind != argc - 1)
		return cli_error(EXIT_USAGE, "usage: kvmlab lab test [OPTIONS] LAB (see --help)");
	if (labcli_find(argv[optind], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	if (lab_test_open(yaml, &t, err, sizeof(err)) < 0) {   /* file:line:column: ... */
		fprintf(stderr, "%s\n", err);
		return EXIT_LOAD;
	}
	status = run_tests(&t, &ro);
	lab_test_free(&t);
	return status;
}

int labtestcli_main(int argc, char **argv)
{
	int status = cli_opts_main(test_tables, argc, argv, test_args);

	return status < 0 ? cli_error(EXIT_USAGE, "out of memory") : status;
}
