/* labcli.c - finding labs and grading one submission (shared by cmd_grade.c and cmd_lab.c). */
#include "labcli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "command.h"
#include "datadir.h"
#include "labfile.h"
#include "runner.h"

#ifndef KVMLAB_LABDIR
#define KVMLAB_LABDIR "/usr/local/share/kvmlab/labs"
#endif

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A labs folder holds at least one LAB/lab.yaml (the build tree's labs/ holds the
 * harness's objects and none); a folder $KVMLAB_LABS names is taken as it is. */
static bool holds_labs(const char *dir, void *env)
{
	char yaml[PATH_MAX * 2];
	struct dirent *e;
	DIR *d;
	bool found = false;

	if (env && strcmp(dir, env) == 0)
		return true;
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(yaml, sizeof(yaml), "%s/%s/lab.yaml", dir, e->d_name);
		found = access(yaml, R_OK) == 0;
	}
	closedir(d);
	return found;
}

int labcli_labs_dir(char *out, size_t len)
{
	return datadir_find("labs", "KVMLAB_LABS", KVMLAB_LABDIR, holds_labs,
			    getenv("KVMLAB_LABS"), out, len);
}

int labcli_find(const char *name, char *yaml, size_t len)
{
	char dir[PATH_MAX], cand[PATH_MAX * 2];
	struct dirent **ents;
	int n, found = 0;

	if (is_dir(name)) {
		snprintf(yaml, len, "%s/lab.yaml", name);
		if (access(yaml, R_OK) == 0)
			return 0;
		return cli_error(EXIT_LOAD, "%s: no lab.yaml in this folder", name), -ENOENT;
	}
	if (access(name, R_OK) == 0 || strchr(name, '/')) {
		snprintf(yaml, len, "%s", name);
		return 0;
	}
	if (labcli_labs_dir(dir, sizeof(dir)) < 0)
		return cli_error(EXIT_LOAD, "no labs folder found (set KVMLAB_LABS)"), -ENOENT;
	n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		const char *dash = strchr(d, '-');
		size_t nl = strlen(name);

		if (!found && d[0] != '.' && strcmp(d, "harness") && strcmp(d, "include") &&
		    (strcmp(d, name) == 0 || (strncmp(d, name, nl) == 0 && d[nl] == '-') ||
		     (dash && strcmp(dash + 1, name) == 0))) {
			snprintf(cand, sizeof(cand), "%s/%s/lab.yaml", dir, d);
			if (access(cand, R_OK) == 0) {
				snprintf(yaml, len, "%s", cand);
				found = 1;
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	if (!found)
		return cli_error(EXIT_LOAD, "no lab named '%s' in %s (kvmlab lab list shows them)",
				 name, dir), -ENOENT;
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int labcli_grade(const char *yaml, const char *subdir, const char *subname,
		 enum lab_report_format fmt, bool show_hidden, FILE *out, struct labcli_grade *g)
{
	struct labcli_report r = { .fmt = fmt, .out = out };

	return labcli_grade_reports(yaml, subdir, subname, show_hidden, &r, out ? 1 : 0, g);
}

int labcli_grade_reports(const char *yaml, const char *subdir, const char *subname,
			 bool show_hidden, const struct labcli_report *reps, size_t nreps,
			 struct labcli_grade *g)
{
	struct lab *lab = NULL;
	struct lab_build b;
	struct lab_run run;
	struct lab_check_result *res = NULL;
	struct lab_report rep;
	char err[512];
	double t0 = now();
	int ret;

	memset(g, 0, sizeof(*g));
	ret = lab_load(yaml, NULL, &lab, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_LOAD;
	}
	ret = lab_resolve_sources(lab, subdir, err, sizeof(err));
	memset(&b, 0, sizeof(b));
	memset(&run, 0, sizeof(run));
	if (ret < 0) {
		run.output = calloc(1, 1);
		snprintf(run.error, sizeof(run.error), "%.255s", err);
	} else {
		ret = lab_run_submission(lab, &b, &run);
		if (ret == -ENODEV) {
			cli_error(EXIT_HOST, "%s", run.error);
			lab_run_free(&run);
			lab_build_free(&b);
			lab_free(lab);
			return EXIT_HOST;
		}
	}
	lab_live_set(lab_runner_live);   /* answers checks: values from this machine */
	if (lab_checks_run(lab, &run, &res) < 0) {
		lab_run_free(&run);
		lab_build_free(&b);
		lab_free(lab);
		return cli_error(EXIT_HOST, "out of memory");
	}
	if (getenv("KVMLAB_GRADE_TIMING"))   /* for the benchmark */
		fprintf(stderr, "kvmlab: timing: build %.4f s, run and checks %.4f s\n", b.seconds,
			now() - t0 - b.seconds);
	lab_report_init(&rep, lab, res, lab->checks_count);
	rep.submission = subname;
	rep.build_log = b.log;
	rep.run_error = run.error[0] ? run.error : run.stop_detail;
	rep.show_hidden = show_hidden;
	rep.seconds = now() - t0;
	g->score = rep.score;
	g->max = rep.max_score;
	snprintf(g->reason, sizeof(g->reason), "%s", rep.run_error ? rep.run_error : "");
	for (size_t i = 0; i < nreps; i++)
		if (lab_report_write(&rep, reps[i].fmt, reps[i].out) < 0)
			cli_error(EXIT_USAGE, "writing the report failed");
	lab_check_results_free(res, lab->checks_count);
	lab_run_free(&run);
	lab_build_free(&b);
	lab_free(lab);
	return g->score == g->max ? EXIT_HALTED : EXIT_DIFFER;
}
