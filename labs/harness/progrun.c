/* progrun.c - build a student's hypervisor program and run it under kvmlab exec. */
#include "progrun.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "copytree.h"
#include "exits.h"
#include "labbuf.h"
#include "labdiag.h"
#include "labsubst.h"
#include "progobs.h"
#include "run.h"
#include "sandbox.h"

#ifndef KVMLAB_TIMESCALE_INSTALLED
#define KVMLAB_TIMESCALE_INSTALLED "/usr/local/lib/kvmlab/libkvmlab-timescale.so"
#endif

#define BUILD_TIMEOUT_MS 120000u
#define LOG_CAP (256u * 1024)
#define ABI_FILE_CAP 16384
#define FLOW_DRAW_MAX (256 * 1024)

static char kvmlab_exe[PATH_MAX];
static char timescale_so[PATH_MAX];
static char drawings[PATH_MAX];

void lab_program_set_drawings(const char *prefix)
{
	snprintf(drawings, sizeof(drawings), "%s", prefix ? prefix : "");
}

void lab_program_set_paths(const char *exe, const char *so)
{
	if (exe)
		snprintf(kvmlab_exe, sizeof(kvmlab_exe), "%s", exe);
	if (so)
		snprintf(timescale_so, sizeof(timescale_so), "%s", so);
}

static void find_paths(void)
{
	const char *env = getenv("KVMLAB_TIMESCALE");
	ssize_t n;

	if (!kvmlab_exe[0]) {
		n = readlink("/proc/self/exe", kvmlab_exe, sizeof(kvmlab_exe) - 1);
		kvmlab_exe[n > 0 ? n : 0] = '\0';
	}
	if (!timescale_so[0] && env)
		snprintf(timescale_so, sizeof(timescale_so), "%s", env);
	if (!timescale_so[0] && kvmlab_exe[0]) {
		char *slash = strrchr(kvmlab_exe, '/');

		/* the build tree: build/labs/ next to build/kvmlab */
		if (slash)
			snprintf(timescale_so, sizeof(timescale_so), "%.*s/labs/libkvmlab-timescale.so",
				 (int)(slash - kvmlab_exe), kvmlab_exe);
		if (access(timescale_so, R_OK) != 0)   /* an installed kvmlab */
			snprintf(timescale_so, sizeof(timescale_so), "%s", KVMLAB_TIMESCALE_INSTALLED);
	}
}

struct child {
	char *const *argv;
	const char *cwd;
	int out_fd, err_fd;           /* -1: /dev/null */
	const char *const *env;       /* NULL-terminated */
	unsigned timeout_ms;
};

/* Run a child in a process group of its own with limits; its wait status, or -errno.
 * *timed_out: it was killed (the whole group) at the time limit. */
static int run_child(const struct child *c, bool *timed_out)
{
	double deadline = vmm_clock_s() + c->timeout_ms / 1000.0;
	int status;
	pid_t pid;

	*timed_out = false;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct rlimit cpu = { 300, 300 }, fsize = { 64u << 20, 64u << 20 };
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		setrlimit(RLIMIT_CPU, &cpu);
		setrlimit(RLIMIT_FSIZE, &fsize);
		if (null < 0 || dup2(null, 0) < 0 ||
		    dup2(c->out_fd >= 0 ? c->out_fd : null, 1) < 0 ||
		    dup2(c->err_fd >= 0 ? c->err_fd : null, 2) < 0)
			_exit(126);
		closefrom(3);
		if (c->cwd && chdir(c->cwd) < 0)
			_exit(126);
		execvpe(c->argv[0], c->argv, (char *const *)c->env);
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 2000000 };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (vmm_clock_s() > deadline && !*timed_out) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);   /* whatever it left behind in its group */
	return status;
}

static void append_file(struct labbuf *log, const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0 && log->len < LOG_CAP)
		labbuf_add(log, buf, (size_t)n);
	close(fd);
}

static const char *const base_env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp",
					"LC_ALL=C", NULL };

/* Set "#define NAME VALUE" lines of file (in dir) to the run's values; -ENOENT (with err)
 * when a name has no #define line to set. */
