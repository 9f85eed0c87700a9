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
	uint16_t cs_now;     /* CS before the step */
	uint64_t fall;       /* RIP of the next instruction */
	uint64_t rip[3];     /* RIP values the instruction may leave */
	uint16_t cs[3];      /* and the CS selector with each (a far transfer's new CS) */
	int vec[3];          /* the vector delivered when it leaves rip[i] (INT n), or -1 */
};

/* Predict where the instruction in (decoded at st->before) leads. */
void stepflow_predict(struct engine *e, const struct insn *in, const struct step *st,
		      struct stepflow_pred *p);

/* After the step: fill st->flow (retired, unknown, land, vector, skip[], fault_*) from p (NULL:
 * undecodable). For a step that stopped the guest with a fault, retired says how many
 * instructions completed before the one at RIP faulted (0: the step's own). */
void stepflow_check(struct engine *e, const struct stepflow_pred *p, struct step *st);

/* The closing count line: "kvmlab: N instructions retired", with the steps when they differ. */
void stepflow_report(const struct engine *e, FILE *f);

/* Instructions st retired: *n (a lower bound when *exact is false). */
void stepflow_count(const struct step *st, uint64_t *n, bool *exact);
