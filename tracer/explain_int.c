/* explain_int.c - interrupts and exceptions: INT n, INT3, INTO, IRET, and an exception delivered
 * through the IDT (which otherwise shows only as a jump). */
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "explain_priv.h"
#include "idtgate.h"
#include "x86.h"

static const char *gate_kind(const struct idtgate *g)
{
	return g->type == 0xe ? "an interrupt gate (IF cleared)" :
	       g->type == 0xf ? "a trap gate (IF unchanged)" :
	       g->type == 0x5 ? "a task gate" : "a gate";
}

/* What the CPU pushed on delivery (SDM Vol. 3A 6.12.1, 6.14.2; real mode 20.1.4). */
static const char *pushed(const struct step *st)
{
	if (!(st->sbefore.cr0 & X86_CR0(PE)))
		return "FLAGS, CS and IP";
	if ((st->safter.efer & X86_EFER(LMA)) || explain_cpl(&st->safter) != explain_cpl(&st->sbefore))
		return "SS, RSP, RFLAGS, CS and RIP";
	return "EFLAGS, CS and EIP";
}

static void soft_int(struct explain_ctx *ctx, struct out *o, const struct step *st, unsigned vec,
		     bool into)
{
	struct explain_lin lr = { ctx, &st->sbefore };
	bool real = !(st->sbefore.cr0 & X86_CR0(PE));
	struct idtgate g;

	if (idtgate_get(&st->sbefore, vec, explain_lin_reader, &lr, &g) < 0)
		return;
	if (st->flow.vector == (int)vec) {
		if (real)
			/* SDM Vol. 3A 20.1.4: the IVT entry is at IDTR.base + 4n */
			say(o, "INT %u: %s pushed, IF and TF cleared, and the CPU jumped to the handler the "
			    "IVT entry at 0x%llx (IDTR.base 0x%llx + 4*%u) names, %04x:%04llx%s", vec,
			    pushed(st), (unsigned long long)g.addr, (unsigned long long)st->sbefore.idt.base,
			    vec, g.selector, (unsigned long long)g.offset,
			    g.in_limit ? "" : " (although the IDTR limit is too small for that vector: this "
			    "host's real-mode emulation ignored it)");
		else
			say(o, "INT %u: the CPU delivered vector %u through %s at 0x%llx (IDTR.base + %u*%u) "
			    "to %04x:%llx, pushing %s", vec, vec, gate_kind(&g), (unsigned long long)g.addr,
			    vec, g.size, g.selector, (unsigned long long)g.offset, pushed(st));
		return;
	}
	if (into && !st->has_exit && st->flow.vector < 0)
		return;  /* INTO without OF: nothing happens */
	/* Not delivered: SDM Vol. 3A 6.10 (limit), 6.12.1.1 (DPL of a software interrupt), 6.11 (P) */
	if (!g.in_limit)
		say(o, "INT %u: not delivered: its gate at IDTR.base + 0x%x lies past the IDT limit 0x%x, "
		    "so the CPU raises #GP (error code 0x%x: vector*8 + 2, IDT bit set) instead", vec,
		    vec * g.size, st->sbefore.idt.limit, vec * 8 + 2);
	else if (!real && g.read && !g.present)
		say(o, "INT %u: not delivered: its gate is not present, so the CPU raises #NP instead", vec);
	else if (!real && g.read && g.dpl < explain_cpl(&st->sbefore))
		say(o, "INT %u: not delivered: the gate's DPL %u is below CPL %u, so the CPU raises #GP "
		    "instead", vec, g.dpl, explain_cpl(&st->sbefore));
	else
		say(o, "INT %u: not delivered (RIP is still 0x%llx, the INT's own address)%s", vec,
		    (unsigned long long)st->after.rip,
		    st->has_exit && st->exit.kind == VMM_EXIT_INTERNAL_ERROR ?
		    ": KVM stopped with KVM_EXIT_INTERNAL_ERROR while delivering it" : "");
}

/* SDM Vol. 2A IRET: pops (E/R)IP, CS, (E/R)FLAGS; to an outer level (or always in 64-bit mode)
 * also SS:(E/R)SP. */