static int set_defines(const struct lab_program_run *r, const char *dir, char *err,
		       size_t errlen)
{
	char path[PATH_MAX * 2];
	struct labbuf out = { 0 };
	char *line = NULL;
	size_t cap = 0;
	bool *done = calloc(r->defines_count + 1, 1);
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, r->defines_file);
	f = fopen(path, "re");
	if (!f || !done) {
		snprintf(err, errlen, "%s: %s", r->defines_file, strerror(errno));
		free(done);
		if (f)
			fclose(f);
		return -ENOENT;
	}
	while (getline(&line, &cap, f) > 0) {
		const char *p = line;
		bool replaced = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "#define", 7) == 0) {
			p += 7;
			while (*p == ' ' || *p == '\t')
				p++;
			for (unsigned i = 0; i < r->defines_count; i++) {
				size_t n = strlen(r->defines[i].name);

				if (strncmp(p, r->defines[i].name, n) == 0 &&
				    (p[n] == ' ' || p[n] == '\t')) {
					labbuf_printf(&out, "#define %s %s\n", r->defines[i].name,
						      r->defines[i].value);
					done[i] = true;
					replaced = true;
				}
			}
		}
		if (!replaced)
			labbuf_puts(&out, line);
	}
	free(line);
	fclose(f);
	for (unsigned i = 0; i < r->defines_count && ret == 0; i++)
		if (!done[i]) {
			snprintf(err, errlen, "%s has no line '#define %s ...' for the grader to set",
				 r->defines_file, r->defines[i].name);
			ret = -ENOENT;
		}
	free(done);
	if (ret == 0) {
		char *text = labbuf_take(&out);

		ret = lab_write_text(path, text);
		free(text);
	} else {
		labbuf_release(&out);
	}
	return ret;
}

/* The run's substitutions in the copy in dir; -ENOENT with err when the student changed the
 * fixed block they apply to. */
static int substitute(const struct lab_program_run *r, const char *dir, char *err, size_t errlen)
{
	int ret = lab_substitute_apply(r->substitute, r->substitute_count, dir, err, errlen);
	size_t n = strlen(err);

	if (ret == -ENOENT && n < errlen)
		snprintf(err + n, errlen - n, " (the lab's fixed block was changed)");
	return ret;
}

#define BUILD_CPU_S 120u
#define BUILD_MEM (2ull << 30)
#define BUILD_FSIZE (64u << 20)
#define BUILD_NPROC 128u

/* The submission's build command in dir, in the sandbox of [trust] (its own uid, the
 * system read-only, only dir writable, no network, limits).  0 when it made the binary,
 * 1 with the reason in err, -errno for host trouble. */
static int build_in(const struct lab *lab, const char *dir, const char *tmp, bool sandboxed,
		    uid_t uid, struct labbuf *log, char *err, size_t errlen)
{
	const struct lab_program *pg = lab->program;
	const char *dflt[] = { "make", NULL };
	const char **argv = dflt;
	char logpath[PATH_MAX + 16], how[160];
	struct lab_sandbox sb;
	bool to;
	int fd, st = 0, ret;
	pid_t pid;

	if (pg->build_count) {
		argv = calloc(pg->build_count + 1, sizeof(char *));
		if (!argv)
			return -ENOMEM;
		memcpy(argv, pg->build, pg->build_count * sizeof(char *));
	}
	labbuf_puts(log, "$");
	for (int i = 0; argv[i]; i++)
		labbuf_printf(log, " %s", argv[i]);
	labbuf_putc(log, '\n');
	snprintf(logpath, sizeof(logpath), "%s/build.log", tmp);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ret = fd < 0 ? -errno : lab_sandbox_chown_tree(dir, uid);
	if (ret == 0) {
		lab_sandbox_init(&sb, argv);
		sb.off = !sandboxed;
		sb.uid = uid;
		sb.cwd = dir;
		lab_sandbox_bind(&sb, dir, true);
		/* cc and c++ are Debian alternatives: symlinks through /etc/alternatives */
		if (access("/etc/alternatives", F_OK) == 0)
			lab_sandbox_bind(&sb, "/etc/alternatives", false);
		sb.stdout_fd = sb.stderr_fd = fd;
		sb.cpu_s = BUILD_CPU_S;
		sb.mem = BUILD_MEM;
		sb.fsize = BUILD_FSIZE;
		sb.nproc = BUILD_NPROC;
		ret = lab_sandbox_spawn(&sb, &pid);
		if (ret == 0)
			ret = lab_sandbox_wait(pid, sb.off, BUILD_TIMEOUT_MS, &st, &to);
	}
	if (fd >= 0)
		close(fd);
	if (argv != dflt)
		free(argv);
	append_file(log, logpath);
	if (ret < 0)
		return ret;
	if (to)
		snprintf(err, errlen, "the build took longer than %u s", BUILD_TIMEOUT_MS / 1000);
	else if (lab_sandbox_describe(st, sb.off, how, sizeof(how)) ||
		 !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		snprintf(err, errlen, "the submission did not build (%s %s)",
			 pg->build_count ? pg->build[0] : "make", how);
	else {
		char bin[PATH_MAX * 2];
		struct stat sb2;

		snprintf(bin, sizeof(bin), "%s/%s", dir, pg->binary);
		if (stat(bin, &sb2) < 0 || !S_ISREG(sb2.st_mode) || !(sb2.st_mode & S_IXUSR))
			snprintf(err, errlen, "the build did not make %s", pg->binary);
		else
			return 0;
	}
	return 1;
}

/* A program handed in already built is built again: the grader runs what the sources make. */
static void remove_binaries(const struct lab *lab, const char *dir)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, lab->program->binary);
	unlink(path);
	for (unsigned i = 0; i < lab->program->runs_count; i++)
		if (lab->program->runs[i].binary) {
			snprintf(path, sizeof(path), "%s/%s", dir, lab->program->runs[i].binary);
			unlink(path);
		}
}

