/* labtest.c - `kvmlab lab test`: a lab's files and its example submissions (labtest.h). */
#include "labtest.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "check.h"
#include "copytree.h"
#include "labbuf.h"
#include "labsubst.h"
#include "sandbox.h"

struct files {
	struct lab_test *t;
	size_t cap;
	int err;
};

/* Note that the lab refers to dir/rel (dir NULL: the lab folder) as what; a folder when
 * folder is set.  Listed once. */
static void add(struct files *f, const char *dir, const char *rel, const char *what,
		bool folder)
{
	struct lab_test *t = f->t;
	struct lab_test_file *v;
	struct stat st;
	char *path;

	if (f->err)
		return;
	path = dir ? lab_strdupf("%s/%s", dir, rel) : lab_strdupf("%s/%s", t->lab->dir, rel);
	if (!path) {
		f->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < t->nfiles; i++)
		if (strcmp(t->files[i].path, path) == 0) {
			free(path);
			return;
		}
	v = vmm_array_grow(t->files, &f->cap, sizeof(*v), t->nfiles + 1, 16);
	if (!v) {
		free(path);
		f->err = -ENOMEM;
		return;
	}
	t->files = v;
	v[t->nfiles] = (struct lab_test_file){
		.path = path, .what = what,
		.present = stat(path, &st) == 0 && (folder ? S_ISDIR(st.st_mode) :
						   S_ISREG(st.st_mode) && access(path, R_OK) == 0),
	};
	t->missing += !v[t->nfiles].present;
	t->nfiles++;
}

/* The files a submission must hand in, in the lab's folder sub (an example listed with full
 * marks: a complete submission). */
static void add_submission(struct files *f, const char *sub)
{
	const struct lab *lab = f->t->lab;
	char *dir = lab_strdupf("%s/%s", lab->dir, sub);

	if (!dir) {
		f->err = -ENOMEM;
		return;
	}
	for (unsigned i = 0; i < lab->guest.sources_count; i++)
		add(f, dir, lab->guest.sources[i], "guest source", false);
	if (lab->handlers)
		add(f, dir, lab->handlers, "handlers file", false);
	for (unsigned i = 0; lab->program && i < lab->program->sources_count; i++)
		add(f, dir, lab->program->sources[i], "program source", false);
	if (lab->program && lab->program->abi)
		add(f, dir, lab->program->abi->file, "ports file (program.abi)", false);
	for (unsigned i = 0; i < lab->checks_count; i++)
		if (lab->checks[i].answers)
			add(f, dir, lab->checks[i].answers->file, "answers file", false);
	free(dir);
}

/* Every file the lab refers to: its own (most are checked when it loads, listed here all
 * the same), its solution/ and starter/ folders, the examples' folders, and in the folder of
 * each example listed with full marks every file a submission hands in.  (A folder may
 * hold only part of a submission: lab 01's solution is the answers, the program is the
 * student's own.) */
static int list_files(struct lab_test *t)
{
	const struct lab *lab = t->lab;
	const struct lab_guest *g = &lab->guest;
	struct files f = { .t = t };

	add(&f, NULL, "README.md", "the lab's README", false);
	for (unsigned i = 0; i < g->lab_sources_count; i++)
		add(&f, NULL, g->lab_sources[i], "lab source", false);
	if (g->linker_script)
		add(&f, NULL, g->linker_script, "linker script", false);
	for (unsigned i = 0; i < lab->grader_guest_count; i++)
		add(&f, NULL, lab->grader_guest[i], "grader guest source", false);
	for (unsigned i = 0; lab->program && i < lab->program->runs_count; i++)
		for (unsigned j = 0; j < lab->program->runs[i].files_count; j++)
			add(&f, NULL, lab->program->runs[i].files[j], "file of a run", false);
	for (unsigned i = 0; i < lab->checks_count; i++) {
		if (lab->checks[i].trace_matches)
			add(&f, NULL, lab->checks[i].trace_matches->reference, "reference trace",
			    false);
		if (lab->checks[i].script)
			add(&f, NULL, lab->checks[i].script->program, "check script", false);
	}
	add(&f, NULL, "solution", "the reference solution", true);
	add(&f, NULL, "starter", "the starter", true);
	for (unsigned i = 0; i < lab->tests_count; i++) {
		const struct lab_example *ex = &lab->tests[i];

		add(&f, NULL, ex->submission, "example submission (tests:)", true);
		if (!ex->other_edition && !ex->substitute_count && ex->expected == lab->total_points)
			add_submission(&f, ex->submission);
	}
	return f.err;
}

