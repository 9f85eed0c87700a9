/* stepflow.c - where a step went, and whether it retired more than one instruction.
 *
 * Single-stepping sets RFLAGS.TF; the CPU traps after each instruction (SDM Vol. 3B 18.3.1.4).
 * The trap comes later than that where TF is not in effect: an exception or interrupt gate clears
 * TF, so a handler runs untrapped until IRET restores it (SDM Vol. 3A 6.12.1.3); a MOV SS or
 * POP SS holds it off for one instruction (Vol. 3A 6.8.3); and on this project's PVM hosts
 * SWAPGS and IRETQ are emulated without it (HOST-KVM.md). A step is then more than one
 * instruction. It is found by comparing RIP with where the step's own instruction leads (the
 * next instruction, a branch target, a return address read before the step, an IDT gate), and
 * the instructions in between are recovered by decoding forward from there.
 */
#include "stepflow.h"

#include <string.h>

#include "cpumode.h"
#include "engine.h"
#include "idtgate.h"
#include "x86.h"

struct lin_reader {
	struct engine *e;
	const struct kvm_sregs *s;
};

static int read_lin(void *ctx, uint64_t lin, void *buf, size_t len)
{
	struct lin_reader *r = ctx;

	return engine_read_linear(r->e, r->s, lin, buf, len) == len ? 0 : -1;
}

static uint64_t ip_mask(int bits)
{
	return bits == 64 ? ~0ull : bits == 32 ? 0xffffffffull : 0xffffull;
}

static void add_cs(struct stepflow_pred *p, uint64_t rip, uint16_t cs, int vec)
{
	if (p->n < 3) {
		p->rip[p->n] = rip;
		p->cs[p->n] = cs;
		p->vec[p->n++] = vec;
	}
}

static void add(struct stepflow_pred *p, uint64_t rip, int vec)
{
	add_cs(p, rip, p->cs_now, vec);
}

/* The value at the top of the stack (width bytes, at offset off) as of state r, s. */
static int stack_value(struct engine *e, const struct kvm_regs *r, const struct kvm_sregs *s,
		       int64_t off, unsigned width, uint64_t *v)
{
	bool lm = vmm_cpu_code_bits(s) == 64;
	uint64_t sp = lm ? r->rsp : s->ss.db ? r->rsp & 0xffffffffull : r->rsp & 0xffff;
	uint64_t lin = (lm ? 0 : s->ss.base) + sp + off;

	*v = 0;
	return engine_read_linear(e, s, lin, v, width) == width ? 0 : -1;
}

/* The target of JMP/CALL through memory, read before the step: the offset (for a far pointer,
 * its offset part, operand-size wide). */
static bool memory_target(struct engine *e, const struct insn *in, const struct step *st,
			  uint64_t *v)
{
	const ZydisDecodedOperand *op = &in->op[0];
	uint64_t amask = in->i.address_width >= 64 ? ~0ull : (1ull << in->i.address_width) - 1;
	uint64_t lin = x86_linear(&st->sbefore, engine_operand_seg(op->mem.segment),
				  engine_mem_offset(&st->before, in, op) & amask);
	bool far = in->i.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
	unsigned w = far ? in->i.operand_width / 8 : op->size / 8;

	*v = 0;
	if (w == 0 || w > 8 || engine_read_linear(e, &st->sbefore, lin, v, w) != w)
		return false;
	return true;
}

void stepflow_predict(struct engine *e, const struct insn *in, const struct step *st,
		      struct stepflow_pred *p)
{
	const ZydisDecodedInstruction *i = &in->i;
	const ZydisDecodedOperand *op = &in->op[0];
	const struct kvm_regs *r = &st->before;
	const struct kvm_sregs *s = &st->sbefore;
	uint64_t mask = ip_mask(in->bits), fall = (r->rip + i->length) & mask, v;
	unsigned w = i->operand_width / 8;
	struct lin_reader rd = { e, s };
	struct idtgate g;