int lab_program_read_abi(const struct lab *lab, const char *dir, int ports[LAB_ABI_MAX],
			 char *err, size_t errlen)
{
	const struct lab_program_abi *abi = lab->program->abi;
	char path[PATH_MAX * 2], line[256];
	unsigned lineno = 0;
	FILE *f;

	for (int i = 0; i < LAB_ABI_MAX; i++)
		ports[i] = -1;
	if (!abi)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, abi->file);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s (the lab asks for the port of each hypercall there)",
			 abi->file, strerror(errno));
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), f) && ++lineno < ABI_FILE_CAP) {
		char name[64], *p = line, *end;
		size_t n = 0;
		unsigned long v;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		while ((isalnum((unsigned char)*p) || *p == '_') && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!n || *p++ != ':')
			goto bad;
		errno = 0;
		v = strtoul(p, &end, 0);
		if (end == p || errno || v > 0xffff)
			goto bad;
		while (isspace((unsigned char)*end))
			end++;
		if (*end && *end != '#')
			goto bad;
		for (unsigned i = 0; i < abi->names_count && i < LAB_ABI_MAX; i++)
			if (strcmp(abi->names[i], name) == 0)
				ports[i] = (int)v;
		continue;
bad:
		snprintf(err, errlen, "%s:%u: write 'name: port', e.g. 'printStr: 0xE7'", abi->file,
			 lineno);
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	return 0;
}

/* Copy the lab's files for this run into its folder. */
static int seed_files(const struct lab *lab, const struct lab_program_run *r, const char *dir)
{
	for (unsigned i = 0; i < r->files_count; i++) {
		char from[PATH_MAX * 2], *argv[] = { "cp", "--", from, (char *)dir, NULL };
		struct child c = { .argv = argv, .out_fd = -1, .err_fd = -1, .env = base_env,
				   .timeout_ms = 10000 };
		bool to;
		int st;

		snprintf(from, sizeof(from), "%s/%s", lab->dir, r->files[i]);
		st = run_child(&c, &to);
		if (st < 0)
			return st;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return -EIO;
	}
	return 0;
}

static char *read_output(const char *path, size_t *len, bool *truncated)
{
	struct labbuf b = { 0 };
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*truncated = false;
	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			if (b.len + (size_t)n > LAB_OUTPUT_CAP) {
				labbuf_add(&b, buf, LAB_OUTPUT_CAP - b.len);
				*truncated = true;
				break;
			}
			labbuf_add(&b, buf, (size_t)n);
		}
		close(fd);
	}
	*len = b.len;
	return labbuf_take(&b);
}

/* The run's flowchart (NAME.dot, written by exec --flow) as NAME.svg and NAME.png beside it,
 * drawn by graphviz in the grader's folder dir (never in the run's folder, where the program
 * could have put links); a missing dot or a failed drawing is said in the run's stop detail. */
static void render_flow(const char *dir, const char *name, struct lab_run *run)
{
	static const char *const fmts[] = { "svg", "png" };
	char in[PATH_MAX * 2], out[PATH_MAX * 2], fmt[8];
	char *argv[] = { "dot", fmt, in, "-o", out, NULL };
	size_t used = strlen(run->stop_detail);
	struct stat st = { 0 };

	snprintf(in, sizeof(in), "%s/%s.dot", dir, name);
	if (stat(in, &st) < 0 || st.st_size > FLOW_DRAW_MAX) {
		/* a program that makes thousands of different calls: dot would take minutes */
		snprintf(run->stop_detail + used, sizeof(run->stop_detail) - used, "%s%s.dot %s: "
			 "not drawn", used ? "; " : "", name, st.st_size > FLOW_DRAW_MAX ?
			 "is larger than 256 KiB" : "was not written");
		return;
	}
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct child c = { .argv = argv, .cwd = dir, .out_fd = -1, .err_fd = -1,
				   .env = base_env, .timeout_ms = 20000 };
		bool to;
		int status;

		snprintf(fmt, sizeof(fmt), "-T%s", fmts[i]);
		snprintf(out, sizeof(out), "%s/%s.%s", dir, name, fmts[i]);
		status = run_child(&c, &to);
		if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		snprintf(run->stop_detail + used, sizeof(run->stop_detail) - used, "%s%s.%s not "
			 "drawn: %s", used ? "; " : "", name, fmts[i],
			 status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
			 "graphviz's dot is not installed (apt-get install graphviz)" :
			 "dot failed on the flowchart");
		return;
	}
}

