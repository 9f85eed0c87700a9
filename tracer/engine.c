/* engine.c - single-step the guest one instruction at a time, exactly and without loss.
 *
 * Host behaviours handled here (README.md, `kvmlab trace`, says what they mean for a trace):
 *  - IN/OUT/MMIO give their IO exit instead of the debug trap; the IO is completed with
 *    immediate_exit, so every KVM_RUN retires exactly one instruction.
 *  - HLT under single-step may come back as a debug exit with RIP past the HLT (PVM) or as a
 *    HLT exit (VMX); either way the trace ends at the HLT, as the untraced run does.
 *  - A REP string instruction may trap per iteration: iterations are merged into one step.
 */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpumode.h"
#include "error.h"
#include "pagewalk.h"
#include "stepflow.h"
#include "vm.h"
#include "x86.h"

int engine_init(struct engine *e, struct tvcpu *cpu, bool record)
{
	uint32_t ctl = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	int ret;

	memset(e, 0, sizeof(*e));
	e->cpu = cpu;
	e->record = record;
	e->hit_break = e->hit_watch = -1;
	if (disasm_init(&e->dis) < 0)
		return vmm_fail(-EINVAL, "cannot initialise the Zydis disassembler");
	if (!(cpu->caps & VMM_CAP_GUEST_DEBUG))
		return vmm_fail(-ENOTSUP, "this host's KVM has no KVM_CAP_SET_GUEST_DEBUG: it cannot "
				"single-step a guest");
	if (cpu->caps & VMM_CAP_BLOCKIRQ)
		ctl |= KVM_GUESTDBG_BLOCKIRQ;
	ret = cpu->ops->set_debug(cpu, ctl, NULL);
	if (ret == 0)
		ret = history_init(&e->hist);
	if (ret == 0 && !(e->icache = calloc(1, sizeof(*e->icache))))
		ret = vmm_fail(-ENOMEM, "out of memory for the instruction cache");
	if (ret == 0)
		ret = cpu->ops->load(cpu);
	return ret;
}

void engine_free(struct engine *e)
{
	free(e->icache);
	e->icache = NULL;
	history_free(&e->hist);
}

uint64_t engine_reg_value(const struct kvm_regs *r, ZydisRegister reg)
{
	const __u64 *gpr[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};
	ZydisRegister big = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
	unsigned width = ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, reg);
	uint64_t v;

	if (reg == ZYDIS_REGISTER_NONE)
		return 0;
	if (big == ZYDIS_REGISTER_RIP)
		v = r->rip;
	else if (big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15)
		v = *gpr[big - ZYDIS_REGISTER_RAX];
	else
		return 0;
	if (reg >= ZYDIS_REGISTER_AH && reg <= ZYDIS_REGISTER_BH)
		return (v >> 8) & 0xff;
	return width >= 64 ? v : v & ((1ull << width) - 1);
}

uint64_t engine_mem_offset(const struct kvm_regs *r, const struct insn *in, const ZydisDecodedOperand *op)
{
	uint64_t off = op->mem.base == ZYDIS_REGISTER_RIP ? r->rip + in->i.length :
		       engine_reg_value(r, op->mem.base);

	off += engine_reg_value(r, op->mem.index) * (op->mem.scale ? op->mem.scale : 1);
	return off + (uint64_t)op->mem.disp.value;
}

enum x86_seg engine_operand_seg(ZydisRegister seg)
{
	switch (seg) {
	case ZYDIS_REGISTER_ES: return X86_SEG_ES;
	case ZYDIS_REGISTER_CS: return X86_SEG_CS;
	case ZYDIS_REGISTER_SS: return X86_SEG_SS;
	case ZYDIS_REGISTER_FS: return X86_SEG_FS;
	case ZYDIS_REGISTER_GS: return X86_SEG_GS;
	default: return X86_SEG_DS;
	}
}

/* Find the memory the instruction may write and save its current bytes. */
static void predict_writes(struct engine *e, const struct insn *in, struct step *st)
{
	const struct kvm_regs *r = &st->before;
	uint64_t amask = in->i.address_width >= 64 ? ~0ull : (1ull << in->i.address_width) - 1;

	st->nwrites = 0;
	for (int k = 0; k < in->i.operand_count && st->nwrites < STEP_MAX_WRITES; k++) {
		const ZydisDecodedOperand *op = &in->op[k];
		struct step_write *w = &st->w[st->nwrites];
		uint64_t off, bytes = op->size / 8;

		if (op->type != ZYDIS_OPERAND_TYPE_MEMORY || op->mem.type != ZYDIS_MEMOP_TYPE_MEM ||
		    !(op->actions & (ZYDIS_OPERAND_ACTION_WRITE | ZYDIS_OPERAND_ACTION_CONDWRITE)) ||
		    bytes == 0)
			continue;
		off = engine_mem_offset(r, in, op);
		if (op->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN &&
		    ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, op->mem.base) == ZYDIS_REGISTER_RSP)
			off -= bytes;  /* push, call, pushf: the store goes below the old stack pointer */
		w->gva = x86_linear(&st->sbefore, engine_operand_seg(op->mem.segment), off & amask);
		w->cut = bytes > STEP_WRITE_MAX || (in->i.attributes & ZYDIS_ATTRIB_HAS_REP);
		w->len = (uint8_t)(bytes > STEP_WRITE_MAX ? STEP_WRITE_MAX : bytes);
		if (engine_lin_to_phys(e, &st->sbefore, w->gva, &w->gpa) < 0 ||
		    tvcpu_read(e->cpu, w->gpa, w->old, w->len) < 0)
			continue;  /* it will fault, or it spans pages: not recorded */
		st->nwrites++;
	}
}