	memset(p, 0, sizeof(*p));
	p->valid = true;
	p->cs_now = s->cs.selector;
	p->fall = fall;
	switch (i->mnemonic) {
	case ZYDIS_MNEMONIC_INT:
	case ZYDIS_MNEMONIC_INT3:
	case ZYDIS_MNEMONIC_INTO:
	case ZYDIS_MNEMONIC_INT1: {
		unsigned vec = i->mnemonic == ZYDIS_MNEMONIC_INT3 ? 3 : i->mnemonic == ZYDIS_MNEMONIC_INTO ? 4 :
			       i->mnemonic == ZYDIS_MNEMONIC_INT1 ? 1 : (unsigned)(op->imm.value.u & 0xff);

		if (i->mnemonic == ZYDIS_MNEMONIC_INTO)
			add(p, fall, -1);  /* INTO without OF */
		if (idtgate_get(s, vec, read_lin, &rd, &g) == 0 && g.read)
			add_cs(p, g.offset, g.selector, (int)vec);
		return;
	}
	case ZYDIS_MNEMONIC_IRET:
	case ZYDIS_MNEMONIC_IRETD:
	case ZYDIS_MNEMONIC_IRETQ:
	case ZYDIS_MNEMONIC_RET: {
		uint64_t cs = s->cs.selector;

		if (stack_value(e, r, s, 0, w ? w : 2, &v) == 0 &&
		    (i->mnemonic == ZYDIS_MNEMONIC_RET || stack_value(e, r, s, w ? w : 2, 2, &cs) == 0))
			add_cs(p, v, (uint16_t)cs, -1);
		else
			p->unknown = true;
		return;
	}
	case ZYDIS_MNEMONIC_SYSRET:
		add(p, r->rcx & (w == 8 ? ~0ull : 0xffffffffull), -1);
		return;
	default:
		break;
	}
	switch (i->meta.category) {
	case ZYDIS_CATEGORY_COND_BR:
	case ZYDIS_CATEGORY_UNCOND_BR:
	case ZYDIS_CATEGORY_CALL:
		if (i->meta.category == ZYDIS_CATEGORY_COND_BR)
			add(p, fall, -1);
		if (op->type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
		    ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(i, op, r->rip, &v)))
			add(p, v & mask, -1);
		else if (op->type == ZYDIS_OPERAND_TYPE_POINTER)
			add_cs(p, op->ptr.offset, op->ptr.segment, -1);
		else if (op->type == ZYDIS_OPERAND_TYPE_REGISTER)
			add(p, engine_reg_value(r, op->reg.value) & mask, -1);
		else if (op->type == ZYDIS_OPERAND_TYPE_MEMORY && memory_target(e, in, st, &v))
			add(p, v, -1);
		else
			p->unknown = true;
		return;
	case ZYDIS_CATEGORY_RET:       /* RETF and other returns not handled above */
	case ZYDIS_CATEGORY_SYSCALL:
	case ZYDIS_CATEGORY_SYSRET:
		p->unknown = true;
		return;
	default:
		add(p, fall, -1);
		return;
	}
}

/* An exception frame (RIP then CS, as delivery pushes them) for an instruction at CS:rip near the
 * stack pointer after the step: the evidence that this instruction is the one that faulted
 * (SDM Vol. 3A 6.12.1, 6.14.2; real mode 20.1.4). */
static bool frame_has(struct engine *e, const struct step *st, uint64_t rip, uint16_t cs)
{
	unsigned w = (st->safter.efer & X86_EFER(LMA)) ? 8 : (st->safter.cr0 & 1) ? 4 : 2;

	for (int64_t off = -0x40; off <= 0x40; off += w) {
		uint64_t a, b;

		if (stack_value(e, &st->after, &st->safter, off, w, &a) == 0 &&
		    stack_value(e, &st->after, &st->safter, off + w, w, &b) == 0 && a == rip &&
		    (b & 0xffff) == cs)
			return true;
	}
	return false;
}

/* Decode forward from rip (in the state after the step) until to; the instructions passed are
 * the ones the host retired after the step's own. With fault_at >= 0 the instruction at that
 * position raises an exception instead of retiring, and the path goes on at handler. An IRET
 * on the way returns to to when the path started in a handler for an event whose return address
 * is to (iret_to; ~0: none). True when to was reached (f->skip, f->nskip, f->fault_pc filled). */
