/* engine.h - the step engine: single-step a session's guest, record every step, stop where asked. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "disasm.h"
#include "history.h"
#include "insncache.h"
#include "pagewalk.h"
#include "run.h"
#include "session.h"
#include "step.h"

#define ENGINE_MAX_BREAKS 64
#define ENGINE_MAX_WATCHES 4

struct engine_watch {
	uint64_t addr, len;  /* linear range */
};

struct engine {
	struct session *s;
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

/* Enable single-stepping on s's vCPU; record: keep history. 0 or -errno (vmm_last_error()). */
int engine_init(struct engine *e, struct session *s, bool record);

/* Release the history. */
void engine_free(struct engine *e);

/* Execute one guest instruction into e->last (e->stepped); 1 if the guest has stopped (e->stop), 0 if not, -errno. */
int engine_step(struct engine *e);

/* Step until a breakpoint, a watch hit, a stop, or n steps (0: no count); same returns as engine_step. */
int engine_continue(struct engine *e, uint64_t n);

/* Run at full speed (int3 breakpoints, DR watchpoints) until a hit or a stop; instructions are not counted. */
int engine_run_fast(struct engine *e);

/* Step over: like engine_step, but a CALL runs until it returns. */
int engine_step_over(struct engine *e);

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
