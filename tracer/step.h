/* step.h - one traced instruction: state before and after, its exit and its memory writes. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define STEP_MAX_WRITES 4    /* memory operands written by one instruction that we record */
#define STEP_WRITE_MAX 16    /* bytes recorded per write (longer writes are cut, flagged) */
#define STEP_MAX_SKIP 8      /* instructions named that a step retired after its own */

/* The VM exit that ended a step, when it was not just the single-step trap. */
struct step_exit {
	uint8_t kind;            /* enum vmm_exit */
	uint8_t in;              /* IO: 1 for IN */
	uint8_t size;            /* IO: 1, 2 or 4; MMIO: length */
	uint16_t port;           /* IO */
	uint32_t count;          /* IO: repetitions (string I/O) */
	uint64_t addr;           /* MMIO: guest physical address */
	uint8_t data[8];         /* IO: first element; MMIO: bytes */
};

struct step_write {
	uint64_t gpa;            /* guest physical address of the first byte */
	uint64_t gva;            /* linear address the instruction used */
	uint8_t len;             /* bytes recorded (<= STEP_WRITE_MAX) */
	uint8_t cut;             /* 1 if the write was longer than recorded */
	uint8_t old[STEP_WRITE_MAX];
	uint8_t new[STEP_WRITE_MAX];
};

/* Where a step went (tracer/stepflow.c): the step's own instruction leads to land; when the
 * single-step trap came later than that, the instructions retired in between are named. */
struct step_flow {
	uint8_t retired;                 /* instructions retired: 1; 0 when the instruction faulted;
					    more when the host ran past the trap */
	bool unknown;                    /* RIP is not where the instruction leads and the path there
					    is not known: retired is a lower bound */
	int16_t vector;                  /* the IDT/IVT vector this step delivered (INT n or an
					    exception), -1: none */
	uint64_t land;                   /* linear address the step's own instruction led to, when that
					    is not the after state's CS:RIP (0: it is) */
	uint16_t land_cs;                /* and the CS selector it loaded there (with land) */
	int16_t fault_vector;            /* an instruction after it raised this exception, -1: none */
	uint64_t fault_pc;               /* that instruction's linear address (it did not retire) */
	uint64_t fault_rip;              /* and its RIP (not recorded in the history) */
	uint8_t fault_at;                /* how many of skip[] retired before it */
	uint8_t nskip;                   /* instructions after it (or its exception), in skip[] */
	uint64_t skip[STEP_MAX_SKIP];    /* their linear addresses, in order */
};

struct step {
	uint64_t n;                      /* 1-based: the n-th step (one instruction, or more: flow) */
	struct kvm_regs before, after;
	struct kvm_sregs sbefore, safter;
	uint8_t insn[15];
	uint8_t insn_len;                /* 0 if the bytes at RIP could not be read */
	bool has_exit;
	struct step_exit exit;
	uint8_t nwrites;
	struct step_write w[STEP_MAX_WRITES];
	struct step_flow flow;
};