/* Say where the run's flowchart is, and copy it where lab_program_set_drawings() asked. */
static void copy_drawings(const struct lab_program_run *r, const struct lab_run *sub,
			  struct labbuf *log)
{
	static const char *const exts[] = { "svg", "png", "dot" };
	char from[PATH_MAX * 2], to[PATH_MAX * 2];
	int ret = 0;

	if (!drawings[0]) {
		labbuf_printf(log, "run %s: the flowchart kvmlab drew from it: %s/%s.svg (and .png, "
			      ".dot; kept with KVMLAB_KEEP_BUILD=1)\n", r->id, sub->drawdir, r->flow);
		return;
	}
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]) && ret == 0; i++) {
		snprintf(from, sizeof(from), "%s/%s.%s", sub->drawdir, r->flow, exts[i]);
		snprintf(to, sizeof(to), "%s%s-%s.%s", drawings, r->id, r->flow, exts[i]);
		if (access(from, R_OK) == 0)
			ret = lab_copy_file(from, to);
	}
	snprintf(to, sizeof(to), "%s%s-%s.svg", drawings, r->id, r->flow);
	if (ret < 0)
		labbuf_printf(log, "run %s: the flowchart could not be copied to %s: %s\n", r->id,
			      to, strerror(-ret));
	else
		labbuf_printf(log, "run %s: the flowchart kvmlab drew from it: %s (and .png, .dot)\n",
			      r->id, to);
}

#define RUN_MEM (1ull << 30)
#define RUN_FSIZE (64u << 20)
#define RUN_NPROC 64u

/* How the program runs: kvmlab exec observes from outside the sandbox, whose first process
 * is kvmlab-sandbox (sandboxhost.c): it enters the sandbox in place, then runs the program
 * with /dev/kvm (a node of its uid), its build folder read-only and its run folder. */
struct prog_box {
	bool on;
	uid_t uid;
	char host[PATH_MAX];      /* kvmlab-sandbox */
	char kvm[PATH_MAX];       /* the node bound at /dev/kvm */
};

struct prog_argv {
	char *v[64];
	int n;
	char num[5][24];
};

static void arg(struct prog_argv *a, const char *s)
{
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		a->v[a->n++] = (char *)s;
}

/* The sandbox's part of the command line, in front of the program (nothing when off). */
static void box_args(const struct prog_box *box, struct prog_argv *a, const char *dir,
		     const char *bindir, const char *preload, unsigned timeout_ms)
{
	static const char *const names[] = { "--uid", "--cpu", "--mem", "--fsize", "--nproc" };
	unsigned long long v[] = { box->uid, 2ull * (timeout_ms / 1000 + 1) + 5, RUN_MEM,
				   RUN_FSIZE, RUN_NPROC };

	if (!box->on)
		return;
	arg(a, box->host);
	for (int i = 0; i < 5; i++) {
		snprintf(a->num[i], sizeof(a->num[i]), "%llu", v[i]);
		arg(a, names[i]);
		arg(a, a->num[i]);
	}
	arg(a, "--cwd");
	arg(a, dir);
	arg(a, "--bind");
	arg(a, dir);
	arg(a, "--ro-bind");
	arg(a, bindir);
	if (preload) {
		arg(a, "--ro-bind");
		arg(a, preload);
	}
	arg(a, "--kvm");
	arg(a, box->kvm);
	arg(a, "--");
}

/* The first line of the run's standard error when kvmlab-sandbox or bubblewrap wrote it
 * (the sandbox could not be entered), else "". */
static void box_failure(const char *path, char *why, size_t len)
{
	FILE *f = fopen(path, "re");

	why[0] = '\0';
	if (f && fgets(why, (int)len, f)) {
		why[strcspn(why, "\n")] = '\0';
		if (strncmp(why, "kvmlab-sandbox: ", 16) != 0 && strncmp(why, "bwrap: ", 7) != 0)
			why[0] = '\0';
	}
	if (f)
		fclose(f);
}