static void record_exit(struct step *st, enum vmm_exit kind, const struct kvm_run *run)
{
	struct step_exit *x = &st->exit;

	st->has_exit = true;
	memset(x, 0, sizeof(*x));
	x->kind = (uint8_t)kind;
	if (kind == VMM_EXIT_IO_IN || kind == VMM_EXIT_IO_OUT) {
		x->in = run->io.direction == KVM_EXIT_IO_IN;
		x->size = run->io.size;
		x->port = run->io.port;
		x->count = run->io.count;
		memcpy(x->data, (const uint8_t *)run + run->io.data_offset, run->io.size);
	} else if (kind == VMM_EXIT_MMIO_READ || kind == VMM_EXIT_MMIO_WRITE) {
		x->addr = run->mmio.phys_addr;
		x->size = (uint8_t)run->mmio.len;
		memcpy(x->data, run->mmio.data, sizeof(x->data));
	}
}

/* Run the vCPU until the instruction at st->before has retired (or the guest stopped). */
static int execute(struct engine *e, const struct insn *in, bool decoded, struct step *st)
{
	struct tvcpu *c = e->cpu;
	bool is_hlt = decoded && in->i.mnemonic == ZYDIS_MNEMONIC_HLT;
	bool is_rep = decoded && (in->i.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
						      ZYDIS_ATTRIB_HAS_REPNE)) &&
		      (in->i.meta.category == ZYDIS_CATEGORY_STRINGOP ||
		       in->i.meta.category == ZYDIS_CATEGORY_IOSTRINGOP);

	for (;;) {
		enum vmm_exit kind;
		int ret = c->ops->enter(c, &kind);

		if (ret < 0) {
			if (kind != VMM_EXIT_IO_IN && kind != VMM_EXIT_IO_OUT)
				return ret;
			record_exit(st, kind, c->run);
			e->ended = true;
			e->stop = VMM_STOP_DEVICE;
			return c->ops->load(c);
		}
		switch (kind) {
		case VMM_EXIT_DEBUG:
			ret = c->ops->load(c);
			if (ret == 0 && is_hlt) {
				/* The untraced run would have exited with HLT here. */
				c->stats->count[VMM_EXIT_HLT]++;
				c->stats->total++;
				record_exit(st, VMM_EXIT_HLT, c->run);
				e->ended = true;
				e->stop = VMM_STOP_HLT;
			}
			if (ret == 0 && is_rep && c->regs.rip == st->before.rip)
				continue;  /* one more iteration of the same REP instruction */
			return ret;
		case VMM_EXIT_IO_IN:
		case VMM_EXIT_IO_OUT:
		case VMM_EXIT_MMIO_READ:
		case VMM_EXIT_MMIO_WRITE:
			if (st->has_exit && st->exit.kind == kind)
				st->exit.count += c->run->io.count;  /* REP INS/OUTS: one exit per element */
			else
				record_exit(st, kind, c->run);
			ret = c->ops->complete_io(c);
			if (ret == 0)
				ret = c->ops->load(c);
			if (ret == 0 && is_rep && c->regs.rip == st->before.rip)
				continue;
			return ret;
		case VMM_EXIT_INTR:
			if (c->ops->timed_out(c)) {
				e->ended = true;
				e->stop = VMM_STOP_TIMEOUT;
				return c->ops->load(c);
			}
			continue;
		default:
			record_exit(st, kind, c->run);
			e->ended = true;
			vmm_exit_stops(kind, &e->stop);
			return c->ops->load(c);
		}
	}
}

bool engine_hits(const struct engine *e, const struct step *st, int *brk, int *watch)
{
	uint64_t pc = engine_pc(&st->after, &st->safter);

	*brk = *watch = -1;
	for (int i = 0; i < e->nbrk && *brk < 0; i++)
		if (e->brk[i] == pc)
			*brk = i;
	for (int i = 0; i < e->nwatch && *watch < 0; i++)
		for (int k = 0; k < st->nwrites; k++)
			if (st->w[k].gva < e->watch[i].addr + e->watch[i].len &&
			    e->watch[i].addr < st->w[k].gva + st->w[k].len)
				*watch = i;
	return *brk >= 0 || *watch >= 0;
}

