/* run-bench.c - benchmark: `kvmlab run hello --mode long` against a minimal KVM program.
 *
 * Both are timed as whole processes (spawn to exit, wall clock), N runs each,
 * alternating so that both see the same machine state.  The minimal program is
 * minikvm (tests/bench/minikvm.c): kvm-hello-world's long-mode path, loading the
 * flat hello image.  A third row, `kvmlab run --flat 0 --mode long
 * hello-flat-64.bin`, runs the very image minikvm runs.  Prints median, p90, mean
 * and min per process and the ratios; the target is kvmlab within 1.5x.
 *
 * It fails only on errors (a process that does not exit 0); never on a figure.
 * Exit 77 (skipped) when /dev/kvm cannot be opened.
 *
 * usage: run-bench KVMLAB MINIKVM GUESTS_DIR [N]   (N also from BENCH_RUNS; default 200)
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

extern char **environ;

#define WARMUP 10

struct variant {
	const char *name;
	char *argv[8];
	double *ms;
};

/* Run argv with stdin, stdout and stderr on /dev/null; wall time in ms, or -1 on failure. */
static double time_one(char **argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, err;
	double t0, t1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = (vmm_clock_s() * 1e3);
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	if (err == 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	t1 = (vmm_clock_s() * 1e3);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		fprintf(stderr, "run-bench: cannot start %s: %s\n", argv[0], strerror(err));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "run-bench: %s", argv[0]);
		for (int i = 1; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		if (WIFEXITED(status))
			fprintf(stderr, ": exit status %d\n", WEXITSTATUS(status));
		else
			fprintf(stderr, ": killed by signal %d\n", WTERMSIG(status));
		return -1;
	}
	return t1 - t0;
}

/* The first three fields of /proc/loadavg: other work on the machine skews the figures. */
static const char *loadavg(void)
{
	static char buf[64];
	FILE *f = fopen("/proc/loadavg", "r");
	float a = 0, b = 0, c = 0;

	if (!f || fscanf(f, "%f %f %f", &a, &b, &c) != 3)
		snprintf(buf, sizeof(buf), "?");
	else
		snprintf(buf, sizeof(buf), "%.2f %.2f %.2f", a, b, c);
	if (f)
		fclose(f);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, int n, double p)
{
	int k = (int)(p / 100.0 * n + 0.999999) - 1;

	return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

int main(int argc, char **argv)
{
	static char flat[4096], mode[] = "--mode", lng[] = "long", run[] = "run", hello[] = "hello",
		    flatopt[] = "--flat", zero[] = "0";
	struct variant v[3];
	char load0[64];
	const char *env = getenv("BENCH_RUNS");
	int n = argc > 4 ? atoi(argv[4]) : env ? atoi(env) : 200;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: run-bench KVMLAB MINIKVM GUESTS_DIR [N]\n");
		return 2;
	}
	if (n < 1 || n > 100000) {
		fprintf(stderr, "run-bench: N must be 1 to 100000\n");
		return 2;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("SKIP: cannot open /dev/kvm (%s)\n", strerror(errno));
		return 77;
	}
	close(fd);
	snprintf(flat, sizeof(flat), "%s/hello-flat-64.bin", argv[3]);

	v[0] = (struct variant){ "minikvm hello-flat-64.bin", { argv[2], flat, NULL }, NULL };
	v[1] = (struct variant){ "kvmlab run hello --mode long", { argv[1], run, hello, mode, lng, NULL }, NULL };
	v[2] = (struct variant){ "kvmlab run --flat 0 hello-flat-64.bin",
				 { argv[1], run, flatopt, zero, mode, lng, flat, NULL }, NULL };
	for (int j = 0; j < 3; j++) {
		v[j].ms = calloc((size_t)n, sizeof(double));
		if (!v[j].ms)
			return 2;
	}

	snprintf(load0, sizeof(load0), "%s", loadavg());
	for (int i = 0; i < WARMUP; i++)
		for (int j = 0; j < 3; j++)
			if (time_one(v[j].argv) < 0)
				return 1;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < 3; j++) {
			/* Alternate the order too, so neither is always first after the other. */
			int k = (i & 1) ? 2 - j : j;

			v[k].ms[i] = time_one(v[k].argv);
			if (v[k].ms[i] < 0)
				return 1;
		}

	printf("run-vs-minimal: whole-process wall time, %d runs each (after %d warm-up), "
	       "alternating\n\n", n, WARMUP);
	printf("  %-40s %9s %9s %9s %9s\n", "process", "median", "p90", "mean", "min");
	for (int j = 0; j < 3; j++) {
		double sum = 0;

		for (int i = 0; i < n; i++)
			sum += v[j].ms[i];
		qsort(v[j].ms, (size_t)n, sizeof(double), cmp_double);
		printf("  %-40s %6.3f ms %6.3f ms %6.3f ms %6.3f ms\n", v[j].name,
		       pct(v[j].ms, n, 50), pct(v[j].ms, n, 90), sum / n, v[j].ms[0]);
	}
	printf("\n  ratio kvmlab run hello / minikvm:     median %.2fx, p90 %.2fx (target: within 1.5x)\n",
	       pct(v[1].ms, n, 50) / pct(v[0].ms, n, 50), pct(v[1].ms, n, 90) / pct(v[0].ms, n, 90));
	printf("  ratio kvmlab run --flat 0 / minikvm: median %.2fx, p90 %.2fx\n",
	       pct(v[2].ms, n, 50) / pct(v[0].ms, n, 50), pct(v[2].ms, n, 90) / pct(v[0].ms, n, 90));
	printf("  ratio of the minimums (least disturbed by other load): %.2fx\n",
	       v[1].ms[0] / v[0].ms[0]);
	printf("  load average before and after: %s / %s\n", load0, loadavg());
	printf("  verdict: kvmlab run hello is %s the 1.5x target (median)\n",
	       pct(v[1].ms, n, 50) <= 1.5 * pct(v[0].ms, n, 50) ? "within" : "OUTSIDE");
	for (int j = 0; j < 3; j++)
		free(v[j].ms);
	return 0;
}