static void iret(struct out *o, const struct step *st)
{
	const struct kvm_sregs *a = &st->sbefore, *b = &st->safter;
	bool late = st->flow.land != 0, q = x86_code64(a);
	uint16_t cs = late ? st->flow.land_cs : b->cs.selector;
	unsigned cpl = (a->cr0 & X86_CR0(PE)) ? cs & 3u : 0;
	bool outer = cpl > explain_cpl(a);
	uint64_t rip = late ? (q ? st->flow.land : st->flow.land - b->cs.base) : st->after.rip;

	if (!late && st->after.rip == st->before.rip && a->cs.selector == b->cs.selector &&
	    st->flow.vector < 0) {
		say(o, "IRET did not complete: RIP is still the IRET's own address (it faulted)");
		return;
	}
	if (st->flow.vector >= 0)
		return;  /* it faulted: the exception says so */
	if (!(a->cr0 & X86_CR0(PE))) {
		say(o, "IRET: IP, CS and FLAGS popped: back to %04x:%04llx", cs, (unsigned long long)rip);
		return;
	}
	say(o, "IRET%s: back to %04x:%llx at CPL %u, RFLAGS restored from the stack%s", q ? "Q" : "",
	    cs, (unsigned long long)rip, cpl,
	    outer ? "; the return is to an outer privilege level, so it also popped SS:RSP" :
	    q ? "; in 64-bit mode IRETQ pops SS:RSP as well" : "");
	if ((outer || q) && !late)
		say(o, "SS <- 0x%x, RSP <- 0x%llx", b->ss.selector, (unsigned long long)st->after.rsp);
}

/* Non-canonical memory operand behind a #GP or #SS in 64-bit mode (SDM Vol. 3A 3.3.7.1). */
static void noncanonical(struct out *o, const struct step *st, const struct insn *in)
{
	for (int k = 0; in && k < in->i.operand_count; k++) {
		const ZydisDecodedOperand *op = &in->op[k];
		uint64_t lin, top;

		if (op->type != ZYDIS_OPERAND_TYPE_MEMORY || op->mem.type == ZYDIS_MEMOP_TYPE_AGEN)
			continue;
		lin = engine_mem_offset(&st->before, in, op);
		if (op->mem.segment == ZYDIS_REGISTER_FS)
			lin += st->sbefore.fs.base;
		else if (op->mem.segment == ZYDIS_REGISTER_GS)
			lin += st->sbefore.gs.base;
		top = lin >> 47;
		if (top != 0 && top != 0x1ffff)
			say(o, "the address 0x%llx is not canonical (bits 63..47 must all equal bit 47), "
			    "which is what raised it", (unsigned long long)lin);
	}
}

static void exception(struct explain_ctx *ctx, struct out *o, const struct step *st,
		      const struct insn *in)
{
	struct explain_lin lr = { ctx, &st->sbefore };
	unsigned v = (unsigned)st->flow.vector;
	const char *name = idtgate_exception_name(v);
	struct idtgate g;
	uint32_t err = 0;

	if (idtgate_get(&st->sbefore, v, explain_lin_reader, &lr, &g) < 0)
		return;
	/* SDM Vol. 3A 6.4.1, 6.12: a fault reports the faulting instruction's address */
	say(o, "exception %s (vector %u): this instruction faulted and the CPU delivered it through "
	    "the %s at 0x%llx to the handler at %04x:%llx, pushing %s", name ? name : "", v,
	    (st->sbefore.cr0 & X86_CR0(PE)) ? "IDT gate" : "IVT entry", (unsigned long long)g.addr,
	    g.selector, (unsigned long long)g.offset, pushed(st));
	if (idtgate_has_error_code(v) && (st->sbefore.cr0 & X86_CR0(PE)) && !st->flow.nskip) {
		struct explain_lin la = { ctx, &st->safter };
		uint64_t sp = x86_code64(&st->safter) || (st->safter.efer & X86_EFER(LMA)) ? st->after.rsp :
			      st->safter.ss.base + (st->after.rsp & 0xffffffffull);

		if (explain_lin_reader(&la, sp, &err, 4) == 0)
			say(o, "error code 0x%x", err);
	}
	if (v == 14 && st->safter.cr2 != st->sbefore.cr2)
		say(o, "CR2 <- 0x%llx, the address that faulted", (unsigned long long)st->safter.cr2);
	if ((v == 13 || v == 12) && x86_code64(&st->sbefore))
		noncanonical(o, st, in);
}

void explain_interrupts(struct explain_ctx *ctx, struct out *o, const struct step *st,
			const struct insn *in)
{
	if (in) {
		switch (in->i.mnemonic) {
		case ZYDIS_MNEMONIC_INT:
			soft_int(ctx, o, st, (unsigned)(in->op[0].imm.value.u & 0xff), false);
			return;
		case ZYDIS_MNEMONIC_INT3:
			soft_int(ctx, o, st, 3, false);
			return;
		case ZYDIS_MNEMONIC_INTO:
			soft_int(ctx, o, st, 4, true);
			return;
		case ZYDIS_MNEMONIC_IRET:
		case ZYDIS_MNEMONIC_IRETD:
		case ZYDIS_MNEMONIC_IRETQ:
			iret(o, st);
			break;
		default:
			break;
		}
	}
	if (st->flow.vector >= 0)
		exception(ctx, o, st, in);
}