int lab_test_open(const char *yaml, struct lab_test *t, char *err, size_t errlen)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = lab_load(yaml, NULL, &t->lab, err, errlen);
	if (ret < 0)
		return ret;
	t->ex = calloc(t->lab->tests_count + 1, sizeof(*t->ex));
	ret = t->ex ? list_files(t) : -ENOMEM;
	for (unsigned i = 0; ret == 0 && i < t->lab->tests_count; i++)
		t->ex[i].ex = &t->lab->tests[i];
	if (ret < 0) {
		snprintf(err, errlen, "%s: out of memory", yaml);
		lab_test_free(t);
	}
	return ret;
}

bool lab_test_listed_failing(const struct lab_test_example *e, const struct lab_check *c)
{
	for (unsigned i = 0; i < e->ex->failing_count; i++)
		if (strcmp(e->ex->failing[i], c->id) == 0)
			return true;
	return false;
}

/* A copy of the example's folder with its substitutions made, in tmp (made here):
 * TMPDIR/kvmlab-labtest-XXXXXX/sub.  0, or -errno with err. */
static int changed_copy(const struct lab_example *ex, const char *dir, char *tmp, size_t len,
			char *err, size_t errlen)
{
	const char *base = getenv("TMPDIR");
	char *sub;
	int ret;

	snprintf(tmp, len, "%s/kvmlab-labtest-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		ret = -errno;
		snprintf(err, errlen, "cannot make a temporary folder %s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		return ret;
	}
	sub = lab_strdupf("%s/sub", tmp);
	if (!sub)
		return -ENOMEM;
	ret = lab_copy_tree(dir, sub, NULL);
	if (ret < 0)
		snprintf(err, errlen, "cannot copy %s: %s", dir, strerror(-ret));
	else
		ret = lab_substitute_apply(ex->substitute, ex->substitute_count, sub, err, errlen);
	free(sub);
	return ret;
}

int lab_test_run(struct lab_test *t, size_t i, const struct lab_runner_opts *ro, char *err,
		 size_t errlen)
{
	struct lab_test_example *e = &t->ex[i];
	char *dir, tmp[PATH_MAX] = "";
	int ret;

	*err = '\0';
	if (e->ex->other_edition)
		return 0;   /* not graded: its checks are another edition's */
	/* loaded anew: values drawn at load time are drawn for each example */
	ret = lab_load(t->lab->file, NULL, &e->lab, err, errlen);
	if (ret < 0)
		return ret;
	if (e->lab->checks_count != t->lab->checks_count) {
		snprintf(err, errlen, "%s changed while it was tested", t->lab->file);
		return -EINVAL;
	}
	dir = lab_strdupf("%s/%s", t->lab->dir, e->ex->submission);
	if (!dir)
		return -ENOMEM;
	if (e->ex->substitute_count) {
		ret = changed_copy(e->ex, dir, tmp, sizeof(tmp), err, errlen);
		free(dir);
		dir = ret == 0 ? lab_strdupf("%s/sub", tmp) : NULL;
		if (ret == -ENOENT)   /* a substitution that no longer applies: the lab's fault */
			ret = -EINVAL;
		if (!dir && ret == 0)
			ret = -ENOMEM;
	}
	if (dir)
		ret = lab_grade_lab(e->lab, dir, ro, &e->gr);
	free(dir);
	if (tmp[0])
		lab_rmtree(tmp);
	if (ret < 0)
		return ret;
	if (e->gr.host) {
		snprintf(err, errlen, "%s", e->gr.run.error);
		return e->gr.host;
	}
	e->graded = true;
	e->ok = true;
	for (unsigned k = 0; k < e->lab->checks_count; k++) {
		const struct lab_check_result *r = &e->gr.res[k];

		if (r->lab_error) {   /* a check script that crashed: the lab's fault */
			snprintf(err, errlen, "%s: the lab failed while grading %s: check '%s': %s",
				 t->lab->file, e->ex->submission, r->check->id,
				 r->message ? r->message : "lab error");
			return -EINVAL;
		}
		e->score += r->score;
		e->max += r->max_score;
		if ((r->status != LAB_PASS) != lab_test_listed_failing(e, r->check))
			e->ok = false;
	}
	e->ok &= e->score == e->ex->expected;
	return 0;
}

void lab_test_free(struct lab_test *t)
{
	for (unsigned i = 0; t->ex && t->lab && i < t->lab->tests_count; i++) {
		if (t->ex[i].lab)
			lab_graded_free(t->ex[i].lab, &t->ex[i].gr);
		lab_free(t->ex[i].lab);
	}
	for (size_t i = 0; i < t->nfiles; i++)
		free(t->files[i].path);
	free(t->files);
	free(t->ex);
	lab_free(t->lab);
	memset(t, 0, sizeof(*t));
}