/* Does a check of the lab read guest memory (then exec writes it: --memory)? */
static bool reads_memory(const struct lab *lab)
{
	for (unsigned i = 0; i < lab->checks_count; i++)
		if (lab->checks[i].kind == LAB_CHECK_MEMORY)
			return true;
	return false;
}

/* One run: the program under kvmlab exec (KVM_RUN seen as observe says), in a folder of its
 * own; *lost: tracepoint records the kernel dropped. */
static int run_observed(const struct lab *lab, unsigned idx, const char *bindir, const char *tmp,
			const char *observe, const struct prog_box *box, struct lab_run *run,
			uint64_t *lost)
{
	const struct lab_program_run *r = &lab->program->runs[idx];
	unsigned timeout = r->timeout_ms ? (unsigned)*r->timeout_ms : lab->timeout_ms;
	char dir[PATH_MAX], log[PATH_MAX + 16], out[PATH_MAX + 16], bin[PATH_MAX * 2];
	char tmo[32], scale[64], preload[PATH_MAX + 16], errpath[PATH_MAX + 16], why[200];
	char mem[PATH_MAX + 16], ring[48], steps[32], draw[PATH_MAX + 16];
	char flow[PATH_MAX * 2 + 16];
	uint8_t *image;
	const char *env[8];
	struct prog_argv *argv;
	struct lab_obs_summary sum;
	bool to, truncated, scaled;
	int st, ofd, efd, ne = 0, ret;
	const char *again = strcmp(observe, "ptrace") == 0 ? "-ptrace" : "";

	snprintf(dir, sizeof(dir), "%s/run-%s%s", tmp, r->id, again);
	snprintf(log, sizeof(log), "%s/run-%s%s.jsonl", tmp, r->id, again);
	snprintf(out, sizeof(out), "%s/run-%s%s.out", tmp, r->id, again);
	snprintf(errpath, sizeof(errpath), "%s/run-%s%s.err", tmp, r->id, again);
	snprintf(mem, sizeof(mem), "%s/run-%s%s.mem", tmp, r->id, again);
	snprintf(draw, sizeof(draw), "%s/run-%s%s.draw", tmp, r->id, again);
	snprintf(bin, sizeof(bin), "%s/%s", bindir, r->binary ? r->binary : lab->program->binary);
	snprintf(tmo, sizeof(tmo), "%u", timeout);
	run->stop = VMM_STOP_OTHER;
	run->workdir = strdup(dir);
	if (!run->workdir)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0)
		return -errno;
	ret = seed_files(lab, r, dir);
	if (ret < 0) {
		snprintf(run->error, sizeof(run->error), "the lab's files could not be copied");
		return 0;
	}
	if (box->on && lab_sandbox_chown_tree(dir, box->uid) < 0) {
		snprintf(run->error, sizeof(run->error), "the run's folder could not be given to "
			 "the sandbox");
		return 0;
	}
	argv = calloc(1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	arg(argv, kvmlab_exe);
	arg(argv, "exec");
	arg(argv, "--format");
	arg(argv, "jsonl");
	arg(argv, "-o");
	arg(argv, log);
	arg(argv, "--timeout");
	arg(argv, tmo);
	arg(argv, "--observe");
	arg(argv, observe);
	if (reads_memory(lab) && !r->walk_steps) {   /* outside the sandbox's view, as the log
						      * (and with KVM_RUN stopped) */
		arg(argv, "--memory");
		arg(argv, mem);
	}
	if (r->walk_steps) {
		snprintf(steps, sizeof(steps), "%llu", (unsigned long long)*r->walk_steps);
		arg(argv, "--trace");
		arg(argv, "--walk");
		arg(argv, "--max-steps");
		arg(argv, steps);
	}
	if (r->flow) {
		/* in a folder of the grader's own: the program cannot put a link there */
		if (mkdir(draw, 0700) < 0) {
			free(argv);
			return -errno;
		}
		snprintf(flow, sizeof(flow), "%s/%s.dot", draw, r->flow);
		arg(argv, "--flow");
		arg(argv, flow);
	}
	arg(argv, "--");
	scaled = r->time_scale && *r->time_scale > 1;
	box_args(box, argv, dir, bindir, scaled ? timescale_so : NULL, timeout);
	if (scaled) {
		/* through env(1), so that kvmlab exec's own timer is not scaled */
		snprintf(scale, sizeof(scale), "KVMLAB_TIME_SCALE=%llu",
			 (unsigned long long)*r->time_scale);
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", timescale_so);
		arg(argv, "env");
		arg(argv, scale);
		arg(argv, preload);
	}
	arg(argv, bin);
	for (unsigned i = 0; i < r->args_count && i < 16; i++)
		arg(argv, r->args[i]);
	for (ne = 0; base_env[ne]; ne++)
		env[ne] = base_env[ne];
	if (getenv("KVMLAB_EXEC_RING_PAGES")) {   /* the size of kvmlab exec's rings, passed on */
		snprintf(ring, sizeof(ring), "KVMLAB_EXEC_RING_PAGES=%.20s", getenv("KVMLAB_EXEC_RING_PAGES"));
		env[ne++] = ring;
	}
	env[ne] = NULL;
	efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (efd < 0) {
		free(argv);
		return -errno;
	}
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (ofd < 0) {
		close(efd);
		free(argv);
		return -errno;
	}
	{
		struct child c = { .argv = argv->v, .cwd = dir, .out_fd = ofd, .err_fd = efd,
				   .env = env, .timeout_ms = timeout + 5000 };
		uint64_t t0 = vmm_clock_ns();

		st = run_child(&c, &to);
		run->elapsed_ns = vmm_clock_ns() - t0;
	}
	close(ofd);
	close(efd);
	free(argv);
	if (st < 0)
		return st;
	run->output = read_output(out, &run->output_len, &truncated);
	if (!run->output)
		return -ENOMEM;
	run->obs = calloc(1, sizeof(*run->obs));
	if (!run->obs)
		return -ENOMEM;
	ret = lab_obs_read(log, bin, run->obs, &sum);
	*lost = sum.lost;
	box_failure(errpath, why, sizeof(why));
	if (ret < 0 || to || (WIFEXITED(st) && WEXITSTATUS(st) >= 126 && WEXITSTATUS(st) != 124)) {
		if (to)
			snprintf(run->error, sizeof(run->error), "the program could not be stopped "
				 "after %u ms", timeout);
		else if (ret < 0)
			snprintf(run->error, sizeof(run->error), "kvmlab exec left no readable log");
		else
			snprintf(run->error, sizeof(run->error), "the program could not be run "
				 "(kvmlab exec status %d)%s%.180s", WIFEXITED(st) ? WEXITSTATUS(st) : 0,
				 why[0] ? ": " : "", why);
		return 0;
	}
	if (!run->obs->kvm_opened) {
		snprintf(run->error, sizeof(run->error), "the program never used /dev/kvm");
		return 0;
	}
	run->obs_log = strdup(log);
	if (!run->obs_log)
		return -ENOMEM;
	for (size_t i = 0; i < run->obs->n; i++)
		if (run->obs->exits[i].vm == 1) {
			run->exits[run->obs->exits[i].type]++;
			run->total_exits++;
		}
	run->hva_base = sum.hva_base;
	if (lab_obs_read_memory(mem, lab->mem_size, &image, &run->mem_size) == 0)
		run->mem = image;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 124)
		run->stop = VMM_STOP_TIMEOUT;
	else if (sum.last_exit == VMM_EXIT_HLT)
		run->stop = VMM_STOP_HLT;
	else if (sum.last_exit == VMM_EXIT_SHUTDOWN)
		run->stop = VMM_STOP_SHUTDOWN;
	else if (sum.last_exit == VMM_EXIT_FAIL_ENTRY)
		run->stop = VMM_STOP_FAIL_ENTRY;
	else if (sum.last_exit == VMM_EXIT_INTERNAL_ERROR)
		run->stop = VMM_STOP_INTERNAL_ERROR;
	if (run->stop == VMM_STOP_TIMEOUT && !r->expect_timeout)
		snprintf(run->stop_detail, sizeof(run->stop_detail), "run %s: the program was still "
			 "running after %u ms and was stopped", r->id, timeout);
	else if (run->stop == VMM_STOP_TIMEOUT)
		;   /* a program that runs until stopped (the Matrix): stopped as expected */
	else if (sum.exit_signal)
		snprintf(run->stop_detail, sizeof(run->stop_detail), "run %s: the program was killed "
			 "by signal %d", r->id, sum.exit_signal);
	else if (sum.exit_status > 0)
		snprintf(run->stop_detail, sizeof(run->stop_detail), "run %s: the program exited "
			 "with status %d", r->id, sum.exit_status);
	if (truncated && !r->expect_timeout)
		snprintf(run->stop_detail + strlen(run->stop_detail),
			 sizeof(run->stop_detail) - strlen(run->stop_detail),
			 "%soutput truncated at %u bytes", run->stop_detail[0] ? "; " : "",
			 LAB_OUTPUT_CAP);
	if (r->flow) {
		run->drawdir = strdup(draw);
		if (!run->drawdir)
			return -ENOMEM;
		render_flow(draw, r->flow, run);
	}
	return 0;
}

