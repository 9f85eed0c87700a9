/* service_worker.c - the grading service's workers: claim, unpack, grade in a child, record. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "intake.h"
#include "sandbox.h"
#include "service_int.h"

#define REPORT_CAP (4u << 20)
#define MAX_CHECKS 256

static const char *const report_files[4] = { "report.txt", "report.tap", "report.xml",
					     "results.json" };

struct job {
	struct lab_queue_sub sub;
	char dir[PATH_MAX];
	char *reports[4];
	struct lab_queue_check checks[MAX_CHECKS];
	size_t nchecks;
};

static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *buf;
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	buf = malloc(REPORT_CAP + 1);
	while (buf && len < REPORT_CAP && (n = read(fd, buf + len, REPORT_CAP - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* The last line of the grader's log, for a reason. */
static void last_line(const char *log, char *out, size_t len)
{
	size_t n = log ? strlen(log) : 0;
	const char *p;

	while (n && (log[n - 1] == '\n' || log[n - 1] == '\r'))
		n--;
	p = log ? log + n : NULL;
	while (p && p > log && p[-1] != '\n')
		p--;
	snprintf(out, len, "%.*s", p ? (int)(log + n - p) : 0, p ? p : "");
}

/* A refused archive's reports: the reason in each format, score 0. */
static void refused_reports(struct job *j)
{
	json_object *o = json_object_new_object();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f) {
		fprintf(f, "Submission %s: 0/%u\n%s\n", j->sub.student, j->sub.max, j->sub.reason);
		fclose(f);
	}
	j->reports[0] = text;
	if (o) {
		json_object_object_add(o, "score", json_object_new_int(0));
		json_object_object_add(o, "output", json_object_new_string(j->sub.reason));
		json_object_object_add(o, "tests", json_object_new_array());
		j->reports[3] = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	}
}

/* Score, max and checks from the grader's results.json. */
static int read_results(struct job *j)
{
	json_object *root, *tests, *v;
	int ret = -EINVAL;
	double max = 0;

	if (!j->reports[3] || !(root = json_tokener_parse(j->reports[3])))
		return -EINVAL;
	if (!json_object_object_get_ex(root, "score", &v))
		goto out;
	j->sub.score = (unsigned)json_object_get_int(v);
	if (json_object_object_get_ex(root, "tests", &tests) &&
	    json_object_is_type(tests, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(tests); i++) {
			json_object *t = json_object_array_get_idx(tests, i), *x;
			struct lab_queue_check *c = &j->checks[j->nchecks];

			if (j->nchecks == MAX_CHECKS)
				break;
			memset(c, 0, sizeof(*c));
			if (json_object_object_get_ex(t, "name", &x))
				snprintf(c->name, sizeof(c->name), "%s", json_object_get_string(x));
			if (json_object_object_get_ex(t, "score", &x))
				c->score = json_object_get_double(x);
			if (json_object_object_get_ex(t, "max_score", &x))
				c->max = json_object_get_double(x);
			c->passed = json_object_object_get_ex(t, "status", &x) &&
				strcmp(json_object_get_string(x), "passed") == 0;
			max += c->max;
			j->nchecks++;
		}
	}
	if (j->nchecks)
		j->sub.max = (unsigned)(max + 0.5);
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

/* Run the grader on dir in a process group with limits; its wait status, or -1 at the
 * deadline (killed). */
static int run_grader(struct lab_service *s, unsigned w, const char *yaml, const char *subdir,
		      const char *outdir, const char *log)
{
	double deadline = vmm_clock_s() + s->c.timeout_s;
	int status = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		struct rlimit cpu = { s->c.timeout_s + 5, s->c.timeout_s + 5 };
		struct rlimit fsz = { 64u << 20, 64u << 20 };
		int null = open("/dev/null", O_RDONLY), out;

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* the service killed: its gradings end too */
		if (getppid() == 1)
			_exit(127);
		setrlimit(RLIMIT_CPU, &cpu);
		setrlimit(RLIMIT_FSIZE, &fsz);
		out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (null < 0 || out < 0)
			_exit(127);
		dup2(null, 0);
		dup2(out, 1);
		dup2(out, 2);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		/* The one place a submission is graded: when the sandbox is on main, `kvmlab
		 * grade` runs the compiler and the student's code in it. */
		execl(s->grader, "kvmlab", "grade", yaml, subdir, "--reports", outdir, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	pthread_mutex_lock(&s->lock);
	s->running[w] = pid;
	pthread_mutex_unlock(&s->lock);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			status = -2;
			break;
		}
		if (vmm_clock_s() > deadline || s->stopping) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			status = -1;
			break;
		}
		usleep(10000);
	}
	kill(-pid, SIGKILL);   /* anything it left behind */
	pthread_mutex_lock(&s->lock);
	s->running[w] = 0;
	pthread_mutex_unlock(&s->lock);
	return status;
}