/* On some hosts PUSHF under single-step pushes the debugger's TF: clear it so the guest never sees it. */
static void hide_trap_flag(struct engine *e, const struct insn *in, const struct step *st)
{
	ZydisMnemonic m = in->i.mnemonic;
	uint8_t flags;

	if ((m != ZYDIS_MNEMONIC_PUSHF && m != ZYDIS_MNEMONIC_PUSHFD && m != ZYDIS_MNEMONIC_PUSHFQ) ||
	    (st->before.rflags & X86_RFLAGS(TF)) || st->nwrites == 0 || st->w[0].len < 2 ||
	    tvcpu_read(e->cpu, st->w[0].gpa + 1, &flags, 1) < 0 || !(flags & 1))
		return;
	flags &= (uint8_t)~1u;  /* TF is bit 8 of the pushed flags */
	tvcpu_write(e->cpu, st->w[0].gpa + 1, &flags, 1);
}

int engine_step(struct engine *e)
{
	struct tvcpu *c = e->cpu;
	struct step *st = &e->last;
	const struct insn *in = NULL;
	struct stepflow_pred pred;
	bool decoded;
	int ret;

	e->stepped = false;
	if (e->ended)
		return 1;
	if (e->max_steps && e->nsteps >= e->max_steps) {
		e->ended = true;
		e->stop = VMM_STOP_STEP_LIMIT;
		return 1;
	}
	if (e->max_exits && c->stats->total >= e->max_exits) {
		e->ended = true;
		e->stop = VMM_STOP_EXIT_LIMIT;
		return 1;
	}
	st->n = e->nsteps + 1;
	st->before = c->regs;
	st->sbefore = c->sregs;
	st->has_exit = false;
	st->insn_len = (uint8_t)engine_read_linear(e, &st->sbefore, engine_pc(&st->before, &st->sbefore),
						   st->insn, sizeof(st->insn));
	e->last_insn = insncache_decode(e->icache, &e->dis, vmm_cpu_code_bits(&st->sbefore), st->insn,
					st->insn_len, engine_pc(&st->before, &st->sbefore));
	decoded = e->last_insn != NULL;
	if (decoded) {
		in = &e->last_insn->in;
		st->insn_len = in->i.length;
		predict_writes(e, in, st);
		stepflow_predict(e, in, st, &pred);
	} else {
		st->nwrites = 0;
	}
	ret = execute(e, in, decoded, st);
	if (ret < 0)
		return ret;
	if (e->ended && e->stop == VMM_STOP_TIMEOUT)
		return 1;  /* the timer fired before the instruction ran: nothing to record */
	st->after = c->regs;
	st->safter = c->sregs;
	if (decoded)
		hide_trap_flag(e, in, st);
	for (int k = 0; k < st->nwrites; k++)
		tvcpu_read(c, st->w[k].gpa, st->w[k].new, st->w[k].len);
	stepflow_check(e, decoded ? &pred : NULL, st);
	/* A fault or a refused I/O retires nothing (the step is kept for the post-mortem), unless
	 * the trap came late and instructions retired before the fault; everything else retired
	 * one instruction, or more (st->flow). */
	{
		uint64_t n;
		bool exact, stopped = e->ended && e->stop != VMM_STOP_HLT;

		stepflow_count(st, &n, &exact);
		e->nsteps += !stopped || n || !exact;
		e->nretired += n;
		e->nuncounted += !exact;
	}
	e->stepped = true;
	if (e->record) {
		ret = history_append(&e->hist, st);
		if (ret < 0)
			return vmm_fail(ret, "out of memory recording step %llu", (unsigned long long)st->n);
	}
	engine_hits(e, st, &e->hit_break, &e->hit_watch);
	return e->ended;
}

void engine_goal_init(struct engine *e, struct engine_goal *g, enum engine_goal_kind kind, uint64_t n,
		      const struct kvm_regs *r, int bits, const uint8_t *insn, size_t len)
{
	uint8_t live[15];
	struct insn in;

	*g = (struct engine_goal){ .kind = kind, .n = n, .hit_break = -1, .hit_watch = -1 };
	if (kind != ENGINE_GOAL_OVER)
		return;
	if (!insn) {  /* the live state's next instruction */
		const struct kvm_sregs *s = &e->cpu->sregs;

		r = &e->cpu->regs;
		bits = vmm_cpu_code_bits(s);
		len = engine_read_linear(e, s, engine_pc(r, s), live, sizeof(live));
		insn = live;
	}
	g->call = disasm_decode(&e->dis, bits, insn, len, &in) == 0 &&
		  in.i.mnemonic == ZYDIS_MNEMONIC_CALL;
	if (g->call) {
		g->ret_rip = r->rip + in.i.length;
		g->sp = r->rsp;
	}
}