/* What was made of a run, undone (for the run again). */
static void run_forget(struct lab_run *run)
{
	free(run->workdir);
	free(run->output);
	free(run->obs_log);
	if (run->obs)
		lab_obs_free(run->obs);
	free(run->obs);
	free((void *)run->mem);
	free(run->drawdir);
	run->workdir = run->output = run->obs_log = run->drawdir = NULL;
	run->obs = NULL;
	run->mem = NULL;
	run->mem_size = 0;
	run->output_len = 0;
	run->error[0] = run->stop_detail[0] = '\0';
	run->total_exits = 0;
	memset(run->exits, 0, sizeof(run->exits));
}

/* One run, KVM_RUN through the tracepoints where they can be used; if the kernel dropped
 * records (its rings were full), the log is incomplete and the run is made again with every
 * KVM_RUN stopped by ptrace, which loses nothing. */
static int run_one(const struct lab *lab, unsigned idx, const char *bindir, const char *tmp,
		   const struct prog_box *box, struct lab_run *run, struct labbuf *log)
{
	uint64_t lost = 0;
	int ret = run_observed(lab, idx, bindir, tmp, "auto", box, run, &lost);

	if (ret < 0 || !lost)
		return ret;
	labbuf_printf(log, "run %s: the kernel dropped %llu tracepoint records (its rings were full): "
		      "made again with every KVM_RUN stopped (kvmlab exec --observe ptrace)\n",
		      lab->program->runs[idx].id, (unsigned long long)lost);
	run_forget(run);
	return run_observed(lab, idx, bindir, tmp, "ptrace", box, run, &lost);
}

