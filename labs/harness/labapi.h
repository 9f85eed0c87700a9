/* labapi.h - student hypercall handlers, run outside the grader.
 *
 * lab_ctx_load() starts kvmlab-handlers (handlerhost.c) in a sandbox (sandbox.h) with the
 * student's shared object and takes every exit on the lab's hypercall ports (vmm_hc's
 * on_exit): it sends the whole exit to lab_hypercall, or to the lab_NAME of the hypercall
 * it is, over the narrow protocol of hostproto.h and serves the helpers the handler asks for (guest memory reads and writes,
 * checked here; translations; exit counts, counted here; printed text) until it returns.
 * A hypercall whose handler the object lacks does nothing (no built-in fallback: the
 * checks that need it fail) and is named by lab_ctx_missing().  A handler that crashes,
 * exits, hangs past the lab's time limit or breaks the protocol stops the guest with a
 * sentence saying which and how; the process tree is gone when lab_ctx_free() returns.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hypercall.h"

struct lab_ctx;

struct lab_ctx_opts {
	const char *host;         /* the kvmlab-handlers executable */
	const char *so;           /* the student's shared object */
	bool sandbox_off;         /* the instructor's --no-sandbox */
	uid_t uid;                /* the submission's sandbox uid (lab_sandbox_new_uid) */
	unsigned timeout_ms;      /* the lab's wall-clock limit; 0: none */
};

/* 0, or -errno with a sentence in err (the run then has nothing to check). */
int lab_ctx_load(struct lab_ctx **out, struct vmm_hc *hc, const struct lab_ctx_opts *o,
		 char *err, size_t len);
/* The lab's handlers the object does not define, "lab_print32, lab_printStr", or "". */
const char *lab_ctx_missing(const struct lab_ctx *ctx);
/* Whether the handlers' process crashed, hung or broke the protocol (false for NULL). */
bool lab_ctx_dead(const struct lab_ctx *ctx);
void lab_ctx_free(struct lab_ctx *ctx);
