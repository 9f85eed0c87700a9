/* runner.h - build a lab's guest (and the student's handlers) and run it into a lab_run.
 *
 * lab_build() compiles the guest sources with the system gcc and the flags
 * guests/meson.build uses for bare-metal guests, into a private temporary
 * folder; the compiler's output goes into the build log.  lab_execute() opens
 * a session with the lab's mode, memory, port map and limits, starts the
 * student's handlers (a shared object built from lab->handlers_path) in their
 * own sandboxed process (labapi.h), runs
 * the guest untraced (vmm_run) or traced (the step engine: mode timeline,
 * instruction count, JSONL trace for trace_matches), and fills the run.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "labfile.h"
#include "live.h"
#include "result.h"

/* Whether student code (the compiler run, the handlers) runs in a sandbox (sandbox.h). */
enum lab_sandbox_policy {
	LAB_SANDBOX_REQUIRE,   /* grading: refuse (-EPERM) where the host cannot sandbox */
	LAB_SANDBOX_PREFER,    /* a student's own `kvmlab lab build/run`: sandbox when possible */
	LAB_SANDBOX_NONE,      /* the instructor's explicit --no-sandbox */
};

/* How the runner treats student code, and the KVM device its runs open: given to each build,
 * run and grading.  Zeroed (or NULL): the sandbox required, /dev/kvm. */
struct lab_runner_opts {
	enum lab_sandbox_policy sandbox;
	const char *dev;              /* kept by pointer; NULL: /dev/kvm */
};

/* Whether student code is sandboxed under o: 1 yes, 0 no (the policy allows it), or -EPERM
 * with a sentence in err (a host that cannot, under LAB_SANDBOX_REQUIRE). */
int lab_runner_check_sandbox(const struct lab_runner_opts *o, char *err, size_t errlen);
/* Where kvmlab's helper program name is (kvmlab-handlers, kvmlab-unpack): next to the
 * running executable, in ../libexec after an install, else the installed libexec path. */
void lab_runner_helper(const char *name, char *path, size_t len);

struct lab_build {
	char tmpdir[PATH_MAX - 64];   /* TMPDIR/kvmlab-grade-PID-XXXXXX: sub/ the submission's
				       * copy, lab/ the lab's given files, sys/ kvmlab's (guest.ld,
				       * guest.h, kvmlab/lab.h, kvmlab-handlers), out/ what gcc
				       * writes; removed by lab_build_free */
	bool sandboxed;
	const char *dev;              /* the KVM device the runs open (lab_runner_opts.dev) */
	uid_t uid;                    /* the sandboxes' uid (0: the grader's own) */
	char guest[PATH_MAX];         /* the ELF (or flat image) to run */
	char handlers_so[PATH_MAX];   /* "" when the lab has no handlers */
	char host[PATH_MAX];          /* the copy of kvmlab-handlers that runs them */
	char grader_guest[PATH_MAX];  /* the lab's own guest (grader_guest:), or "" */
	char *log;                    /* compiler commands and output, NUL-terminated */
	size_t log_len;
	bool ok;
	double seconds;
};

/* Output captured from a run (console + hypercalls), at most this many bytes. */
#define LAB_OUTPUT_CAP (1u << 20)

/*
 * Build lab's guest (and handlers) from the sources lab_load() resolved: the submission
 * is copied into b->tmpdir (regular files only, copytree.h) and the sources resolved
 * again there (lab's paths then name the copy); gcc runs in a sandbox (sandbox.h) that
 * sees the copy, the lab's given files and the guests' headers, with limits.
 * 0 with b->ok set, or a build failure: b->ok false, run->error-style reason
 * in err and the compiler output in b->log (still 0 returned); -errno only for
 * host trouble (no temp dir, fork failed), and -EPERM when the policy requires a
 * sandbox and the host cannot make one (err says why).
 */
int lab_build(struct lab *lab, const struct lab_runner_opts *o, struct lab_build *b, char *err,
	      size_t errlen);
void lab_build_free(struct lab_build *b);

/* Run a built guest; fills run (free with lab_run_free).  run->error says why
 * there is nothing to check.  0, or -errno for host trouble (also in run->error). */
int lab_execute(const struct lab *lab, const struct lab_build *b, struct lab_run *run);

/* Build and run: run->error holds a build failure ("the guest does not compile"). */
int lab_run_submission(struct lab *lab, const struct lab_runner_opts *o, struct lab_build *b,
		       struct lab_run *run);

void lab_run_free(struct lab_run *run);

/* Live values for answers checks (a lab_live_fn): the built-in ones, plus those that
 * need a run of a guest, recorded once as `kvmlab run hello --show-ioctls` would:
 * guest_entry[:GUEST], first_ioctls:N, ioctl_count:NAME.  Install with lab_live_set(). */
int lab_runner_live(const char *name, const char *arg, char *out, size_t len, char *err,
		    size_t errlen);

