/* runner.c - build a lab's guest and handlers with gcc, run it, fill a lab_run. */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "array.h"
#include "clock.h"
#include "copytree.h"
#include "datadir.h"
#include "engine.h"
#include "guestflags.h"
#include "error.h"
#include "labbuf.h"
#include "labheaders.h"
#include "labsession.h"
#include "memchange.h"
#include "progobs.h"
#include "progrun.h"
#include "sandbox.h"
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

/* kvmlab's helper programs (kvmlab-handlers, kvmlab-unpack): next to the running executable
 * (build/labs/ for build/kvmlab, build/labs/ for a test in build/tests/), in ../libexec after
 * an install, or where meson installs them. */
#ifndef KVMLAB_LIBEXECDIR
#define KVMLAB_LIBEXECDIR "/usr/local/libexec/kvmlab"
#endif

void lab_runner_helper(const char *name, char *path, size_t len)
{
	static const char *const rel[] = { "labs", ".", "../libexec/kvmlab", "../labs" };
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
			snprintf(path, len, "%s/%s/%s", self, rel[i], name);
			if (access(path, X_OK) == 0)
				return;
		}
	}
	snprintf(path, len, "%s/%s", KVMLAB_LIBEXECDIR, name);
}

static const char *handler_host(void)
{
	static char path[PATH_MAX + 64];

	if (!path[0])
		lab_runner_helper("kvmlab-handlers", path, sizeof(path));
	return path;
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

/* ---- building in the sandbox ------------------------------------------------------- */

#define BUILD_WALL_MS 60000u          /* one compiler run, wall clock */
#define BUILD_CPU_S 30u
#define BUILD_MEM (1ull << 30)        /* cc1 on `#include "/dev/zero"` stops here */
#define BUILD_FSIZE (64u << 20)
#define BUILD_NPROC 64u
#define BUILD_LOG_CAP (256u << 10)

int lab_runner_check_sandbox(const struct lab_runner_opts *o, char *err, size_t errlen)
{
	enum lab_sandbox_policy policy = o ? o->sandbox : LAB_SANDBOX_REQUIRE;
	char why[256];

	if (policy == LAB_SANDBOX_NONE)
		return 0;
	if (lab_sandbox_probe(why, sizeof(why)) == 0)
		return 1;
	if (policy == LAB_SANDBOX_PREFER)
		return 0;
	snprintf(err, errlen, "this host cannot sandbox student code (%.120s): grading refused; "
		 "--no-sandbox grades trusted code without one", why);
	return -EPERM;
}

/* Run argv (gcc) in the build's sandbox, its output appended to log.  0 when it exited
 * with status 0; else a positive number with why it failed in why; -errno for host
 * trouble.  The sandbox sees the submission's copy (sub/), or for the grader's own guest
 * its sources (grader/) and not the submission: each is built apart from the other. */
static int spawn(const struct lab_build *b, char *const argv[], struct labbuf *log,
		 char *why, size_t whylen, bool grader)
{
	char sub[PATH_MAX], lab[PATH_MAX], out[PATH_MAX], sys[PATH_MAX], buf[4096], how[160];
	struct lab_sandbox sb;
	double end = vmm_clock_s() + BUILD_WALL_MS / 1000.0;
	bool timed_out = false, to;
	int fd[2], status = 0, ret;
	size_t got = 0;
	pid_t pid;

	labbuf_puts(log, "$");
	for (int i = 0; argv[i]; i++)
		labbuf_printf(log, " %s", argv[i]);
	labbuf_putc(log, '\n');
	snprintf(sub, sizeof(sub), "%s/%s", b->tmpdir, grader ? "grader" : "sub");
	snprintf(lab, sizeof(lab), "%s/lab", b->tmpdir);
	snprintf(out, sizeof(out), "%s/out", b->tmpdir);
	snprintf(sys, sizeof(sys), "%s/sys", b->tmpdir);
	if (pipe2(fd, O_CLOEXEC) < 0)
		return -errno;
	lab_sandbox_init(&sb, (const char *const *)argv);
	sb.off = !b->sandboxed;
	sb.uid = b->uid;
	sb.cwd = sub;
	lab_sandbox_bind(&sb, sub, grader);   /* grader/ takes the grader's guest's ELF */
	lab_sandbox_bind(&sb, lab, false);
	lab_sandbox_bind(&sb, out, !grader);
	lab_sandbox_bind(&sb, sys, false);
	sb.stdout_fd = sb.stderr_fd = fd[1];
	sb.cpu_s = BUILD_CPU_S;
	sb.mem = BUILD_MEM;
	sb.fsize = BUILD_FSIZE;
	sb.nproc = BUILD_NPROC;
	ret = lab_sandbox_spawn(&sb, &pid);
	close(fd[1]);
	if (ret < 0) {
		close(fd[0]);
		return ret;
	}
	for (;;) {
		struct pollfd p = { .fd = fd[0], .events = POLLIN };
		double left = end - vmm_clock_s();
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			lab_sandbox_kill(pid, sb.off);
			break;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(fd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (log->len < BUILD_LOG_CAP)
			labbuf_add(log, buf, (size_t)n);
	}
	close(fd[0]);
	if (got > BUILD_LOG_CAP)
		labbuf_printf(log, "[... %zu more bytes of compiler output not kept]\n",
			      got - BUILD_LOG_CAP);
	ret = lab_sandbox_wait(pid, sb.off, 1000, &status, &to);
	if (ret < 0)
		return ret;
	if (timed_out) {
		snprintf(why, whylen, "was stopped after %u s (the build's wall-clock limit)",
			 BUILD_WALL_MS / 1000);
		return 1;
	}
	if (lab_sandbox_describe(status, sb.off, how, sizeof(how))) {
		snprintf(why, whylen, "was %s (limits of a build: %u s of CPU, %llu MiB of memory, "
			 "%u MiB per file)", how, BUILD_CPU_S, BUILD_MEM >> 20, BUILD_FSIZE >> 20);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	snprintf(why, whylen, "(gcc %s)", how);
	return 1;
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

/* Run gcc with argv in the sandbox, its output appended to log: 0 when it compiled; else
 * err says why (what, e.g. "the guest does not compile", and how gcc ended) and the
 * result is positive, or -errno (gcc could not run). */
static int run_gcc(const struct lab_build *b, const char **argv, struct labbuf *log,
		   const char *what, char *err, size_t errlen, bool grader)
{
	char why[256];
	int rc = spawn(b, (char *const *)argv, log, why, sizeof(why), grader);

	if (rc < 0)
		snprintf(err, errlen, "cannot run gcc: %s", strerror(-rc));
	else if (rc != 0)
		snprintf(err, errlen, "%s %s; the build log has the compiler's messages", what, why);
	return rc;
}

/* The submission's guest (sources from sub/, lab_sources from lab/) into b->guest, or
 * (grader) the lab's own guest of grader_guest (all from grader/) into b->grader_guest. */
static int build_guest(const struct lab *lab, struct lab_build *b, struct labbuf *log,
		       char *err, size_t errlen, bool grader)
{
	const struct lab_guest *g = &lab->guest;
	const char *argv[160];
	char ld[PATH_MAX + 16], inc_g[PATH_MAX + 4], inc_l[PATH_MAX + 4], inc_r[PATH_MAX + 8];
	char edition[32], ports[VMM_HC__COUNT][48];
	char (*given)[PATH_MAX] = NULL;
	char *elf = grader ? b->grader_guest : b->guest;
	int n = 0, w = width_of(lab), ret;

	if (!grader && (g->kind == LAB_GUEST_ELF || g->kind == LAB_GUEST_FLAT)) {
		snprintf(b->guest, sizeof(b->guest), "%s", g->source_paths[0]);
		return 0;
	}
	given = calloc(g->lab_sources_count + lab->grader_guest_count + 1, sizeof(*given));
	if (!given)
		return -ENOMEM;
	if (g->linker_script)
		snprintf(ld, sizeof(ld), "%s/lab/%s", b->tmpdir, g->linker_script);
	else
		snprintf(ld, sizeof(ld), "%s/sys/guests/guest.ld", b->tmpdir);
	snprintf(inc_g, sizeof(inc_g), "-I%s/sys/guests", b->tmpdir);
	snprintf(inc_l, sizeof(inc_l), "-I%s/lab", b->tmpdir);
	snprintf(inc_r, sizeof(inc_r), "-I%s/grader", b->tmpdir);
	/* the grader's guest stays in grader/, out of the handlers' sandbox's view (out/) */
	snprintf(elf, PATH_MAX, "%s/%s.elf", b->tmpdir, grader ? "grader/grader-guest" : "out/guest");
	argv[n++] = "gcc";
	for (size_t i = 0; i < 2; i++)
		argv[n++] = guest_width_flags[w == 16 ? 0 : w == 32 ? 1 : 2][i];
	for (size_t i = 0; i < sizeof(guest_cflags) / sizeof(*guest_cflags); i++)
		argv[n++] = guest_cflags[i];
	argv[n++] = inc_l;   /* the lab's headers first: a lab may ship its own guest.h */
	argv[n++] = inc_g;
	if (grader)
		argv[n++] = inc_r;
	for (unsigned i = 0; i < g->cflags_count && n < 100; i++)
		argv[n++] = g->cflags[i];
	if (lab->edition) {   /* the lab's sources pick that edition's fixed block */
		snprintf(edition, sizeof(edition), "-DKVMLAB_EDITION=%u", *lab->edition);
		argv[n++] = edition;
	}
	for (int i = 0; lab->handlers && i < VMM_HC__COUNT; i++) {   /* the lab's port map */
		snprintf(ports[i], sizeof(ports[i]), "-DKVMLAB_PORT_%s=0x%x", vmm_hc_name(i),
			 vmm_portmap_port(&lab->ports, i));
		argv[n++] = ports[i];
	}
	argv[n++] = "-T";
	argv[n++] = ld;
	argv[n++] = "-o";
	argv[n++] = elf;
	for (unsigned i = 0; grader && i < lab->grader_guest_count && n < 150; i++) {
		snprintf(given[i], PATH_MAX, "%s/grader/%s", b->tmpdir, lab->grader_guest[i]);
		argv[n++] = given[i];
	}
	for (unsigned i = 0; !grader && i < g->lab_sources_count && n < 150; i++) {
		snprintf(given[i], PATH_MAX, "%s/lab/%s", b->tmpdir, g->lab_sources[i]);
		argv[n++] = given[i];
	}
	for (unsigned i = 0; !grader && i < g->sources_count && n < 158; i++)
		argv[n++] = g->source_paths[i];
	argv[n] = NULL;
	ret = run_gcc(b, argv, log, grader ? "the grader's own guest does not compile (the lab's "
		      "fault, not the submission's)" : "the guest does not compile", err, errlen,
		      grader);
	free(given);
	return ret;
}

static int build_handlers(const struct lab *lab, struct lab_build *b, struct labbuf *log,
			  char *err, size_t errlen)
{
	char inc[PATH_MAX + 4], what[PATH_MAX + 64];
	const char *argv[16];
	int n = 0;

	snprintf(inc, sizeof(inc), "-I%s/sys/include", b->tmpdir);
	snprintf(b->handlers_so, sizeof(b->handlers_so), "%s/out/handlers.so", b->tmpdir);
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
	return run_gcc(b, argv, log, what, err, errlen, false);
}

/* The lab's own files a build may use, into tmp/lab: its top-level files but lab.yaml
 * (never its solution/ or starter/ folders), its lab_sources and its linker script. */
static int copy_lab_files(const struct lab *lab, const char *tmp)
{
	const struct lab_guest *g = &lab->guest;
	char src[PATH_MAX * 2], dst[PATH_MAX * 2];
	struct dirent *e;
	int ret = 0;
	DIR *d = opendir(lab->dir);

	snprintf(dst, sizeof(dst), "%s/lab", tmp);
	if (mkdir(dst, 0700) < 0)
		return -errno;
	while (d && ret == 0 && (e = readdir(d)) != NULL) {
		struct stat st;

		snprintf(src, sizeof(src), "%s/%s", lab->dir, e->d_name);
		if (e->d_name[0] == '.' || strcmp(e->d_name, "lab.yaml") == 0 ||
		    stat(src, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		snprintf(dst, sizeof(dst), "%s/lab/%s", tmp, e->d_name);
		ret = lab_copy_file(src, dst);
	}
	if (d)
		closedir(d);
	for (unsigned i = 0; i <= g->lab_sources_count && ret == 0; i++) {
		const char *rel = i < g->lab_sources_count ? g->lab_sources[i] : g->linker_script;

		if (!rel)
			continue;
		snprintf(src, sizeof(src), "%s/%s", lab->dir, rel);
		snprintf(dst, sizeof(dst), "%s/lab/%s", tmp, rel);
		ret = lab_copy_file(src, dst);
	}
	return ret;
}

/* kvmlab's own files a build and the handlers use, into tmp/sys: guest.ld and guest.h,
 * kvmlab/lab.h, kvmlab-handlers.  The sandbox sees these copies, never the folders they
 * come from (which its uid may not even be allowed to walk); the log says where from. */
static int copy_given(const struct lab *lab, struct lab_build *b, struct labbuf *log)
{
	static const char *const files[][2] = {
		{ "guests", "guest.ld" }, { "guests", "guest.h" }, { "include", "kvmlab/lab.h" },
	};
	char src[PATH_MAX * 2], dst[PATH_MAX * 2];
	int rc = 0;

	labbuf_printf(log, "# guest.ld and guest.h from %s, kvmlab/lab.h from %s, the lab's "
		      "files from %s\n", guest_src_dir, lab_inc_dir, lab->dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files) && rc == 0; i++) {
		snprintf(src, sizeof(src), "%s/%s", i < 2 ? guest_src_dir : lab_inc_dir, files[i][1]);
		snprintf(dst, sizeof(dst), "%s/sys/%s/%s", b->tmpdir, files[i][0], files[i][1]);
		rc = lab_copy_file(src, dst);
	}
	if (rc == 0 && lab->handlers) {
		snprintf(b->host, sizeof(b->host), "%s/sys/kvmlab-handlers", b->tmpdir);
		rc = lab_copy_file(handler_host(), b->host);
		if (rc == 0 && chmod(b->host, 0700) < 0)
			rc = -errno;
	}
	return rc;
}

/* Can any uid walk down to dir?  (bwrap resolves what it binds as the sandbox's uid.) */
static bool walkable(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s", dir);
	for (;;) {
		char *slash;

		if (stat(p, &st) < 0 || !(st.st_mode & S_IXOTH))
			return false;
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			return true;
		*slash = '\0';
	}
}

/* The temporary folder: TMPDIR/kvmlab-grade-PID-XXXXXX, after sweeping the folders of
 * graders that died (SIGKILL leaves no chance to clean up).  A TMPDIR the sandbox's uid
 * cannot walk to is replaced by /tmp, and the log says so. */
static int make_tmpdir(struct lab_build *b, struct labbuf *log, char *err, size_t errlen)
{
	static bool swept;
	const char *tmp = getenv("TMPDIR");
	int rc;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (b->uid && !walkable(tmp)) {
		labbuf_printf(log, "# TMPDIR %s is closed to the sandbox's uid: the build folder "
			      "is in /tmp\n", tmp);
		tmp = "/tmp";
	}
	if (!swept) {
		lab_sandbox_sweep(tmp, "kvmlab-grade");
		if (strcmp(tmp, "/tmp") != 0)
			lab_sandbox_sweep("/tmp", "kvmlab-grade");
		swept = true;
	}
	snprintf(b->tmpdir, sizeof(b->tmpdir), "%s/kvmlab-grade-%d-XXXXXX", tmp, (int)getpid());
	if (!mkdtemp(b->tmpdir)) {
		rc = -errno;
		snprintf(err, errlen, "cannot make a temporary folder %s: %s", b->tmpdir,
			 strerror(errno));
		b->tmpdir[0] = '\0';
		return rc;
	}
	if (getenv("KVMLAB_KEEP_BUILD")) {
		char keep[PATH_MAX];

		snprintf(keep, sizeof(keep), "%s/.kvmlab-keep", b->tmpdir);
		close(open(keep, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	}
	return 0;
}

/* Copy what the sandbox may see into the temporary folder, resolve the sources there. */
static int stage(struct lab *lab, struct lab_build *b, struct labbuf *log, char *err,
		 size_t errlen)
{
	char sub[PATH_MAX], out[PATH_MAX];
	int rc;

	snprintf(sub, sizeof(sub), "%s/sub", b->tmpdir);
	snprintf(out, sizeof(out), "%s/out", b->tmpdir);
	if (mkdir(out, 0700) < 0 || (rc = copy_lab_files(lab, b->tmpdir)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot copy the lab's files: %s", strerror(-rc));
		return rc;
	}
	for (unsigned i = 0; i < lab->grader_guest_count; i++) {   /* never in sub/'s sandbox */
		char src[PATH_MAX * 2], dst[PATH_MAX * 2];

		snprintf(src, sizeof(src), "%s/%s", lab->dir, lab->grader_guest[i]);
		snprintf(dst, sizeof(dst), "%s/grader/%s", b->tmpdir, lab->grader_guest[i]);
		if ((rc = lab_copy_file(src, dst)) < 0) {
			snprintf(err, errlen, "cannot copy the grader's guest: %s", strerror(-rc));
			return rc;
		}
	}
	rc = copy_given(lab, b, log);
	if (rc < 0) {
		snprintf(err, errlen, "cannot copy kvmlab's files for the build: %s", strerror(-rc));
		return rc;
	}
	if (!lab->submission_dir) {
		if (mkdir(sub, 0700) < 0)
			return -errno;
	} else {
		rc = lab_copy_tree(lab->submission_dir, sub, log);
		if (rc == -EFBIG) {
			snprintf(err, errlen, "the submission is larger than the grader copies (%u MiB, "
				 "%u files)", LAB_COPY_MAX_BYTES >> 20, LAB_COPY_MAX_FILES);
			return 1;
		}
		if (rc == 0)
			rc = lab_headers_protect(lab, sub, log);
		if (rc < 0) {
			snprintf(err, errlen, "cannot copy the submission: %s", strerror(-rc));
			return 1;
		}
		if (lab_resolve_sources(lab, sub, err, errlen) < 0)
			return 1;   /* a source that was a symlink is not in the copy */
	}
	rc = lab_sandbox_chown_tree(b->tmpdir, b->uid);
	if (rc < 0)
		snprintf(err, errlen, "cannot give the build folder to the sandbox: %s",
			 strerror(-rc));
	return rc;
}

int lab_build(struct lab *lab, const struct lab_runner_opts *o, struct lab_build *b, char *err,
	      size_t errlen)
{
	struct labbuf log = { 0 };
	double t0 = vmm_clock_s();
	int rc;

	memset(b, 0, sizeof(*b));
	*err = '\0';
	find_dirs();
	rc = lab_runner_check_sandbox(o, err, errlen);
	if (rc < 0)
		return rc;
	b->sandboxed = rc == 1;
	b->dev = o ? o->dev : NULL;
	b->uid = b->sandboxed ? lab_sandbox_new_uid() : 0;
	rc = make_tmpdir(b, &log, err, errlen);
	if (rc < 0) {
		labbuf_release(&log);
		return rc;
	}
	rc = stage(lab, b, &log, err, errlen);
	if (rc == 0)
		rc = build_guest(lab, b, &log, err, errlen, false);
	if (rc == 0 && lab->handlers_path)
		rc = build_handlers(lab, b, &log, err, errlen);
	if (rc == 0 && lab->grader_run)
		rc = build_guest(lab, b, &log, err, errlen, true);
	b->ok = rc == 0;
	b->log = labbuf_take(&log);
	b->log_len = b->log ? strlen(b->log) : 0;
	b->seconds = vmm_clock_s() - t0;
	return rc < 0 ? rc : 0;
}

void lab_build_free(struct lab_build *b)
{
	if (b->tmpdir[0] && !getenv("KVMLAB_KEEP_BUILD"))
		lab_rmtree(b->tmpdir);
	free(b->log);
	memset(b, 0, sizeof(*b));
}

/* ---- the run ------------------------------------------------------------- */

/* One of the run's texts (the output, or the output as shown), kept up to a cap. */
struct outsink {
	char **buf;
	size_t *len;
	size_t cap, limit;
	bool truncated;
};

static void sink(void *ctx, const char *buf, size_t len)
{
	struct outsink *o = ctx;
	char *p;

	if (o->truncated)
		return;
	if (*o->len + len > o->limit) {
		len = o->limit - *o->len;
		o->truncated = true;
	}
	p = vmm_array_grow(*o->buf, &o->cap, 1, *o->len + len + 1, 4096);
	if (!p) {
		o->truncated = true;
		return;
	}
	*o->buf = p;
	memcpy(p + *o->len, buf, len);
	*o->len += len;
	p[*o->len] = '\0';
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
		      struct lab_run *run, enum vmm_stop *stop, const char *which)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct tracewriter *w = NULL;
	struct engine_goal g;
	struct timeline tl;
	FILE *f = NULL;
	int ret;

	if (!e)
		return -ENOMEM;
	s->no_symbols = true;  /* the submission's ELF is hostile: no DWARF parsing in the grader */
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

		/* not in a sandbox's view */
		snprintf(path, sizeof(path), "%s/trace%s.jsonl", b->tmpdir, which);
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

/* What the run did with its ports: those no device claims, the hypercalls' calls. */
static void port_uses(const struct lab_session *ls, struct lab_run *run)
{
	run->nnodev = lab_session_nodev(ls, run->nodev, LAB_NODEV_MAX);
	for (int id = 0; id < VMM_HC__COUNT; id++) {
		run->hc_calls[id] = ls->s.hc.calls[id];
		run->hc_printed[id] = ls->label.printed[id];
		run->hc_student[id] = !vmm_hc_builtin(&ls->s.hc, (enum vmm_hc_id)id);
	}
	run->misuse = ls->s.hc.misuse;
	run->handler_died = lab_ctx_dead(ls->handlers);
}

/* Add "; what" to the run's stop detail. */
static void detail_add(struct lab_run *run, const char *what)
{
	size_t n = strlen(run->stop_detail);

	snprintf(run->stop_detail + n, sizeof(run->stop_detail) - n, "%s%s", n ? "; " : "", what);
}

/* Run the built guest with the student's handlers, or (with_handlers false) with kvmlab's. */
static int execute(const struct lab *lab, const struct lab_build *b, struct lab_run *run,
		   bool with_handlers, const char *guest)
{
	struct outsink out = { .buf = &run->output, .len = &run->output_len, .cap = 1,
			       .limit = LAB_OUTPUT_CAP };
	struct outsink shown = { .buf = &run->shown, .len = &run->shown_len, .cap = 1,
				 .limit = LAB_OUTPUT_CAP + LAB_OUTPUT_CAP / 2 };
	struct lab_session ls;
	enum vmm_stop stop = VMM_STOP_OTHER;
	uint64_t t0;
	char why[320];
	int ret;

	memset(run, 0, sizeof(*run));
	run->stop = VMM_STOP_OTHER;
	run->output = calloc(1, 1);
	run->shown = calloc(1, 1);
	if (!run->output || !run->shown)
		return -ENOMEM;
	if (!b->ok) {
		snprintf(run->error, sizeof(run->error), "the submission did not build");
		return 0;
	}
	ret = lab_session_open(&ls, lab, b, guest, with_handlers, sink, &shown, run->error,
			       sizeof(run->error));
	if (ret < 0)
		return ret == -ENODEV || ret == -ENOMEM ? ret : 0;
	ls.label.raw = sink;
	ls.label.raw_ctx = &out;
	vmm_vcpu_load(&ls.s.vcpu);
	run->sandboxed = b->sandboxed;
	run->guest_path = strdup(guest);
	if (!run->guest_path || lab_memchange_start(lab, &ls.s.vm, &ls.s.vcpu, run) < 0) {
		if (!run->error[0])
			snprintf(run->error, sizeof(run->error), "out of memory");
		lab_session_close(&ls);
		return 0;
	}
	run->start = (uint64_t)time(NULL);
	run->tsc_start = __builtin_ia32_rdtsc();
	vmm_vm_clock(&ls.s.vm, &run->clock_start);
	t0 = vmm_clock_ns();
	if (lab->trace) {
		ret = run_traced(lab, b, &ls.s, run, &stop, guest == b->grader_guest ? "-grader" :
				 with_handlers ? "" : "-reference");
	} else {
		struct vmm_limits lim = { .max_exits = lab->max_exits, .timeout_ms = lab->timeout_ms };

		ret = vmm_run(&ls.s.vcpu, &lim, &stop);
	}
	run->end = (uint64_t)time(NULL);
	run->tsc_end = __builtin_ia32_rdtsc();
	vmm_vm_clock(&ls.s.vm, &run->clock_end);
	if (ls.handlers && ls.s.hc.calls[VMM_HC_GETTIMESTAMP]) {   /* the student's answer came in there */
		run->start = ls.s.hc.ts_before.s;
		run->end = ls.s.hc.ts_after.s;
		run->tsc_start = ls.s.hc.ts_before.tsc;
		run->tsc_end = ls.s.hc.ts_after.tsc;
		run->clock_start = ls.s.hc.ts_before.kvm_ns;
		run->clock_end = ls.s.hc.ts_after.kvm_ns;
	}
	memcpy(run->hc_seen, ls.s.hc.io_seen, sizeof(run->hc_seen));
	run->elapsed_ns = vmm_clock_ns() - t0;
	run->stop = (int)stop;
	if (ret < 0)
		snprintf(run->error, sizeof(run->error), "running the guest failed: %s",
			 *vmm_last_error() ? vmm_last_error() : strerror(-ret));
	else if (lab_memchange_finish(&ls.s.vm, run) < 0)
		ret = 0;   /* run->error says why nothing can be checked */
	else if (stop != VMM_STOP_HLT)  /* in the words `kvmlab run` uses */
		session_report(&ls.s, stop, 0, run->stop_detail, sizeof(run->stop_detail));
	if (*lab_session_missing(&ls)) {
		snprintf(why, sizeof(why), "%s defines no %s (nothing answers those hypercalls)",
			 lab->handlers, lab_session_missing(&ls));
		detail_add(run, why);
	}
	if (out.truncated) {
		snprintf(why, sizeof(why), "output truncated at %u bytes", LAB_OUTPUT_CAP);
		detail_add(run, why);
	}
	port_uses(&ls, run);
	vmm_vcpu_load(&ls.s.vcpu);
	run->regs = ls.s.vcpu.regs;
	run->sregs = ls.s.vcpu.sregs;
	memcpy(run->exits, ls.s.vcpu.stats.count, sizeof(run->exits));
	run->total_exits = ls.s.vcpu.stats.total;
	run->stats = ls.s.vcpu.stats;
	run->hva_base = (uint64_t)(uintptr_t)ls.s.vm.mem;
	run->mem_size = ls.s.vm.mem_size;
	{
		uint8_t *m = malloc(ls.s.vm.mem_size);

		if (m)
			memcpy(m, ls.s.vm.mem, ls.s.vm.mem_size);
		run->mem = m;
	}
	lab_session_close(&ls);
	return ret < 0 ? ret : 0;
}

int lab_execute(const struct lab *lab, const struct lab_build *b, struct lab_run *run)
{
	int ret = execute(lab, b, run, true, b->guest);

	if (ret == 0 && lab->reference_run && b->ok) {
		run->reference = calloc(1, sizeof(*run->reference));
		if (!run->reference)
			return -ENOMEM;
		ret = execute(lab, b, run->reference, false, b->guest);
	}
	if (ret == 0 && lab->grader_run && b->ok) {
		run->grader = calloc(1, sizeof(*run->grader));
		if (!run->grader)
			return -ENOMEM;
		ret = execute(lab, b, run->grader, true, b->grader_guest);
	}
	return ret;
}

int lab_run_submission(struct lab *lab, const struct lab_runner_opts *o, struct lab_build *b,
		       struct lab_run *run)
{
	char err[256];
	int ret;

	if (lab->program)   /* the submission is a hypervisor program (progrun.c) */
		return lab_program_run(lab, o, b, run);
	ret = lab_build(lab, o, b, err, sizeof(err));
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
	free(run->drawdir);
	free(run->obs_log);
	if (run->reference) {
		lab_run_free(run->reference);
		free(run->reference);
	}
	if (run->grader) {
		lab_run_free(run->grader);
		free(run->grader);
	}
	free(run->output);
	free(run->shown);
	free((void *)run->mem);
	free(run->image);
	free(run->dirty);
	free(run->guest_path);
	free(run->modes);
	free(run->trace_path);
	memset(run, 0, sizeof(*run));
}
