/* runner.c - build a lab's guest and handlers with gcc, run it, fill a lab_run. */
#include "runner.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "datadir.h"
#include "engine.h"
#include "guestflags.h"
#include "error.h"
#include "labapi.h"
#include "labbuf.h"
#include "progobs.h"
#include "progrun.h"
#include "session.h"
#include "tracewrite.h"

/* Where the grader finds guest.ld and guest.h (guests/) and kvmlab/lab.h (labs/include/):
 * next to the executable (datadir_find: the source tree when run from build/, a
 * relocated or DESTDIR install), the install paths, and the source tree it was built from. */
#ifndef KVMLAB_GUEST_SRCDIR
#define KVMLAB_GUEST_SRCDIR ""
#endif
#ifndef KVMLAB_LAB_INCDIR
#define KVMLAB_LAB_INCDIR ""
#endif
#ifndef KVMLAB_GUESTDIR
#define KVMLAB_GUESTDIR "/usr/local/share/kvmlab/guests"
#endif
#ifndef KVMLAB_LAB_INSTALLED_INCDIR
#define KVMLAB_LAB_INSTALLED_INCDIR "/usr/local/share/kvmlab/labs/include"
#endif

static char guest_src_dir[PATH_MAX];
static char lab_inc_dir[PATH_MAX];

/* ctx: a NULL-terminated list of files dir must hold. */
static bool holds_files(const char *dir, void *ctx)
{
	char path[PATH_MAX * 2];

	for (const char *const *f = ctx; *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		if (access(path, R_OK) != 0)
			return false;
	}
	return true;
}

static void find_dir(char *dir, size_t len, const char *what, const char *installed,
		     const char *srcdir, const char *const *files)
{
	if (dir[0])  /* found before */
		return;
	if (datadir_find(what, NULL, installed, holds_files, (void *)files, dir, len) < 0)
		snprintf(dir, len, "%s", srcdir);
}

static void find_dirs(void)
{
	static const char *const guest_files[] = { "guest.ld", "guest.h", NULL };
	static const char *const inc_files[] = { "kvmlab/lab.h", NULL };

	find_dir(guest_src_dir, sizeof(guest_src_dir), "guests", KVMLAB_GUESTDIR,
		 KVMLAB_GUEST_SRCDIR, guest_files);
	find_dir(lab_inc_dir, sizeof(lab_inc_dir), "labs/include", KVMLAB_LAB_INSTALLED_INCDIR,
		 KVMLAB_LAB_INCDIR, inc_files);
}

/* The flags of guests/meson.build, generated into guestflags.h, without -Werror: a
 * student's warning is shown in the build log but does not fail the build. */
static const char *const guest_cflags[] = {
	KVMLAB_GUEST_FLAGS,
	/* student data and bss may share a page-aligned segment with text */
	"-Wl,--no-warn-rwx-segments",
};
static const char *const guest_width_flags[][2] = {
	{ KVMLAB_GUEST_FLAGS_16 }, { KVMLAB_GUEST_FLAGS_32 }, { KVMLAB_GUEST_FLAGS_64 },
};