/* The sandbox of the runs: kvmlab-sandbox, and a KVM node for the uid in tmp.  0, or -errno
 * with the reason in err. */
static int box_open(struct prog_box *box, bool sandboxed, uid_t uid, const char *tmp,
		    const char *dev, char *err, size_t errlen)
{
	int ret;

	memset(box, 0, sizeof(*box));
	if (!sandboxed)
		return 0;
	box->on = true;
	box->uid = uid;
	lab_runner_helper("kvmlab-sandbox", box->host, sizeof(box->host));
	if (access(box->host, X_OK) != 0) {
		snprintf(err, errlen, "%.160s is missing: kvmlab is not completely installed",
			 box->host);
		return -ENOENT;
	}
	ret = lab_sandbox_kvm_node(tmp, uid, dev, box->kvm, sizeof(box->kvm));
	if (ret < 0)
		snprintf(err, errlen, "no KVM device for the sandbox from %.160s: %s", dev,
			 strerror(-ret));
	return ret;
}

int lab_program_run(const struct lab *lab, const struct lab_runner_opts *o, struct lab_build *b,
		    struct lab_run *run)
{
	const struct lab_program *pg = lab->program;
	struct prog_box box;
	struct labbuf log = { 0 };
	char src[PATH_MAX], err[256] = "";
	int ports[LAB_ABI_MAX];
	const char *dev = o && o->dev ? o->dev : "/dev/kvm";
	double t0 = vmm_clock_s(), build_s = 0;
	bool sandboxed;
	uid_t uid;
	int ret = 0;

