/* step.h - one traced instruction: state before and after, its exit and its memory writes. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define STEP_MAX_WRITES 4    /* memory operands written by one instruction that we record */
#define STEP_WRITE_MAX 16    /* bytes recorded per write (longer writes are cut, flagged) */

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

struct step {
	uint64_t n;                      /* 1-based: the n-th instruction retired */
	struct kvm_regs before, after;
	struct kvm_sregs sbefore, safter;
	uint8_t insn[15];
	uint8_t insn_len;                /* 0 if the bytes at RIP could not be read */
	bool has_exit;
	struct step_exit exit;
	uint8_t nwrites;
	struct step_write w[STEP_MAX_WRITES];
};
