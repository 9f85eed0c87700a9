/* stepflow.h - where a step went: the address its instruction leads to, the vector it delivered,
 * and the instructions a host ran past the single-step trap (named when they can be recovered). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "disasm.h"
#include "step.h"

struct engine;

/* What the instruction may lead to, read before it runs (a RET's return address is on the
 * stack now, and may be overwritten by the time the step is over). */
struct stepflow_pred {
	bool valid;
	bool unknown;        /* indirect through memory, SYSCALL, ...: the target is not predicted */
	int n;
	uint64_t rip[3];     /* RIP values the instruction may leave */
	int vec[3];          /* the vector delivered when it leaves rip[i] (INT n), or -1 */
};

/* Predict where the instruction in (decoded at st->before) leads. */
void stepflow_predict(struct engine *e, const struct insn *in, const struct step *st,
		      struct stepflow_pred *p);

/* After the step: fill st->flow (land, vector, retired, skip[]) from p (NULL: undecodable). */
void stepflow_check(struct engine *e, const struct stepflow_pred *p, struct step *st);

/* The closing count line: "kvmlab: N instructions retired", with the steps when they differ. */
void stepflow_report(const struct engine *e, FILE *f);