static void grade(struct lab_service *s, unsigned w, struct job *j)
{
	const struct lab_service_lab *lab = lab_service_find_lab(s, j->sub.lab);
	char subdir[PATH_MAX + 16], log[PATH_MAX + 16], path[PATH_MAX + 32], err[512];
	char *logtext;
	int st, ret;

	snprintf(j->dir, sizeof(j->dir), "%.3000s/jobs/%lld-%u", s->data_dir,
		 (long long)j->sub.id, j->sub.attempts);
	snprintf(subdir, sizeof(subdir), "%.3900s/%s", j->dir, j->sub.student);   /* the report's name */
	snprintf(log, sizeof(log), "%s/grader.log", j->dir);
	j->sub.max = lab ? lab->points : 0;
	lab_rmtree(j->dir);
	if (mkdir(j->dir, 0700) < 0 || !lab) {
		snprintf(j->sub.status, sizeof(j->sub.status), "error");
		snprintf(j->sub.reason, sizeof(j->sub.reason), lab ? "the service could not make a "
			 "folder to grade in: %s" : "the lab %s is no longer served",
			 lab ? strerror(errno) : j->sub.lab);
		refused_reports(j);
		return;
	}
	ret = lab_intake_unpack_one(j->sub.archive, subdir, &s->c.unpack, err, sizeof(err));
	if (ret < 0) {
		snprintf(j->sub.status, sizeof(j->sub.status), "rejected");
		snprintf(j->sub.reason, sizeof(j->sub.reason), "%s", err[0] ? err : strerror(-ret));
		refused_reports(j);
		return;
	}
	st = run_grader(s, w, lab->yaml, subdir, j->dir, log);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", j->dir, report_files[i]);
		j->reports[i] = slurp(path);
	}
	logtext = slurp(log);
	if (st == -1) {
		snprintf(j->sub.status, sizeof(j->sub.status), "timeout");
		snprintf(j->sub.reason, sizeof(j->sub.reason), "grading took longer than %u s and "
			 "was stopped", s->c.timeout_s);
	} else if (st < 0 || WIFSIGNALED(st)) {
		snprintf(j->sub.status, sizeof(j->sub.status), "crashed");
		snprintf(j->sub.reason, sizeof(j->sub.reason), "the grader ended with signal %d",
			 st < 0 ? 0 : WTERMSIG(st));
	} else if ((WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 6) && read_results(j) == 0) {
		snprintf(j->sub.status, sizeof(j->sub.status), "ok");
		j->sub.reason[0] = '\0';
	} else {
		snprintf(j->sub.status, sizeof(j->sub.status), WEXITSTATUS(st) == 3 ? "host_error" :
			 WEXITSTATUS(st) == 2 ? "load_error" : "error");
		last_line(logtext, j->sub.reason, sizeof(j->sub.reason));
		if (!j->sub.reason[0])
			snprintf(j->sub.reason, sizeof(j->sub.reason), "the grader exited with status "
				 "%d and no message%s", WEXITSTATUS(st), WEXITSTATUS(st) == 127 ?
				 " (it could not be started)" : "");
	}
	free(logtext);
	if (!j->reports[3])
		refused_reports(j);
}

static void *worker(void *arg)
{
	struct lab_service *s = arg;
	struct lab_queue *q = NULL;
	unsigned w;

	pthread_mutex_lock(&s->lock);
	w = s->nworkers++;
	pthread_mutex_unlock(&s->lock);
	if (lab_queue_open(s->db_path, false, &q) < 0) {
		lab_queue_close(q);
		return NULL;
	}
	while (!s->stopping) {
		struct job *j = calloc(1, sizeof(*j));
		int ret;

		if (!j)
			break;
		ret = lab_queue_claim(q, &j->sub);
		if (ret < 0) {
			struct timespec until;

			free(j);
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_mutex_lock(&s->lock);
			if (!s->stopping)
				pthread_cond_timedwait(&s->wake, &s->lock, &until);
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		grade(s, w, j);
		if (!s->stopping)   /* stopped: the row stays 'running', graded at the next start */
			lab_queue_finish(q, &j->sub, (const char *const *)j->reports, j->checks,
					 j->nchecks);
		if (!getenv("KVMLAB_KEEP_BUILD"))
			lab_rmtree(j->dir);
		for (int i = 0; i < 4; i++)
			free(j->reports[i]);
		free(j);
	}
	lab_queue_close(q);
	return NULL;
}

int lab_service_workers_start(struct lab_service *s, char *err, size_t errlen)
{
	char jobs[PATH_MAX + 8];

	snprintf(jobs, sizeof(jobs), "%.4000s/jobs", s->data_dir);
	lab_rmtree(jobs);   /* what a killed service left */
	if (mkdir(jobs, 0700) < 0 && errno != EEXIST) {
		int ret = -errno;

		snprintf(err, errlen, "%s: %s", jobs, strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < s->c.jobs; i++) {
		pthread_t t;
		int ret = pthread_create(&t, NULL, worker, s);

		if (ret) {
			snprintf(err, errlen, "starting a worker: %s", strerror(ret));
			return -ret;
		}
		s->workers[i] = t;
	}
	return 0;
}

void lab_service_workers_wake(struct lab_service *s)
{
	pthread_mutex_lock(&s->lock);
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void lab_service_workers_stop(struct lab_service *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	for (unsigned i = 0; i < 64; i++)
		if (s->running[i] > 0)
			kill(-s->running[i], SIGKILL);
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	for (unsigned i = 0; i < s->c.jobs; i++)
		if (s->workers[i])
			pthread_join(s->workers[i], NULL);
}