bool engine_goal_reached(struct engine *e, struct engine_goal *g, const struct step *st)
{
	bool hit;

	g->done++;
	if (g->kind == ENGINE_GOAL_COUNT)
		return g->done >= g->n;
	hit = engine_hits(e, st, &g->hit_break, &g->hit_watch);
	switch (g->kind) {
	case ENGINE_GOAL_STEPS:
		return hit || (g->n && g->done >= g->n);
	case ENGINE_GOAL_OVER:
		return hit || !g->call || (st->after.rip == g->ret_rip && st->after.rsp >= g->sp);
	default:
		return hit;
	}
}

int engine_go(struct engine *e, struct engine_goal *g, engine_step_fn fn, void *ctx)
{
	struct tvcpu *c = e->cpu;
	int ret;

	if (e->ended)
		return 1;
	g->hit_break = g->hit_watch = -1;
	g->interrupted = false;
	if (e->timeout_ms) {
		ret = c->ops->arm_timeout(c, e->timeout_ms);
		if (ret < 0)
			return ret;
	}
	ret = -EOPNOTSUPP;
	if (g->kind == ENGINE_GOAL_CONTINUE && g->fast && !e->record) {
		ret = engine_run_fast(e);
		g->hit_break = e->hit_break;
		g->hit_watch = e->hit_watch;
	}
	if (ret == -EOPNOTSUPP) {
		do {
			ret = engine_step(e);
			if (ret < 0 || !e->stepped)
				break;
			if (fn && fn(e, &e->last, ctx))
				g->interrupted = true;
		} while (!engine_goal_reached(e, g, &e->last) && !g->interrupted && ret == 0);
	}
	if (e->timeout_ms)
		c->ops->arm_timeout(c, 0);
	return ret;
}

int engine_hw_slots(const struct engine *e)
{
	int n = e->nwatch;

	for (int i = 0; i < e->nbrk; i++)
		n += e->brk_hw[i];
	return n;
}

static int add_break(struct engine *e, uint64_t lin, bool hw)
{
	uint64_t gpa;

	if (e->nbrk == ENGINE_MAX_BREAKS)
		return vmm_fail(-ENOSPC, "breakpoint at 0x%llx: all %d breakpoints are in use",
				(unsigned long long)lin, ENGINE_MAX_BREAKS);
	if (hw && engine_hw_slots(e) == ENGINE_MAX_WATCHES)
		return vmm_fail(-ENOSPC, "hardware breakpoint at 0x%llx: all %d debug registers are in "
				"use (watches and hardware breakpoints share DR0-DR3); use --break",
				(unsigned long long)lin, ENGINE_MAX_WATCHES);
	if (engine_lin_to_phys(e, &e->cpu->sregs, lin, &gpa) < 0)
		return vmm_fail(-EFAULT, "breakpoint at 0x%llx: that address is not mapped to guest "
				"memory now", (unsigned long long)lin);
	e->brk_hw[e->nbrk] = hw;
	e->brk[e->nbrk++] = lin;
	return 0;
}

int engine_add_break(struct engine *e, uint64_t lin)
{
	return add_break(e, lin, false);
}

int engine_add_hw_break(struct engine *e, uint64_t lin)
{
	return add_break(e, lin, true);
}

int engine_del_break(struct engine *e, uint64_t lin)
{
	for (int i = 0; i < e->nbrk; i++) {
		if (e->brk[i] == lin) {
			e->nbrk--;
			e->brk[i] = e->brk[e->nbrk];
			e->brk_hw[i] = e->brk_hw[e->nbrk];
			return 0;
		}
	}
	return -ENOENT;
}

int engine_add_watch(struct engine *e, uint64_t lin, uint64_t len)
{
	uint64_t gpa;

	if (engine_hw_slots(e) == ENGINE_MAX_WATCHES)
		return vmm_fail(-ENOSPC, "watch at 0x%llx: all %d debug registers are in use (watches "
				"and hardware breakpoints share DR0-DR3)", (unsigned long long)lin,
				ENGINE_MAX_WATCHES);
	if (len == 0 || len > 4096)
		return vmm_fail(-EINVAL, "watch at 0x%llx: length %llu must be 1 to 4096 bytes",
				(unsigned long long)lin, (unsigned long long)len);
	if (engine_lin_to_phys(e, &e->cpu->sregs, lin, &gpa) < 0)
		return vmm_fail(-EFAULT, "watch at 0x%llx: that address is not mapped to guest memory "
				"now", (unsigned long long)lin);
	e->watch[e->nwatch++] = (struct engine_watch){ lin, len };
	return 0;
}
