/* batch.c - grading a folder of submissions, each in a child process with limits. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "grade.h"
#include "progrun.h"
#include "runner.h"
#include "labfile.h"

#define CHILD_FLOOD (16u << 20)       /* more than this: killed as flooding */

static const char *const status_names[LAB_BATCH__COUNT] = {
	[LAB_BATCH_OK] = "ok",
	[LAB_BATCH_ERROR] = "error",
	[LAB_BATCH_LOAD_ERROR] = "load_error",
	[LAB_BATCH_HOST_ERROR] = "host_error",
	[LAB_BATCH_CRASHED] = "crashed",
	[LAB_BATCH_TIMEOUT] = "timeout",
	[LAB_BATCH_FLOOD] = "flood",
	[LAB_BATCH_REPORT_ERROR] = "report_error",
	[LAB_BATCH_REJECTED] = "rejected",
};

const char *lab_batch_status_name(enum lab_batch_status s)
{
	return (unsigned)s < LAB_BATCH__COUNT ? status_names[s] : "?";
}

static const char *fmt_ext(enum lab_report_format f)
{
	switch (f) {
	case LAB_REPORT_TAP:
	case LAB_REPORT_TAP13: return "tap";
	case LAB_REPORT_JUNIT: return "xml";
	case LAB_REPORT_GRADESCOPE:
	case LAB_REPORT_CLASSROOM: return "json";
	default: return "txt";
	}
}

/* The child: grade one submission; "score max status reason" on res_fd, then exit. */
static void child(const struct lab_batch_opts *o, const struct lab_batch_result *r, int out_fd,
		  int res_fd)
{
	struct rlimit cpu = { o->timeout_s + 5, o->timeout_s + 5 };
	struct rlimit as = { 4ull << 30, 4ull << 30 };
	struct rlimit fsz = { 64u << 20, 64u << 20 };
	struct lab_grade g;
	enum lab_batch_status st;
	char *why;
	FILE *rep = NULL;
	char path[PATH_MAX + 300], prefix[PATH_MAX + 300];
	int ret, report_err = 0;

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
	if (o->report_dir) {
		snprintf(path, sizeof(path), "%s/%s.%s", o->report_dir, r->name, fmt_ext(o->fmt));
		rep = fopen(path, "w");
		report_err = rep ? 0 : errno;
		/* a program lab's drawings beside the report: DIR/NAME.l-flow.svg */
		snprintf(prefix, sizeof(prefix), "%s/%s.", o->report_dir, r->name);
		lab_program_set_drawings(prefix);
	}
	ret = lab_grade(o->lab, r->path, r->name, &o->runner, o->fmt, o->view, rep, &g);
	if (rep && fclose(rep) != 0 && ret == 0)
		report_err = errno;
	if (report_err && ret == 0) {   /* graded, but the report is not there */
		ret = -report_err;
		g.failed = LAB_GRADE_REPORT;
		snprintf(g.error, sizeof(g.error), "writing the report %.300s: %s", path,
			 strerror(report_err));
	}
	st = g.failed == LAB_GRADE_OK ? LAB_BATCH_OK : g.failed == LAB_GRADE_LAB ? LAB_BATCH_LOAD_ERROR
		: g.failed == LAB_GRADE_HOST ? LAB_BATCH_HOST_ERROR : LAB_BATCH_REPORT_ERROR;
	why = ret == 0 ? g.reason : g.error;
	for (char *p = why; *p; p++)   /* the result is one line */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	dprintf(res_fd, "%u %u %d %s\n", g.score, g.max, (int)st, why);
	fflush(stdout);
	_exit(ret < 0);
}

int lab_batch_child_start(const struct lab_batch_opts *o, const struct lab_batch_result *r,
			  struct lab_batch_child *c)
{
	int out[2], res[2];

