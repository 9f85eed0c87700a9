/* engine.h - the step engine: single-step a session's guest, record every step, stop where asked. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "disasm.h"
#include "history.h"
#include "insncache.h"
#include "pagewalk.h"
#include "run.h"
#include "step.h"
#include "tvcpu.h"
#include "x86.h"

struct vmm_hc;
struct vmm_fc;
struct symbols;

#define ENGINE_MAX_BREAKS 64
#define ENGINE_MAX_WATCHES 4

struct engine_watch {
	uint64_t addr, len;  /* linear range */
};

struct engine {
	struct tvcpu *cpu;           /* the vCPU stepped (kvmlab's own or another program's) */
	const struct vmm_hc *hc;     /* kvmlab's hypercall ports, to name them; NULL: none */
	const struct vmm_fc *fc;     /* kvmlab's file-call ports; NULL: none */
	struct symbols *syms;        /* the guest's symbols and source lines; NULL: none */
	struct disasm dis;
	struct history hist;
	bool record;                 /* keep every step in hist */
	uint64_t nsteps;             /* steps so far (each one instruction, or more: step.flow) */
	uint64_t nretired;           /* instructions retired so far (a lower bound if nuncounted) */
	uint64_t nuncounted;         /* steps that retired more than one, how many not known */
	bool ended;                  /* the guest stopped for good */
	enum vmm_stop stop;          /* why, when ended */
	uint64_t max_steps;          /* 0: no limit */
	uint64_t max_exits;          /* 0: no limit */
	unsigned timeout_ms;         /* wall clock for each engine_go(); 0: no limit */
	uint64_t brk[ENGINE_MAX_BREAKS];
	bool brk_hw[ENGINE_MAX_BREAKS];  /* a debug-register breakpoint, not an int3 */
	int nbrk;
	struct engine_watch watch[ENGINE_MAX_WATCHES];
	int nwatch;
	int hit_break;               /* last step ended on breakpoint index, or -1 */
	int hit_watch;               /* last step wrote a watched range, or -1 */
	struct step last;            /* the most recent step */
	bool stepped;                /* the last engine_step() filled last (false: it stopped first) */
	struct insncache *icache;    /* decoded instructions by address */
	struct insncache_entry *last_insn; /* the last step's instruction, NULL if undecodable */
	uint64_t pdptr[4];           /* PAE: the CPU's PDPTRs (SREGS2), valid for step pdptr_step */
	uint64_t pdptr_step;         /* nsteps + 1 when pdptr was read; 0: never */
};

/* What one engine_go() is for. */
enum engine_goal_kind {
	ENGINE_GOAL_STEPS,      /* n steps (0: until the guest stops); breakpoints and watches stop it */
	ENGINE_GOAL_COUNT,      /* exactly n steps: breakpoints and watches do not stop it */
	ENGINE_GOAL_OVER,       /* one step; a CALL runs until it returns (or a breakpoint or watch) */
	ENGINE_GOAL_CONTINUE,   /* until a breakpoint, a watch or the end; at full speed if fast */
};

struct engine_goal {
	enum engine_goal_kind kind;
	uint64_t n;                  /* STEPS, COUNT: how many */
	bool fast;                   /* CONTINUE: no step needs to be seen, run at full speed */
	bool call;                   /* OVER: the instruction is a CALL returning to ret_rip, sp */
	uint64_t ret_rip, sp;
	uint64_t done;               /* steps taken towards the goal so far */
	int hit_break, hit_watch;    /* what ended it: indexes into brk/watch, or -1 */
	bool interrupted;            /* the step callback asked to stop */
};

/* Called after each executed step; non-zero stops the run (g->interrupted). */
typedef int (*engine_step_fn)(struct engine *e, const struct step *st, void *ctx);

/* Enable single-stepping on cpu; record: keep history. 0 or -errno (vmm_last_error()). */
int engine_init(struct engine *e, struct tvcpu *cpu, bool record);

/* Release the history. */
void engine_free(struct engine *e);

/* Execute one guest instruction into e->last (e->stepped); 1 if the guest has stopped (e->stop), 0 if not, -errno. */
int engine_step(struct engine *e);

/* A goal of kind for n; OVER: decode insn (the next instruction of state r, bits-bit code; insn
 * NULL: the live state's). */
void engine_goal_init(struct engine *e, struct engine_goal *g, enum engine_goal_kind kind, uint64_t n,
		      const struct kvm_regs *r, int bits, const uint8_t *insn, size_t len);

/* Count st towards g; true if the goal is reached or a breakpoint or watch stops it there. */
bool engine_goal_reached(struct engine *e, struct engine_goal *g, const struct step *st);

/* Step (or run fast) towards g within the limits, calling fn after each step; 1 if the guest
 * stopped (e->stop), 0 if the goal was reached, a hit or fn stopped it, -errno. */
int engine_go(struct engine *e, struct engine_goal *g, engine_step_fn fn, void *ctx);

/* The breakpoint (*brk) and watch (*watch) step st hits, -1 for none; true if any. */
bool engine_hits(const struct engine *e, const struct step *st, int *brk, int *watch);

/* Run at full speed (int3 breakpoints, DR watchpoints) until a hit or a stop; instructions are not
 * counted. -EOPNOTSUPP (said with vmm_info) where the host does not stop there: single-step instead. */
int engine_run_fast(struct engine *e);

/* Add a breakpoint at a linear address; -ENOSPC when full, -EFAULT if not in guest memory. */
int engine_add_break(struct engine *e, uint64_t lin);

/* Add a hardware breakpoint (a debug register, shared with watches: 4 in all); -ENOSPC when none is free. */
int engine_add_hw_break(struct engine *e, uint64_t lin);

/* Debug registers in use (watches and hardware breakpoints). */
int engine_hw_slots(const struct engine *e);

/* Remove a breakpoint; -ENOENT if none there. */
int engine_del_break(struct engine *e, uint64_t lin);

/* Watch writes to [lin, lin+len); -ENOSPC when all slots are used. */
int engine_add_watch(struct engine *e, uint64_t lin, uint64_t len);

/* Value of a general register (any width) in r, masked to its width; 0 for none. */
uint64_t engine_reg_value(const struct kvm_regs *r, ZydisRegister reg);

/* The segment register of a memory operand (DS when Zydis names none). */
enum x86_seg engine_operand_seg(ZydisRegister seg);

/* Offset (before the segment base and address-size mask) of memory operand op of in under r. */
uint64_t engine_mem_offset(const struct kvm_regs *r, const struct insn *in, const ZydisDecodedOperand *op);

/* Linear address of CS:IP in a state. */
uint64_t engine_pc(const struct kvm_regs *r, const struct kvm_sregs *s);

/* Read len bytes at linear lin through the state's paging; bytes read (stops at the first unmapped byte). */
size_t engine_read_linear(struct engine *e, const struct kvm_sregs *s, uint64_t lin, void *buf, size_t len);

/* Walk lin through the state's page tables in guest memory (any paging mode). */
int engine_walk(struct engine *e, const struct kvm_sregs *s, uint64_t lin, struct vmm_walk *w);

/* KVM_TRANSLATE of lin as a cross-check of walk w, leaving the guest's tables as they were. */
int engine_translate(struct engine *e, const struct vmm_walk *w, uint64_t lin, uint64_t *gpa, bool *valid);

/* Linear -> guest physical through the state's paging; -EFAULT if unmapped or outside memory. */
int engine_lin_to_phys(struct engine *e, const struct kvm_sregs *s, uint64_t lin, uint64_t *gpa);