static bool replay(struct engine *e, const struct step *st, uint64_t rip, uint64_t to, int fault_at,
		   uint64_t handler, uint64_t iret_to, struct step_flow *f)
{
	const struct kvm_sregs *s = &st->safter;
	int bits = vmm_cpu_code_bits(s);
	uint64_t mask = ip_mask(bits), base = x86_seg_base(s, X86_SEG_CS);  /* CS:IP -> linear */
	unsigned k = 0;

	for (int pos = 0; pos <= STEP_MAX_SKIP; pos++) {
		uint8_t bytes[15];
		size_t n = engine_read_linear(e, s, base + rip, bytes, sizeof(bytes));
		struct insn in;
		uint64_t next, target;
		bool direct;

		if (n == 0 || disasm_decode(&e->dis, bits, bytes, n, &in) < 0)
			return false;
		if (pos == fault_at) {
			f->fault_pc = base + rip;
			f->fault_rip = rip;
			next = handler;
		} else {
			if (k == STEP_MAX_SKIP)
				return false;
			f->skip[k++] = base + rip;
			next = (rip + in.i.length) & mask;
			direct = in.op[0].type == ZYDIS_OPERAND_TYPE_IMMEDIATE &&
				 ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&in.i, &in.op[0], rip, &target));
			switch (in.i.meta.category) {
			case ZYDIS_CATEGORY_COND_BR:
				if (direct && (target & mask) == to)
					next = to;
				break;
			case ZYDIS_CATEGORY_UNCOND_BR:
			case ZYDIS_CATEGORY_CALL:
				if (!direct)
					return false;
				next = target & mask;
				break;
			case ZYDIS_CATEGORY_RET:
				if ((in.i.mnemonic == ZYDIS_MNEMONIC_IRET || in.i.mnemonic == ZYDIS_MNEMONIC_IRETD ||
				     in.i.mnemonic == ZYDIS_MNEMONIC_IRETQ) && iret_to == to) {
					next = to;  /* the handler returned to the interrupted code */
					break;
				}
				return false;
			case ZYDIS_CATEGORY_INTERRUPT:
			case ZYDIS_CATEGORY_SYSCALL:
			case ZYDIS_CATEGORY_SYSRET:
				return false;
			default:
				if (in.i.mnemonic == ZYDIS_MNEMONIC_HLT)
					return false;  /* a retired HLT would have stopped the step */
				break;
			}
		}
		if (next == to) {
			f->nskip = (uint8_t)k;
			return true;
		}
		rip = next;
	}
	return false;
}

/* Exception vectors whose gate leads to CS:RIP of st's after state: the lowest, or #PF when
 * CR2 changed and #PF is among them; -1 if none. */
static int exception_to(struct engine *e, const struct step *st, uint64_t rip, bool cs_too)
{
	struct lin_reader rd = { e, &st->sbefore };
	int found = -1;

	for (unsigned v = 0; v < 32; v++) {
		struct idtgate g;

		if (idtgate_get(&st->sbefore, v, read_lin, &rd, &g) < 0 || !g.read || !g.in_limit ||
		    !g.present || g.offset != rip || (cs_too && g.selector != st->safter.cs.selector))
			continue;
		if (found < 0 || (v == 14 && st->safter.cr2 != st->sbefore.cr2))
			found = (int)v;
	}
	return found;
}

/* The distinct handler addresses of exception vectors 0-31 (present, within the IDT limit). */
static int handlers(struct engine *e, const struct step *st, uint64_t h[32])
{
	struct lin_reader rd = { e, &st->sbefore };
	int n = 0;

	for (unsigned v = 0; v < 32; v++) {
		struct idtgate g;
		int j;

		if (idtgate_get(&st->sbefore, v, read_lin, &rd, &g) < 0 || !g.read || !g.in_limit ||
		    !g.present)
			continue;
		for (j = 0; j < n && h[j] != g.offset; j++)
			;
		if (j == n)
			h[n++] = g.offset;
	}
	return n;
}