/* Run argv, its stdout and stderr appended to log; the exit status or -errno. */
static int spawn(char *const argv[], struct labbuf *log)
{
	int fd[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	labbuf_puts(log, "$");
	for (int i = 0; argv[i]; i++)
		labbuf_printf(log, " %s", argv[i]);
	labbuf_putc(log, '\n');
	if (pipe2(fd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -errno;
	}
	if (pid == 0) {
		struct rlimit cpu = { 60, 60 };

		setrlimit(RLIMIT_CPU, &cpu);
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && log->len < 256 * 1024)
			labbuf_add(log, buf, (size_t)n);
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int width_of(const struct lab *lab)
{
	switch (lab->guest.kind) {
	case LAB_GUEST_C16: return 16;
	case LAB_GUEST_C32: return 32;
	case LAB_GUEST_C64: return 64;
	default:
		return lab->mode == VMM_MODE_REAL ? 16 : lab->mode == VMM_MODE_LONG ? 64 : 32;
	}
}

/* Run gcc with argv, its output appended to log: 0 when it compiled; else err says why and the
 * result is gcc's exit status (err: what, e.g. "the guest does not compile", then that status)
 * or -errno (gcc could not run). */
static int run_gcc(const char **argv, struct labbuf *log, const char *what, char *err,
		   size_t errlen)
{
	int rc = spawn((char *const *)argv, log);

	if (rc < 0)
		snprintf(err, errlen, "cannot run gcc: %s", strerror(-rc));
	else if (rc != 0)
		snprintf(err, errlen, "%s (gcc exit status %d); the build log has the compiler's "
			 "messages", what, rc);
	return rc;
}

static int build_guest(const struct lab *lab, struct lab_build *b, struct labbuf *log,
		       char *err, size_t errlen)
{
	const struct lab_guest *g = &lab->guest;
	const char *argv[160];
	char ld[PATH_MAX + 16], inc_g[PATH_MAX + 4], inc_l[PATH_MAX + 4];
	int n = 0, w = width_of(lab);

	if (g->kind == LAB_GUEST_ELF || g->kind == LAB_GUEST_FLAT) {
		snprintf(b->guest, sizeof(b->guest), "%s", g->source_paths[0]);
		return 0;
	}
	if (g->linker_script_path)
		snprintf(ld, sizeof(ld), "%s", g->linker_script_path);
	else
		snprintf(ld, sizeof(ld), "%s/guest.ld", guest_src_dir);
	snprintf(inc_g, sizeof(inc_g), "-I%s", guest_src_dir);
	snprintf(inc_l, sizeof(inc_l), "-I%s", lab->dir);
	snprintf(b->guest, sizeof(b->guest), "%s/guest.elf", b->tmpdir);
	argv[n++] = "gcc";
	for (size_t i = 0; i < 2; i++)
		argv[n++] = guest_width_flags[w == 16 ? 0 : w == 32 ? 1 : 2][i];
	for (size_t i = 0; i < sizeof(guest_cflags) / sizeof(*guest_cflags); i++)
		argv[n++] = guest_cflags[i];
	argv[n++] = inc_g;
	argv[n++] = inc_l;
	for (unsigned i = 0; i < g->cflags_count && n < 100; i++)
		argv[n++] = g->cflags[i];
	argv[n++] = "-T";
	argv[n++] = ld;
	argv[n++] = "-o";
	argv[n++] = b->guest;
	for (unsigned i = 0; i < g->lab_sources_count && n < 150; i++)
		argv[n++] = g->lab_source_paths[i];
	for (unsigned i = 0; i < g->sources_count && n < 158; i++)
		argv[n++] = g->source_paths[i];
	argv[n] = NULL;
	return run_gcc(argv, log, "the guest does not compile", err, errlen);
}

static int build_handlers(const struct lab *lab, struct lab_build *b, struct labbuf *log,
			  char *err, size_t errlen)
{
	char inc[PATH_MAX + 4], what[PATH_MAX + 64];
	const char *argv[16];
	int n = 0;

	snprintf(inc, sizeof(inc), "-I%s", lab_inc_dir);
	snprintf(b->handlers_so, sizeof(b->handlers_so), "%s/handlers.so", b->tmpdir);
	argv[n++] = "gcc";
	argv[n++] = "-shared";
	argv[n++] = "-fPIC";
	argv[n++] = "-O2";
	argv[n++] = "-Wall";
	argv[n++] = "-std=gnu17";
	argv[n++] = inc;
	argv[n++] = "-o";
	argv[n++] = b->handlers_so;
	argv[n++] = lab->handlers_path;
	argv[n] = NULL;
	snprintf(what, sizeof(what), "the handlers (%s) do not compile", lab->handlers);
	return run_gcc(argv, log, what, err, errlen);
}

int lab_build(const struct lab *lab, struct lab_build *b, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	struct labbuf log = { 0 };
	double t0 = vmm_clock_s();
	int rc;

	memset(b, 0, sizeof(*b));
	*err = '\0';
	find_dirs();
	snprintf(b->tmpdir, sizeof(b->tmpdir), "%s/kvmlab-grade-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(b->tmpdir)) {
		rc = -errno;
		snprintf(err, errlen, "cannot make a temporary folder %s: %s", b->tmpdir, strerror(errno));
		b->tmpdir[0] = '\0';
		return rc;
	}
	rc = build_guest(lab, b, &log, err, errlen);
	if (rc == 0 && lab->handlers_path)
		rc = build_handlers(lab, b, &log, err, errlen);
	b->ok = rc == 0;
	b->log = labbuf_take(&log);
	b->log_len = b->log ? strlen(b->log) : 0;
	b->seconds = vmm_clock_s() - t0;
	return rc < 0 ? rc : 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void lab_build_free(struct lab_build *b)
{
	if (b->tmpdir[0] && !getenv("KVMLAB_KEEP_BUILD"))
		nftw(b->tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(b->log);
	memset(b, 0, sizeof(*b));
}

/* ---- the run ------------------------------------------------------------- */

struct outsink {
	struct lab_run *run;
	size_t cap;
	bool truncated;
};

static void sink(void *ctx, const char *buf, size_t len)
{
	struct outsink *o = ctx;
	struct lab_run *run = o->run;
	char *p;

	if (o->truncated)
		return;
	if (run->output_len + len > LAB_OUTPUT_CAP) {
		len = LAB_OUTPUT_CAP - run->output_len;
		o->truncated = true;
	}
	p = vmm_array_grow(run->output, &o->cap, 1, run->output_len + len + 1, 4096);
	if (!p) {
		o->truncated = true;
		return;
	}
	run->output = p;
	memcpy(run->output + run->output_len, buf, len);
	run->output_len += len;
	run->output[run->output_len] = '\0';
}

static int add_mode(struct lab_run *run, uint64_t step, int mode, size_t *cap)
{
	struct lab_mode_change *p;

	if (run->nmodes && run->modes[run->nmodes - 1].cpu_mode == mode)
		return 0;
	p = vmm_array_grow(run->modes, cap, sizeof(*p), run->nmodes + 1, 8);
	if (!p)
		return -ENOMEM;
	run->modes = p;
	run->modes[run->nmodes++] = (struct lab_mode_change){ .step = step, .cpu_mode = mode };
	return 0;
}

static bool needs_trace_file(const struct lab *lab)
{
	for (unsigned i = 0; i < lab->checks_count; i++)
		if (lab->checks[i].kind == LAB_CHECK_TRACE)
			return true;
	return false;
}

struct timeline {
	struct lab_run *run;
	struct tracewriter *w;   /* trace_matches: every step as JSONL, or NULL */
	size_t cap;              /* of run->modes */
	int err;
};

/* After each step: the mode timeline (and the trace file); non-zero when out of memory. */
static int timeline_step(struct engine *e, const struct step *st, void *ctx)
{
	struct timeline *tl = ctx;

	if (st->n == 1 || tl->run->nmodes == 0)
		tl->err = add_mode(tl->run, 0, vmm_cpu_mode(&st->sbefore), &tl->cap);
	if (tl->err == 0 && (!e->ended || st->insn_len)) {
		tl->err = add_mode(tl->run, st->n, vmm_cpu_mode(&st->safter), &tl->cap);
		if (tl->w)
			tracewriter_step(tl->w, st);
	}
	return tl->err;
}

static int run_traced(const struct lab *lab, const struct lab_build *b, struct session *s,
		      struct lab_run *run, enum vmm_stop *stop)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct tracewriter *w = NULL;
	struct engine_goal g;
	struct timeline tl;
	FILE *f = NULL;
	int ret;

	if (!e)
		return -ENOMEM;
	ret = session_engine_init(s, e, false);
	if (ret < 0) {
		free(e);
		return ret;
	}
	e->max_steps = lab->max_instructions;
	e->max_exits = lab->max_exits;
	e->timeout_ms = lab->timeout_ms;
	if (needs_trace_file(lab)) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/trace.jsonl", b->tmpdir);
		f = fopen(path, "w");
		w = malloc(sizeof(*w));
		if (!f || !w) {
			ret = -errno;
			goto out;
		}
		run->trace_path = strdup(path);
		tracewriter_init(w, e, TRACE_JSONL, false, f);
	}
	tl = (struct timeline){ run, w, 0, 0 };
	engine_goal_init(e, &g, ENGINE_GOAL_STEPS, 0, NULL, 0, NULL, 0);
	ret = engine_go(e, &g, timeline_step, &tl);
	if (ret >= 0 && tl.err)
		ret = tl.err;
	run->instructions = e->nretired;
	run->traced = true;
	*stop = e->stop;
	if (ret > 0)
		ret = 0;
out:
	if (w)
		tracewriter_finish(w);
	if (f)
		fclose(f);
	free(w);
	engine_free(e);
	free(e);
	return ret;
}

int lab_execute(const struct lab *lab, const struct lab_build *b, struct lab_run *run)
{
	struct outsink out = { .run = run };
	struct vm_opts o = { 0 };
	struct session s;
	struct lab_ctx *ctx = NULL;
	enum vmm_stop stop = VMM_STOP_OTHER;
	int ret;

	memset(run, 0, sizeof(*run));
	run->stop = VMM_STOP_OTHER;
	run->output = calloc(1, 1);
	out.cap = 1;
	if (!b->ok) {
		snprintf(run->error, sizeof(run->error), "the submission did not build");
		return 0;
	}
	o.guest = b->guest;
	o.mode_set = true;
	o.mode = lab->mode;
	o.mem = lab->mem_size;
	o.flat = lab->guest.kind == LAB_GUEST_FLAT;
	o.flat_addr = lab->guest.load_address;
	o.max_exits = lab->max_exits;
	o.timeout_ms = lab->timeout_ms;
	o.ports = lab->ports;
	vmm_clear_error();
	if (session_open(&s, &o, sink, &out) < 0) {
		snprintf(run->error, sizeof(run->error), "the guest could not be set up: %s",
			 vmm_last_error());
		return s.failed == SESSION_HOST ? -ENODEV : 0;
	}
	if (b->handlers_so[0]) {
		ret = lab_ctx_load(&ctx, &s.hc, b->handlers_so, run->error, sizeof(run->error));
		if (ret < 0) {
			session_close(&s);
			return 0;
		}
	}
	if (lab->trace) {
		ret = run_traced(lab, b, &s, run, &stop);
	} else {
		struct vmm_limits lim = { .max_exits = lab->max_exits, .timeout_ms = lab->timeout_ms };

		ret = vmm_run(&s.vcpu, &lim, &stop);
	}
	run->stop = (int)stop;
	if (ret < 0)
		snprintf(run->error, sizeof(run->error), "running the guest failed: %s",
			 *vmm_last_error() ? vmm_last_error() : strerror(-ret));
	else if (stop == VMM_STOP_DEVICE && *vmm_last_error())
		snprintf(run->stop_detail, sizeof(run->stop_detail), "the guest was stopped: %s",
			 vmm_last_error());
	else if (stop != VMM_STOP_HLT)
		snprintf(run->stop_detail, sizeof(run->stop_detail), "the run ended: %s",
			 vmm_stop_name(stop));
	if (out.truncated)
		snprintf(run->stop_detail + strlen(run->stop_detail),
			 sizeof(run->stop_detail) - strlen(run->stop_detail),
			 "%soutput truncated at %u bytes", run->stop_detail[0] ? "; " : "",
			 LAB_OUTPUT_CAP);
	vmm_vcpu_load(&s.vcpu);
	run->regs = s.vcpu.regs;
	run->sregs = s.vcpu.sregs;
	memcpy(run->exits, s.vcpu.stats.count, sizeof(run->exits));
	run->total_exits = s.vcpu.stats.total;
	run->hva_base = (uint64_t)(uintptr_t)s.vm.mem;
	run->mem_size = s.vm.mem_size;
	{
		uint8_t *m = malloc(s.vm.mem_size);

		if (m)
			memcpy(m, s.vm.mem, s.vm.mem_size);
		run->mem = m;
	}
	lab_ctx_free(ctx);
	session_close(&s);
	return ret < 0 ? ret : 0;
}

int lab_run_submission(const struct lab *lab, struct lab_build *b, struct lab_run *run)
{
	char err[256];
	int ret;

	if (lab->program)   /* the submission is a hypervisor program (progrun.c) */
		return lab_program_run(lab, b, run);
	ret = lab_build(lab, b, err, sizeof(err));
	if (ret < 0 || !b->ok) {
		memset(run, 0, sizeof(*run));
		run->output = calloc(1, 1);
		snprintf(run->error, sizeof(run->error), "%s", err);
		return ret;
	}
	return lab_execute(lab, b, run);
}

void lab_run_free(struct lab_run *run)
{
	for (size_t i = 0; i < run->nruns; i++)
		lab_run_free(&run->runs[i]);
	free(run->runs);
	if (run->obs)
		lab_obs_free(run->obs);
	free(run->obs);
	free(run->workdir);
	free(run->output);
	free((void *)run->mem);
	free(run->modes);
	free(run->trace_path);
	memset(run, 0, sizeof(*run));
}
