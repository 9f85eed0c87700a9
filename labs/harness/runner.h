/* runner.h - build a lab's guest (and the student's handlers) and run it into a lab_run.
 *
 * lab_build() compiles the guest sources with the system gcc and the flags
 * guests/meson.build uses for bare-metal guests, into a private temporary
 * folder; the compiler's output goes into the build log.  lab_execute() opens
 * a session with the lab's mode, memory, port map and limits, loads the
 * student's handlers (a shared object built from lab->handlers_path), runs
 * the guest untraced (vmm_run) or traced (the step engine: mode timeline,
 * instruction count, JSONL trace for trace_matches), and fills the run.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "labfile.h"
#include "live.h"
#include "result.h"

struct lab_build {
	char tmpdir[PATH_MAX - 64];        /* removed by lab_build_free */
	char guest[PATH_MAX];         /* the ELF (or flat image) to run */
	char handlers_so[PATH_MAX];   /* "" when the lab has no handlers */
	char *log;                    /* compiler commands and output, NUL-terminated */
	size_t log_len;
	bool ok;
	double seconds;
};

/* Output captured from a run (console + hypercalls), at most this many bytes. */
#define LAB_OUTPUT_CAP (1u << 20)

/*
 * Build lab's guest (and handlers) from the sources lab_load() resolved.
 * 0 with b->ok set, or a build failure: b->ok false, run->error-style reason
 * in err and the compiler output in b->log (still 0 returned); -errno only for
 * host trouble (no temp dir, fork failed).
 */
int lab_build(const struct lab *lab, struct lab_build *b, char *err, size_t errlen);
void lab_build_free(struct lab_build *b);

/* Run a built guest; fills run (free with lab_run_free).  run->error says why
 * there is nothing to check.  0, or -errno for host trouble (also in run->error). */
int lab_execute(const struct lab *lab, const struct lab_build *b, struct lab_run *run);

/* Build and run: run->error holds a build failure ("the guest does not compile"). */
int lab_run_submission(const struct lab *lab, struct lab_build *b, struct lab_run *run);

void lab_run_free(struct lab_run *run);

/* Live values for answers checks (a lab_live_fn): the built-in ones, plus those that
 * need a run of a guest, recorded once as `kvmlab run hello --show-ioctls` would:
 * guest_entry[:GUEST], first_ioctls:N, ioctl_count:NAME.  Install with lab_live_set(). */
int lab_runner_live(const char *name, const char *arg, char *out, size_t len, char *err,
		    size_t errlen);