	memset(b, 0, sizeof(*b));
	memset(run, 0, sizeof(*run));
	run->output = calloc(1, 1);
	if (!run->output)
		return -ENOMEM;
	find_paths();
	if (access(dev, F_OK) != 0) {
		snprintf(run->error, sizeof(run->error), "%.160s does not exist: this machine "
			 "cannot run KVM programs", dev);
		return -ENODEV;
	}
	ret = lab_runner_check_sandbox(o, err, sizeof(err));
	if (ret < 0) {
		snprintf(run->error, sizeof(run->error), "%s", err);
		return ret;
	}
	sandboxed = ret == 1;
	uid = sandboxed ? lab_sandbox_new_uid() : 0;
	ret = 0;
	/* the prefix of the runner's folders: a grading killed before it could remove its
	 * folder is swept by the next one (lab_sandbox_sweep) */
	snprintf(b->tmpdir, sizeof(b->tmpdir), "/tmp/kvmlab-grade-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(b->tmpdir)) {
		ret = -errno;
		b->tmpdir[0] = '\0';
		snprintf(run->error, sizeof(run->error), "no temporary folder: %s", strerror(-ret));
		return ret;
	}
	if (chmod(b->tmpdir, 0711) < 0) {   /* the sandbox's uid walks through to its copy */
		ret = -errno;
		goto host;
	}
	snprintf(src, sizeof(src), "%s/src", b->tmpdir);
	if (!lab->submission_dir || lab_copy_tree(lab->submission_dir, src, &log) < 0) {
		snprintf(run->error, sizeof(run->error), "the submission could not be copied");
		goto out;
	}
	remove_binaries(lab, src);
	ret = build_in(lab, src, b->tmpdir, sandboxed, uid, &log, err, sizeof(err));
	build_s = vmm_clock_s() - t0;
	if (ret < 0)
		goto host;
	if (ret > 0) {
		snprintf(run->error, sizeof(run->error), "%s", err);
		goto out;
	}
	b->ok = true;
	ret = box_open(&box, sandboxed, uid, b->tmpdir, dev, err, sizeof(err));
	if (ret < 0) {
		snprintf(run->error, sizeof(run->error), "%s", err);
		goto host;
	}
	if (lab_program_read_abi(lab, src, ports, err, sizeof(err)) < 0) {
		snprintf(run->error, sizeof(run->error), "%s", err);
		goto out;
	}
	if (pg->abi) {
		labbuf_printf(&log, "%s:", pg->abi->file);
		for (unsigned i = 0; i < pg->abi->names_count && i < LAB_ABI_MAX; i++)
			labbuf_printf(&log, ports[i] < 0 ? " %s=(none)" : " %s=0x%x",
				      pg->abi->names[i], ports[i]);
		labbuf_putc(&log, '\n');
	}
	run->runs = calloc(pg->runs_count, sizeof(*run->runs));
	if (!run->runs) {
		ret = -ENOMEM;
		goto host;
	}
	run->nruns = pg->runs_count;
	for (unsigned i = 0; i < pg->runs_count; i++) {
		const struct lab_program_run *r = &pg->runs[i];
		struct lab_run *sub = &run->runs[i];
		char own[PATH_MAX];
		const char *bindir = src;

		memcpy(sub->abi_port, ports, sizeof(ports));
		sub->sandboxed = sandboxed;
		if (r->defines_count || r->substitute_count) {
			/* a build of its own, with the lab's values for the defines */
			snprintf(own, sizeof(own), "%s/src-%s", b->tmpdir, r->id);
			err[0] = '\0';
			if (lab_copy_tree(lab->submission_dir, own, NULL) < 0)
				snprintf(err, sizeof(err), "the submission could not be copied");
			else if ((!r->defines_count || set_defines(r, own, err, sizeof(err)) == 0) &&
				 substitute(r, own, err, sizeof(err)) == 0) {
				if (r->defines_count) {
					labbuf_printf(&log, "run %s: %s with", r->id, r->defines_file);
					for (unsigned j = 0; j < r->defines_count; j++)
						labbuf_printf(&log, " %s=%s", r->defines[j].name,
							      r->defines[j].value);
					labbuf_putc(&log, '\n');
				}
				if (r->substitute_count)
					labbuf_printf(&log, "run %s: the fixed block with values drawn "
						      "for this grading\n", r->id);
				double t1 = vmm_clock_s();

				remove_binaries(lab, own);
				ret = build_in(lab, own, b->tmpdir, sandboxed, uid, &log, err,
					       sizeof(err));
				build_s += vmm_clock_s() - t1;
				if (ret < 0)
					goto host;
			}
			if (err[0]) {
				snprintf(sub->error, sizeof(sub->error), "run %s: %s", r->id, err);
				sub->output = calloc(1, 1);
				continue;
			}
			bindir = own;
		}
		ret = run_one(lab, i, bindir, b->tmpdir, &box, sub, &log);
		if (ret < 0)
			goto host;
		if (r->flow && sub->obs_log)
			copy_drawings(r, sub, &log);
		if (!sub->output)
			sub->output = calloc(1, 1);
	}
	/* the parent's own fields: the first run's, for reports */
	if (run->nruns && run->runs[0].stop_detail[0])
		snprintf(run->stop_detail, sizeof(run->stop_detail), "%s", run->runs[0].stop_detail);
	ret = 0;
	goto out;
host:
	if (!run->error[0])
		snprintf(run->error, sizeof(run->error), "grading failed on this machine: %s",
			 strerror(-ret));
out:
	b->log = labbuf_take(&log);
	b->log_len = b->log ? strlen(b->log) : 0;
	b->seconds = build_s ? build_s : vmm_clock_s() - t0;   /* the builds alone */
	return ret < 0 ? ret : 0;
}