void stepflow_check(struct engine *e, const struct stepflow_pred *p, struct step *st)
{
	uint64_t h[32];
	int nh;
	struct step_flow *f = &st->flow;
	uint64_t rip = st->after.rip;
	bool late_fault = false;
	int v;

	memset(f, 0, sizeof(*f));
	f->retired = 1;
	f->vector = -1;
	f->fault_vector = -1;
	if (e->ended && e->stop != VMM_STOP_HLT) {
		/* A fault that stopped the guest: normally this instruction's own (RIP unchanged), and
		 * nothing retired. When RIP moved, the instruction retired and a later one faulted:
		 * the instructions in between are found as for any late trap. */
		if (rip == st->before.rip && st->safter.cs.selector == st->sbefore.cs.selector) {
			f->retired = 0;
			return;
		}
		late_fault = true;
	}
	if (!p || !p->valid || (st->has_exit && st->exit.kind == VMM_EXIT_HLT))
		return;
	for (int i = 0; i < p->n; i++) {
		if (p->rip[i] == rip) {
			if (late_fault)  /* it retired; the next one faulted */
				f->land = engine_pc(&st->after, &st->safter);
			f->vector = (int16_t)p->vec[i];
			return;
		}
	}
	v = exception_to(e, st, rip, true);
	if (v >= 0) {
		f->vector = (int16_t)v;
		f->retired = 0;  /* it faulted; its handler has not started */
		return;
	}
	if (p->unknown) {
		/* Where it leads is not known (SYSCALL, ...): no claim, except that after a late fault
		 * at least this instruction retired. */
		f->unknown = late_fault;
		return;
	}
	/* RIP is not where the instruction leads: find the path from there to here, first with no
	 * exception on the way, then with the step's own instruction faulting, then with a later
	 * one faulting (its exception delivered through one of the first 32 gates). */
	for (int i = 0; i < p->n; i++) {
		/* an INT's handler returns to the instruction after the INT (SDM Vol. 3A 6.12.1) */
		if (replay(e, st, p->rip[i], rip, -1, 0, p->vec[i] >= 0 ? p->fall : ~0ull, f)) {
			f->land = f->skip[0];
			f->land_cs = p->cs[i];
			f->vector = (int16_t)p->vec[i];
			f->retired = (uint8_t)(1 + f->nskip);
			return;
		}
	}
	nh = handlers(e, st, h);
	for (int j = 0; j < nh; j++) {
		if (!frame_has(e, st, st->before.rip, st->sbefore.cs.selector) ||
		    !replay(e, st, h[j], rip, -1, 0, ~0ull, f))
			continue;
		f->land = f->skip[0];
		f->land_cs = st->safter.cs.selector;
		f->vector = (int16_t)exception_to(e, st, h[j], false);
		f->retired = f->nskip;  /* it faulted; the handler's first ones ran */
		return;
	}
	for (int at = 0; at < STEP_MAX_SKIP; at++) {
		for (int i = 0; i < p->n; i++) {
			for (int j = 0; j < nh; j++) {
				if (!replay(e, st, p->rip[i], rip, at, h[j], ~0ull, f) ||
				    !frame_has(e, st, f->fault_rip, p->cs[i]))
					continue;
				f->land = at ? f->skip[0] : f->fault_pc;
				f->land_cs = p->cs[i];
				f->vector = (int16_t)p->vec[i];
				f->fault_vector = (int16_t)exception_to(e, st, h[j], false);
				f->fault_at = (uint8_t)at;
				f->retired = (uint8_t)(1 + f->nskip);
				return;
			}
		}
	}
	f->nskip = 0;
	f->unknown = true;  /* more than this step shows ran; which ones is not known */
}

void stepflow_count(const struct step *st, uint64_t *n, bool *exact)
{
	*exact = !st->flow.unknown;
	*n = st->flow.retired;
}

void stepflow_report(const struct engine *e, FILE *f)
{
	if (e->nretired == e->nsteps) {
		fprintf(f, "kvmlab: %llu instructions retired\n", (unsigned long long)e->nsteps);
		return;
	}
	fprintf(f, "kvmlab: %s%llu instructions retired in %llu steps (the single-step trap came late "
		"in %s; see the trace)\n", e->nuncounted ? "at least " : "",
		(unsigned long long)e->nretired, (unsigned long long)e->nsteps,
		e->nuncounted ? "some steps, by an unknown number of instructions in some" : "some steps");
}
