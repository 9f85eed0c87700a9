/* cmd_grade.c - `kvmlab grade`: build, run and check a submission; --batch for a class. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "gradebook.h"
#include "grademerge.h"
#include "intake.h"
#include "labcli.h"
#include "labfile.h"
#include "report.h"

#define CHILD_OUT_CAP (64u << 10)     /* bytes of a child's stdout/stderr kept */
#define CHILD_FLOOD (16u << 20)       /* more than this: killed as flooding */

struct grade_opts {
	enum lab_report_format fmt;
	const char *output;
	const char *batch;
	unsigned jobs;
	unsigned shard_k, shard_n;
	const char *csv, *json;
	const char *gradescope_csv, *moodle_csv;   /* gradebook imports (gradebook.h) */
	const char *reports;          /* a folder: one submission's report in every format */
	unsigned timeout_s;           /* per submission, batch */
	bool all;                     /* instructor view of hidden checks */
};

struct sub {
	char name[256];
	char path[PATH_MAX];
	unsigned score, max;
	const char *status;           /* "ok", "error", "crashed", "timeout", "flood", "killed" */
	char reason[512];
	double seconds;
	/* while running */
	pid_t pid;
	int out_fd, res_fd;
	size_t out_bytes;
	char res[1024];
	size_t res_len;
	double start;
	bool flooded, timed_out;
	bool rejected;                /* its archive was refused: never graded (intake.h) */
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *fmt_ext(enum lab_report_format f)
{
	switch (f) {
	case LAB_REPORT_TAP:
	case LAB_REPORT_TAP13: return "tap";
	case LAB_REPORT_JUNIT: return "xml";
	case LAB_REPORT_GRADESCOPE: return "json";
	default: return "txt";
	}
}

/* The child: grade one submission; result "score max reason" on res_fd. */
static void child(const char *yaml, struct sub *s, const struct grade_opts *o, int out_fd,
		  int res_fd)
{
	struct rlimit cpu = { o->timeout_s + 5, o->timeout_s + 5 };
	struct rlimit as = { 4ull << 30, 4ull << 30 };
	struct rlimit fsz = { 64u << 20, 64u << 20 };
	struct labcli_grade g;
	FILE *rep = NULL;
	char path[PATH_MAX + 300];
	int st;

	setpgid(0, 0);
	setrlimit(RLIMIT_CPU, &cpu);
#ifndef __SANITIZE_ADDRESS__
	setrlimit(RLIMIT_AS, &as);  /* AddressSanitizer reserves terabytes of address space */
#else
	(void)as;
#endif
	setrlimit(RLIMIT_FSIZE, &fsz);
	signal(SIGXFSZ, SIG_IGN);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	if (o->output) {
		snprintf(path, sizeof(path), "%s/%s.%s", o->output, s->name, fmt_ext(o->fmt));
		rep = fopen(path, "w");
	}
	st = labcli_grade(yaml, s->path, s->name, o->fmt, o->all, rep, &g);
	if (rep)
		fclose(rep);
	for (char *p = g.reason; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	dprintf(res_fd, "%u %u %d %s\n", g.score, g.max, st, g.reason);
	fflush(stdout);
	_exit(st);
}

static int start(const char *yaml, struct sub *s, const struct grade_opts *o)
{
	int out[2], res[2];

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0)
		return -errno;
	if (s->pid == 0) {
		close(out[0]);
		close(res[0]);
		child(yaml, s, o, out[1], res[1]);
	}
	setpgid(s->pid, s->pid);
	close(out[1]);
	close(res[1]);
	s->out_fd = out[0];
	s->res_fd = res[0];
	s->start = now();
	fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(s->res_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void drain(struct sub *s)
{
	char buf[65536];
	ssize_t n;

	while (s->out_fd >= 0 && (n = read(s->out_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		s->out_bytes += (size_t)n;   /* the text is not kept: only counted */
		if (s->out_bytes > CHILD_FLOOD && !s->flooded) {
			s->flooded = true;
			kill(-s->pid, SIGKILL);
		}
	}
	while (s->res_fd >= 0 && (n = read(s->res_fd, s->res + s->res_len,
					    sizeof(s->res) - 1 - s->res_len)) > 0)
		s->res_len += (size_t)n;
	s->res[s->res_len] = '\0';
}

static void finish(struct sub *s, int status, unsigned max)
{
	unsigned score = 0, mx = max;
	int st = -1, pos = 0;

	s->seconds = now() - s->start;
	drain(s);
	close(s->out_fd);
	close(s->res_fd);
	s->out_fd = s->res_fd = -1;
	s->max = max;
	if (s->timed_out) {
		s->status = "timeout";
		snprintf(s->reason, sizeof(s->reason), "killed after %.0f s (wall-clock limit)",
			 s->seconds);
	} else if (s->flooded) {
		s->status = "flood";
		snprintf(s->reason, sizeof(s->reason), "killed: more than %u MiB of output",
			 CHILD_FLOOD >> 20);
	} else if (WIFSIGNALED(status)) {
		s->status = "crashed";
		snprintf(s->reason, sizeof(s->reason), "the grading process died with signal %d "
			 "(%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WTERMSIG(status) == SIGXCPU ? ": CPU time limit" : "");
	} else if (sscanf(s->res, "%u %u %d %n", &score, &mx, &st, &pos) >= 3) {
		char *nl = strchr(s->res + pos, '\n');

		if (nl)
			*nl = '\0';
		s->score = score;
		s->max = mx;
		snprintf(s->reason, sizeof(s->reason), "%s", s->res + pos);
		s->status = st == EXIT_LOAD ? "load_error" : st == EXIT_HOST ? "host_error"
			: s->reason[0] && score < mx ? "error" : "ok";
		return;
	} else {
		s->status = "crashed";
		snprintf(s->reason, sizeof(s->reason), "the grading process exited with status %d "
			 "without a result", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	s->score = 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct sub *)a)->name, ((const struct sub *)b)->name);
}

static void json_str(FILE *f, const char *s)
{
	lab_fput_json_string(f, s);
}

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The gradebook files a batch was asked for (--gradescope-csv, --moodle-csv). */
static int write_gradebooks(const char *yaml, unsigned max, const struct sub *subs, size_t n,
			    const struct grade_opts *o)
{
	struct lab_gradebook g;
	int ret = 0;

	lab_gradebook_init(&g, yaml, max);
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = lab_gradebook_add(&g, subs[i].name, subs[i].score, subs[i].max,
					subs[i].status, subs[i].reason, subs[i].seconds);
	if (ret == 0)
		ret = grademerge_write(&g, NULL, NULL, o->gradescope_csv, o->moodle_csv);
	lab_gradebook_free(&g);
	return ret < 0 ? EXIT_USAGE : 0;
}

static int batch(const char *yaml, const struct grade_opts *o, const struct lab_intake *in)
{
	struct lab *lab;
	char err[512];
	DIR *d;
	struct dirent *de;
	struct sub *subs = NULL, **run;
	size_t nsubs = 0, cap = 0, ntodo = 0, done = 0, next = 0, running = 0;
	unsigned max;
	bool all_full = true;
	double t0 = now();

	if (lab_load(yaml, NULL, &lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_LOAD;
	}
	max = lab->total_points;
	lab_free(lab);
	d = opendir(in->dir);
	if (!d)
		return cli_error(EXIT_USAGE, "--batch %s: %s", o->batch, strerror(errno));
	while ((de = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%.3800s/%s", in->dir, de->d_name) >= (int)sizeof(p))
			continue;
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (nsubs == cap) {
			cap = cap ? cap * 2 : 64;
			subs = realloc(subs, cap * sizeof(*subs));
			if (!subs)
				return cli_error(EXIT_HOST, "out of memory");
		}
		memset(&subs[nsubs], 0, sizeof(*subs));
		snprintf(subs[nsubs].name, sizeof(subs[nsubs].name), "%s", de->d_name);
		snprintf(subs[nsubs].path, sizeof(subs[nsubs].path), "%s", p);
		nsubs++;
	}
	closedir(d);
	for (size_t i = 0; i < in->nrejects; i++) {   /* refused archives: graded 0, with why */
		if (nsubs == cap) {
			cap = cap ? cap * 2 : 64;
			subs = realloc(subs, cap * sizeof(*subs));
			if (!subs)
				return cli_error(EXIT_HOST, "out of memory");
		}
		memset(&subs[nsubs], 0, sizeof(*subs));
		snprintf(subs[nsubs].name, sizeof(subs[nsubs].name), "%s", in->rejects[i].id);
		snprintf(subs[nsubs].reason, sizeof(subs[nsubs].reason), "%s",
			 in->rejects[i].reason);
		subs[nsubs].status = "rejected";
		subs[nsubs].max = max;
		subs[nsubs].rejected = true;
		nsubs++;
	}
	if (nsubs)
		qsort(subs, nsubs, sizeof(*subs), cmp_name);
	/* shard: keep index % N == K - 1 */
	for (size_t i = 0; i < nsubs; i++)
		if (o->shard_n <= 1 || i % o->shard_n == o->shard_k - 1)
			subs[ntodo++] = subs[i];
	nsubs = ntodo;
	run = calloc(o->jobs, sizeof(*run));
	if (!run)
		return cli_error(EXIT_HOST, "out of memory");
	while (done < nsubs) {
		struct pollfd pfd[2 * 64];
		int np = 0, status;

		while (running < o->jobs && next < nsubs) {
			if (subs[next].rejected) {
				done++;
				all_full = false;
				fprintf(stderr, "[%zu/%zu] %s: 0/%u (rejected: %s)\n", done, nsubs,
					subs[next].name, max, subs[next].reason);
				next++;
				continue;
			}
			for (unsigned j = 0; j < o->jobs; j++)
				if (!run[j]) {
					if (start(yaml, &subs[next], o) < 0) {
						subs[next].status = "error";
						snprintf(subs[next].reason, sizeof(subs[next].reason),
							 "fork failed: %s", strerror(errno));
						subs[next].max = max;
						done++;
					} else {
						run[j] = &subs[next];
						running++;
					}
					next++;
					break;
				}
		}
		for (unsigned j = 0; j < o->jobs; j++)
			if (run[j]) {
				pfd[np++] = (struct pollfd){ .fd = run[j]->out_fd, .events = POLLIN };
				pfd[np++] = (struct pollfd){ .fd = run[j]->res_fd, .events = POLLIN };
			}
		if (np)
			poll(pfd, (nfds_t)np, 50);
		for (unsigned j = 0; j < o->jobs; j++) {
			struct sub *s = run[j];
			pid_t w;

			if (!s)
				continue;
			drain(s);
			if (!s->timed_out && now() - s->start > o->timeout_s) {
				s->timed_out = true;
				kill(-s->pid, SIGKILL);
			}
			w = waitpid(s->pid, &status, WNOHANG);
			if (w != s->pid)
				continue;
			kill(-s->pid, SIGKILL);   /* leftover grandchildren (gcc) */
			finish(s, status, max);
			run[j] = NULL;
			running--;
			done++;
			if (s->score != s->max)
				all_full = false;
			if (strcmp(s->status, "ok") == 0)
				fprintf(stderr, "[%zu/%zu] %s: %u/%u\n", done, nsubs, s->name,
					s->score, s->max);
			else
				fprintf(stderr, "[%zu/%zu] %s: %u/%u (%s%s%s)\n", done, nsubs, s->name,
					s->score, s->max, s->status, s->reason[0] ? ": " : "",
					s->reason);
		}
	}
	free(run);
	if (o->csv) {
		FILE *f = fopen(o->csv, "w");

		if (!f)
			return cli_error(EXIT_USAGE, "--csv %s: %s", o->csv, strerror(errno));
		fprintf(f, "submission,score,max,status,reason\n");
		for (size_t i = 0; i < nsubs; i++) {
			csv_str(f, subs[i].name);
			fprintf(f, ",%u,%u,%s,", subs[i].score, subs[i].max, subs[i].status);
			csv_str(f, subs[i].reason);
			fputc('\n', f);
		}
		fclose(f);
	}
	if (o->json) {
		FILE *f = fopen(o->json, "w");
		unsigned full = 0, failed = 0;

		if (!f)
			return cli_error(EXIT_USAGE, "--json %s: %s", o->json, strerror(errno));
		for (size_t i = 0; i < nsubs; i++) {
			full += subs[i].score == subs[i].max;
			failed += strcmp(subs[i].status, "ok") != 0;
		}
		fprintf(f, "{\n  \"lab\": ");
		json_str(f, yaml);
		fprintf(f, ",\n  \"max\": %u,\n  \"count\": %zu,\n  \"full_marks\": %u,\n"
			"  \"failed\": %u,\n  \"shard\": \"%u/%u\",\n  \"seconds\": ", max, nsubs,
			full, failed, o->shard_n ? o->shard_k : 1, o->shard_n ? o->shard_n : 1);
		lab_fput_seconds(f, now() - t0);
		fprintf(f, ",\n  \"submissions\": [");
		for (size_t i = 0; i < nsubs; i++) {
			fprintf(f, "%s\n    {\"submission\": ", i ? "," : "");
			json_str(f, subs[i].name);
			fprintf(f, ", \"score\": %u, \"max\": %u, \"status\": \"%s\", \"reason\": ",
				subs[i].score, subs[i].max, subs[i].status);
			json_str(f, subs[i].reason);
			fprintf(f, ", \"seconds\": ");
			lab_fput_seconds(f, subs[i].seconds);
			fputc('}', f);
		}
		fprintf(f, "\n  ]\n}\n");
		fclose(f);
	}
	if ((o->gradescope_csv || o->moodle_csv) &&
	    write_gradebooks(yaml, max, subs, nsubs, o) != 0) {
		free(subs);
		return EXIT_USAGE;
	}
	fprintf(stderr, "kvmlab: graded %zu submissions in %.1f s\n", nsubs, now() - t0);
	free(subs);
	return all_full ? EXIT_HALTED : EXIT_DIFFER;
}

/* --reports DIR: the submission's report in every format, as the service keeps them:
 * report.txt, report.tap, report.xml (JUnit), results.json (Gradescope). */
static int grade_reports(const char *yaml, const char *subdir, const struct grade_opts *o)
{
	static const struct { enum lab_report_format fmt; const char *name; } files[] = {
		{ LAB_REPORT_TEXT, "report.txt" }, { LAB_REPORT_TAP, "report.tap" },
		{ LAB_REPORT_JUNIT, "report.xml" }, { LAB_REPORT_GRADESCOPE, "results.json" },
	};
	struct labcli_report reps[4];
	struct labcli_grade g;
	char path[PATH_MAX + 32];
	int st;

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%.4000s/%s", o->reports, files[i].name);
		reps[i].fmt = files[i].fmt;
		reps[i].out = fopen(path, "w");
		if (!reps[i].out) {
			st = cli_error(EXIT_USAGE, "--reports %s: %s", path, strerror(errno));
			while (i-- > 0)
				fclose(reps[i].out);
			return st;
		}
	}
	st = labcli_grade_reports(yaml, subdir, strrchr(subdir, '/') ? strrchr(subdir, '/') + 1 :
				  subdir, o->all, reps, 4, &g);
	for (size_t i = 0; i < 4; i++)
		if (fclose(reps[i].out) != 0)
			st = cli_error(EXIT_USAGE, "--reports %s: %s", o->reports, strerror(errno));
	return st;
}

enum { OPT_FORMAT = 0x300, OPT_BATCH, OPT_SHARD, OPT_CSV, OPT_JSON, OPT_TIMEOUT, OPT_ALL,
	OPT_GRADESCOPE_CSV, OPT_MOODLE_CSV, OPT_REPORTS };

static int grade_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "gradescope-csv", required_argument, NULL, OPT_GRADESCOPE_CSV },
		{ "moodle-csv", required_argument, NULL, OPT_MOODLE_CSV },
		{ "reports", required_argument, NULL, OPT_REPORTS },
		{ 0 },
	};
	struct grade_opts o = { .fmt = LAB_REPORT_TEXT, .jobs = 1, .timeout_s = 60 };
	char yaml[PATH_MAX];
	struct labcli_grade g;
	FILE *out = stdout;
	int c, st;

	if (argc > 1 && strcmp(argv[1], "merge") == 0)
		return grademerge_main(argc - 1, argv + 1);
	if (cli_wants_help(&cmd_grade, argc, argv))
		return 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (lab_report_format_parse(optarg, &o.fmt) < 0)
				return cli_error(EXIT_USAGE, "--format: '%s' is not text, tap, tap13, "
						 "junit or gradescope", optarg);
			break;
		case 'o': o.output = optarg; break;
		case OPT_BATCH: o.batch = optarg; break;
		case 'j':
			o.jobs = (unsigned)atoi(optarg);
			if (o.jobs < 1 || o.jobs > 64)
				return cli_error(EXIT_USAGE, "-j: give 1 to 64");
			break;
		case OPT_SHARD:
			if (sscanf(optarg, "%u/%u", &o.shard_k, &o.shard_n) != 2 || o.shard_n < 1 ||
			    o.shard_k < 1 || o.shard_k > o.shard_n)
				return cli_error(EXIT_USAGE, "--shard: expected K/N with 1 <= K <= N");
			break;
		case OPT_CSV: o.csv = optarg; break;
		case OPT_JSON: o.json = optarg; break;
		case OPT_TIMEOUT:
			o.timeout_s = (unsigned)atoi(optarg);
			if (o.timeout_s < 1)
				return cli_error(EXIT_USAGE, "--timeout: give seconds, at least 1");
			break;
		case OPT_ALL: o.all = true; break;
		case OPT_GRADESCOPE_CSV: o.gradescope_csv = optarg; break;
		case OPT_MOODLE_CSV: o.moodle_csv = optarg; break;
		case OPT_REPORTS: o.reports = optarg; break;
		default:
			return cli_error(EXIT_USAGE, "see kvmlab grade --help");
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_error(EXIT_USAGE, "usage: kvmlab grade LAB [SUBMISSION_DIR] (see --help)");
	if (labcli_find(argv[optind], yaml, sizeof(yaml)) < 0)
		return EXIT_LOAD;
	if (o.batch) {
		struct lab_intake in;
		char err[600];

		if (o.output) {
			mkdir(o.output, 0777);
		}
		if (lab_intake_open(o.batch, NULL, &in, err, sizeof(err)) < 0)
			return cli_error(EXIT_USAGE, "--batch %s", err);
		st = batch(yaml, &o, &in);
		lab_intake_free(&in);
		return st;
	}
	if (o.gradescope_csv || o.moodle_csv)
		return cli_error(EXIT_USAGE, "--gradescope-csv and --moodle-csv go with --batch "
				 "(or kvmlab grade merge)");
	if (o.reports)
		return grade_reports(yaml, argc - optind > 1 ? argv[optind + 1] : ".", &o);
	if (o.output && !(out = fopen(o.output, "w")))
		return cli_error(EXIT_USAGE, "-o %s: %s", o.output, strerror(errno));
	st = labcli_grade(yaml, argc - optind > 1 ? argv[optind + 1] : ".",
			  argc - optind > 1 ? argv[optind + 1] : NULL, o.fmt, o.all, out, &g);
	if (out != stdout)
		fclose(out);
	return st;
}

const struct command cmd_grade = {
	.name = "grade",
	.summary = "grade a lab submission (or a folder of them) and report",
	.help =
	"usage: kvmlab grade [OPTIONS] LAB [SUBMISSION_DIR]\n"
	"       kvmlab grade [OPTIONS] LAB --batch DIR|ARCHIVE [-j N] [--shard K/N] [--csv F] [--json F]\n"
	"       kvmlab grade merge [--csv F] [--json F] [--gradescope-csv F] [--moodle-csv F] SHARD.json...\n\n"
	"Builds the submission (default: the current folder) with the lab's guest and\n"
	"handlers, runs it on KVM, and prints each check with PASS/FAIL, its points and,\n"
	"for a failure, the expected and actual values and a hint.\n"
	"LAB is a lab folder, its lab.yaml, or a lab name from `kvmlab lab list`\n"
	"(04-hypercalls, 04 or hypercalls).\n\n"
	"Options:\n"
	"      --format F        text (default), tap (TAP 14), tap13, junit, gradescope\n"
	"  -o, --output FILE     write the report to FILE (with --batch: a folder, one\n"
	"                        report per submission)\n"
	"      --all             show hidden checks in the text report (instructors)\n"
	"      --reports DIR     write the report in every format into DIR: report.txt,\n"
	"                        report.tap, report.xml (JUnit), results.json (Gradescope)\n"
	"      --batch DIR       grade every folder in DIR, each in its own process with\n"
	"                        CPU, memory, file-size and wall-clock limits; archives\n"
	"                        (ID.zip, ID_anything.tar.gz) in DIR, or DIR itself a zip\n"
	"                        or tarball of them (Moodle's download-all), are unpacked\n"
	"                        first, each in a child with limits; results name the ID\n"
	"  -j, --jobs N          grade N submissions at a time (batch)\n"
	"      --shard K/N       grade only the K-th of N slices (names sorted; index % N == K-1)\n"
	"      --csv FILE        batch summary: submission,score,max,status,reason\n"
	"      --json FILE       batch summary as JSON\n"
	"      --gradescope-csv F  batch scores for Gradescope's import (SID,Total Score)\n"
	"      --moodle-csv F    batch scores for Moodle's grade import (ID number,score,Feedback)\n"
	"      --timeout S       wall-clock limit per submission in a batch (default 60)\n\n"
	"kvmlab grade merge joins the --json summaries of the shards of one batch (every\n"
	"shard K/N once, one lab) into one CSV, JSON and gradebook files.\n\n"
	"Exit status: 0 full marks (every submission, in a batch), 6 below full marks,\n"
	"2 the lab file is invalid (file:line:column), 3 KVM is missing.\n",
	.main = grade_main,
};