	memset(c, 0, sizeof(*c));
	c->out_fd = c->res_fd = -1;
	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(res, O_CLOEXEC) < 0) {
		int err = -errno;

		close(out[0]);
		close(out[1]);
		return err;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		int err = -errno;

		close(out[0]);
		close(out[1]);
		close(res[0]);
		close(res[1]);
		return err;
	}
	if (c->pid == 0) {
		close(out[0]);
		close(res[0]);
		child(o, r, out[1], res[1]);
	}
	setpgid(c->pid, c->pid);
	close(out[1]);
	close(res[1]);
	c->out_fd = out[0];
	c->res_fd = res[0];
	c->start = vmm_clock_s();
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(c->res_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

static void drain(struct lab_batch_child *c)
{
	char buf[65536];
	ssize_t n;

	while (c->out_fd >= 0 && (n = read(c->out_fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		c->out_bytes += (size_t)n;   /* the text is not kept: only counted */
		if (c->out_bytes > CHILD_FLOOD && !c->flooded) {
			c->flooded = true;
			kill(-c->pid, SIGKILL);
		}
	}
	while (c->res_fd >= 0 && (n = read(c->res_fd, c->res + c->res_len,
					    sizeof(c->res) - 1 - c->res_len)) > 0)
		c->res_len += (size_t)n;
	c->res[c->res_len] = '\0';
}

/* The child has ended with wait status `status`: its result. */
static void finish(struct lab_batch_child *c, int status, unsigned max, struct lab_batch_result *r)
{
	unsigned score = 0, mx = max;
	int st = -1, pos = 0;

	r->seconds = vmm_clock_s() - c->start;
	drain(c);
	close(c->out_fd);
	close(c->res_fd);
	c->out_fd = c->res_fd = -1;
	r->max = max;
	r->score = 0;
	if (c->timed_out) {
		r->status = LAB_BATCH_TIMEOUT;
		snprintf(r->reason, sizeof(r->reason), "killed after %.0f s (wall-clock limit)",
			 r->seconds);
	} else if (c->flooded) {
		r->status = LAB_BATCH_FLOOD;
		snprintf(r->reason, sizeof(r->reason), "killed: more than %u MiB of output",
			 CHILD_FLOOD >> 20);
	} else if (WIFSIGNALED(status)) {
		r->status = LAB_BATCH_CRASHED;
		snprintf(r->reason, sizeof(r->reason), "the grading process died with signal %d "
			 "(%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WTERMSIG(status) == SIGXCPU ? ": CPU time limit" : "");
	} else if (sscanf(c->res, "%u %u %d %n", &score, &mx, &st, &pos) >= 3 &&
		   st >= 0 && st < LAB_BATCH__COUNT) {
		char *nl = strchr(c->res + pos, '\n');

		if (nl)
			*nl = '\0';
		r->score = score;
		r->max = mx;
		snprintf(r->reason, sizeof(r->reason), "%s", c->res + pos);
		r->status = (enum lab_batch_status)st;
		if (r->status == LAB_BATCH_OK && r->reason[0] && score < mx)
			r->status = LAB_BATCH_ERROR;
	} else {
		r->status = LAB_BATCH_CRASHED;
		snprintf(r->reason, sizeof(r->reason), "the grading process exited with status %d "
			 "without a result", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

bool lab_batch_child_poll(const struct lab_batch_opts *o, struct lab_batch_child *c,
			  unsigned max, struct lab_batch_result *r)
{
	int status;

	drain(c);
	if (!c->timed_out && vmm_clock_s() - c->start > o->timeout_s) {
		c->timed_out = true;
		kill(-c->pid, SIGKILL);
	}
	if (waitpid(c->pid, &status, WNOHANG) != c->pid)
		return false;
	kill(-c->pid, SIGKILL);   /* leftover grandchildren (gcc) */
	finish(c, status, max, r);
	return true;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct lab_batch_result *)a)->name,
		      ((const struct lab_batch_result *)b)->name);
}

/* The submission folders in dir, sorted, this shard's only. */
static int list_submissions(const struct lab_batch_opts *o, struct lab_batch *b)
{
	DIR *d = opendir(o->dir);
	struct dirent *de;
	size_t cap = 0, n = 0;

	if (!d) {
		int err = -errno;

		snprintf(b->error, sizeof(b->error), "%s: %s", o->dir, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		struct lab_batch_result *grown;
		char p[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", o->dir, de->d_name);
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		grown = vmm_array_grow(b->subs, &cap, sizeof(*grown), b->count + 1, 64);
		if (!grown) {   /* b->subs is still there: lab_batch_free frees it */
			closedir(d);
			snprintf(b->error, sizeof(b->error), "out of memory");
			return -ENOMEM;
		}
		b->subs = grown;
		memset(&b->subs[b->count], 0, sizeof(b->subs[0]));
		snprintf(b->subs[b->count].name, sizeof(b->subs[0].name), "%s", de->d_name);
		snprintf(b->subs[b->count].path, sizeof(b->subs[0].path), "%s", p);
		b->count++;
	}
	closedir(d);
	for (size_t i = 0; i < o->ndecided; i++) {
		struct lab_batch_result *grown = vmm_array_grow(b->subs, &cap, sizeof(*grown), b->count + 1, 64);
		if (!grown) {
			snprintf(b->error, sizeof(b->error), "out of memory");
			return -ENOMEM;
		}
		b->subs = grown;
		b->subs[b->count] = o->decided[i];
		b->subs[b->count].decided = true;
		b->subs[b->count].max = b->max;
		b->count++;
	}
	if (b->count)
		qsort(b->subs, b->count, sizeof(*b->subs), cmp_name);
	for (size_t i = 0; i < b->count; i++)   /* shard: keep index % N == K - 1 */
		if (o->shard_n <= 1 || i % o->shard_n == o->shard_k - 1)
			b->subs[n++] = b->subs[i];
	b->count = n;
	return 0;
}

int lab_batch_run(const struct lab_batch_opts *o, struct lab_batch *b)
{
	struct lab_batch_child child[LAB_BATCH_MAX_JOBS];
	struct lab_batch_result *running[LAB_BATCH_MAX_JOBS] = { 0 };
	size_t done = 0, next = 0;
	struct lab *lab;
	double t0 = vmm_clock_s();
	int ret;

	memset(b, 0, sizeof(*b));
	b->lab = o->lab;
	b->shard_k = o->shard_k;
	b->shard_n = o->shard_n;
	if (o->jobs < 1 || o->jobs > LAB_BATCH_MAX_JOBS || o->timeout_s < 1 ||
	    (o->shard_n && (o->shard_k < 1 || o->shard_k > o->shard_n))) {
		snprintf(b->error, sizeof(b->error), "jobs, timeout or shard out of range");
		return -EINVAL;
	}
	ret = lab_load(o->lab, NULL, &lab, b->error, sizeof(b->error));
	if (ret < 0) {
		b->lab_failed = true;
		return ret;
	}
	b->max = lab->total_points;
	lab_free(lab);
	/* measured once here, before the children are forked (they inherit the answer) */
	ret = lab_runner_check_sandbox(&o->runner, b->error, sizeof(b->error));
	if (ret < 0)
		return ret;
	ret = 0;
	if (o->report_dir) {
		struct stat st;

		if (mkdir(o->report_dir, 0777) < 0 && errno != EEXIST)
			ret = -errno;
		else if (stat(o->report_dir, &st) < 0)
			ret = -errno;
		else if (!S_ISDIR(st.st_mode))
			ret = -ENOTDIR;
		if (ret < 0) {
			snprintf(b->error, sizeof(b->error), "%s: %s", o->report_dir, strerror(-ret));
			return ret;
		}
	}
	ret = list_submissions(o, b);
	if (ret < 0)
		return ret;
	while (done < b->count) {
		struct pollfd pfd[2 * LAB_BATCH_MAX_JOBS];
		nfds_t np = 0;

		for (unsigned j = 0; j < o->jobs && next < b->count; j++) {
			struct lab_batch_result *r = &b->subs[next];

			if (running[j])
				continue;
			if (r->decided) {
				next++;
				done++;
				if (o->progress)
					o->progress(o->ctx, done, b->count, r);
				continue;
			}
			ret = lab_batch_child_start(o, r, &child[j]);
			next++;
			if (ret < 0) {
				r->status = LAB_BATCH_ERROR;
				r->max = b->max;
				snprintf(r->reason, sizeof(r->reason), "could not start a grading "
					 "process: %s", strerror(-ret));
				done++;
				if (o->progress)
					o->progress(o->ctx, done, b->count, r);
				continue;
			}
			running[j] = r;
		}
		for (unsigned j = 0; j < o->jobs; j++)
			if (running[j]) {
				pfd[np++] = (struct pollfd){ .fd = child[j].out_fd, .events = POLLIN };
				pfd[np++] = (struct pollfd){ .fd = child[j].res_fd, .events = POLLIN };
			}
		if (np)
			poll(pfd, np, 50);
		for (unsigned j = 0; j < o->jobs; j++) {
			if (!running[j] || !lab_batch_child_poll(o, &child[j], b->max, running[j]))
				continue;
			done++;
			if (o->progress)
				o->progress(o->ctx, done, b->count, running[j]);
			running[j] = NULL;
		}
	}
	for (size_t i = 0; i < b->count; i++) {
		b->full_marks += b->subs[i].score == b->subs[i].max;
		b->failed += b->subs[i].status != LAB_BATCH_OK;
		b->report_errors += b->subs[i].status == LAB_BATCH_REPORT_ERROR;
	}
	b->seconds = vmm_clock_s() - t0;
	return 0;
}

void lab_batch_free(struct lab_batch *b)
{
	free(b->subs);
	b->subs = NULL;
	b->count = 0;
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

int lab_batch_write_csv(const struct lab_batch *b, FILE *f)
{
	fprintf(f, "submission,score,max,status,reason\n");
	for (size_t i = 0; i < b->count; i++) {
		csv_str(f, b->subs[i].name);
		fprintf(f, ",%u,%u,%s,", b->subs[i].score, b->subs[i].max,
			lab_batch_status_name(b->subs[i].status));
		csv_str(f, b->subs[i].reason);
		fputc('\n', f);
	}
	return lab_fflush(f);
}

int lab_batch_write_json(const struct lab_batch *b, FILE *f)
{
	struct json_object *doc = json_object_new_object(), *subs = json_object_new_array();
	char shard[32];
	int err = 0;

	snprintf(shard, sizeof(shard), "%u/%u", b->shard_n ? b->shard_k : 1, b->shard_n ? b->shard_n : 1);
	err |= lab_json_add(doc, "lab", lab_json_text(b->lab));
	err |= lab_json_add(doc, "max", json_object_new_int64(b->max));
	err |= lab_json_add(doc, "count", json_object_new_int64((int64_t)b->count));
	err |= lab_json_add(doc, "full_marks", json_object_new_int64(b->full_marks));
	err |= lab_json_add(doc, "failed", json_object_new_int64(b->failed));
	err |= lab_json_add(doc, "shard", lab_json_text(shard));
	err |= lab_json_add(doc, "seconds", lab_json_seconds(b->seconds));
	for (size_t i = 0; i < b->count; i++) {
		const struct lab_batch_result *r = &b->subs[i];
		struct json_object *s = json_object_new_object();

		err |= lab_json_add(s, "submission", lab_json_text(r->name));
		err |= lab_json_add(s, "score", json_object_new_int64(r->score));
		err |= lab_json_add(s, "max", json_object_new_int64(r->max));
		err |= lab_json_add(s, "status", lab_json_text(lab_batch_status_name(r->status)));
		err |= lab_json_add(s, "reason", lab_json_text(r->reason));
		err |= lab_json_add(s, "seconds", lab_json_seconds(r->seconds));
		err |= lab_json_append(subs, s);
	}
	err |= lab_json_add(doc, "submissions", subs);
	if (!err)
		err = lab_json_write(doc, f);
	json_object_put(doc);
	return err;
}
