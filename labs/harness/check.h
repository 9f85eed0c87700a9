/* check.h - evaluating a lab's checks against a finished run.
 *
 * Each check kind lives in its own file (check_output.c, ...) and exports one
 * struct lab_check_ops; lab_check_ops[] maps kinds to them (LAB_CHECK_KINDS in labfile.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "labfile.h"
#include "result.h"

enum lab_status {
	LAB_PASS,
	LAB_FAIL,
	LAB_SKIP,  /* not evaluated: the check it depends on did not pass */
};

struct lab_check_result {
	const struct lab_check *check;
	enum lab_status status;
	unsigned score, max_score;
	char *expected;   /* what the check wanted, as text; NULL if not applicable */
	char *actual;     /* what the run gave */
	char *message;    /* why it failed or was skipped; NULL when it passed */
	unsigned partial; /* points a failed check still earns (a script's answer) */
	bool lab_error;   /* the lab failed here, not the submission (a script that crashed) */
	char *cause;      /* a failed check: the causes seen in its run with their hints
			   * (cause.h, "SENTENCE\nHINT" each), or NULL */
};

struct lab_diag;

struct lab_check_ops {
	bool needs_trace;   /* the run must be traced */
	bool needs_memlog;  /* the run must record its memory changes (memchange.h) */
	bool own_timeout;   /* timeout_ms bounds the check's own evaluation, not the run */
	/* At load time: validate and compile the spec; 0 or -EINVAL with a message in d. */
	int (*prepare)(struct lab_check *c, const struct lab *lab, struct lab_diag *d);
	/* Fill r->status, expected, actual, message; 0 or -errno (internal failure). */
	int (*evaluate)(const struct lab_check *c, const struct lab_run *run,
			struct lab_check_result *r);
	/* Free what prepare made (may be NULL). */
	void (*release)(struct lab_check *c);
};

extern const struct lab_check_ops *const lab_check_ops[LAB_CHECK__COUNT];

#define LAB_CHECK_OPS_DECL(kind, key, member, ops, shape, schema) extern const struct lab_check_ops ops;
LAB_CHECK_KINDS(LAB_CHECK_OPS_DECL)
#undef LAB_CHECK_OPS_DECL

/* A count against optional min, max and equals: whether it passes, and the wanted range as
 * text ("3 IO out exits", "1 to 5 ...", "at least 2 ...", "at most 9 ..."). */
bool lab_range_ok(uint64_t n, const uint64_t *min, const uint64_t *max, const uint64_t *equals);
char *lab_range_text(const uint64_t *min, const uint64_t *max, const uint64_t *equals,
		     const char *what);

/* Program labs: the index of name in lab->program->abi->names, or -1. */
int lab_abi_index(const struct lab *lab, const char *name);

/* The run check c looks at: run itself, one of a program lab's runs, the reference or the
 * grader's run (NULL when that one was not made). */
const struct lab_run *lab_check_run_of(const struct lab_check *c, const struct lab_run *run);

/* Evaluate one check, ignoring its dependency.  0 or -errno; r is filled either way. */
int lab_check_evaluate(const struct lab_check *c, const struct lab_run *run,
		       struct lab_check_result *r);

/*
 * Evaluate all of lab's checks in file order, skipping those whose
 * dependency did not pass.  run NULL or run->error set: every check fails
 * with that reason.  *out gets lab->checks_count results (free with
 * lab_check_results_free).  0 or -ENOMEM.
 */
int lab_checks_run(const struct lab *lab, const struct lab_run *run,
		   struct lab_check_result **out);

void lab_check_result_fini(struct lab_check_result *r);
void lab_check_results_free(struct lab_check_result *res, size_t n);

/* "PASS", "FAIL", "SKIP". */
const char *lab_status_name(enum lab_status s);

/* For check kinds: set the outcome; takes ownership of the strings (any may be NULL). */
int lab_result_set(struct lab_check_result *r, bool passed, char *expected, char *actual,
		   char *message);

/* Register lookup shared by the loader and check_register.c: 0 or -ENOENT. */
int lab_register_find(const char *name, struct lab_regref *ref);
uint64_t lab_register_read(const struct lab_regref *ref, const struct kvm_regs *regs,
			   const struct kvm_sregs *sregs);
