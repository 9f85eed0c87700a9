/* test-stepflow.c - where a step went, without KVM: the landing a step's instruction predicts, a
 * single-step trap that came late (the instructions after the step's own, named), an exception
 * delivered through the IDT (the pushed frame naming the instruction that faulted, which did not
 * retire), and a path that cannot be recovered (a lower bound). Long mode, paging off is not
 * possible there, so guest memory is identity-mapped with 2 MiB pages (PML4 at 0x1000). */
#include <stdlib.h>

#include "engine.h"
#include "stepflow.h"
#include "testkit.h"

static struct tvcpu cpu;
static struct engine e;

#define IDT 0x8000
#define HANDLER 0x2000  /* #GP's handler */
#define STACK 0x9000

/* A 64-bit state with an IDT whose #GP gate leads to HANDLER. */
static struct step long_step(uint64_t rip, const char *code, size_t len)
{
	struct step st;

	memset(&st, 0, sizeof(st));
	st.sbefore.cr0 = 0x80000011;
	st.sbefore.cr4 = 0x20;
	st.sbefore.efer = 0x500;
	st.sbefore.cr3 = 0x10000;
	st.sbefore.cs = (struct kvm_segment){ .selector = 8, .l = 1, .present = 1, .s = 1, .type = 11 };
	st.sbefore.idt.base = IDT;
	st.sbefore.idt.limit = 0xfff;
	st.safter = st.sbefore;
	st.before.rip = rip;
	st.before.rsp = st.after.rsp = STACK;
	memcpy(cpu.mem + rip, code, len);
	st.insn_len = (uint8_t)len;
	memcpy(st.insn, code, len);
	return st;
}

/* Predict with the first instruction of st, let the "CPU" end at rip, and check. */
static const struct step_flow *run(struct step *st, uint64_t rip)
{
	struct stepflow_pred p;
	struct insn in;

	CHECK(disasm_decode(&e.dis, 64, st->insn, st->insn_len, &in) == 0);
	stepflow_predict(&e, &in, st, &p);
	st->after.rip = rip;
	stepflow_check(&e, &p, st);
	return &st->flow;
}

int main(void)
{
	const struct step_flow *f;
	struct step st;
	uint64_t n;
	bool exact;

	cpu.mem_size = 2u << 20;
	cpu.mem = calloc(1, cpu.mem_size);
	e.cpu = &cpu;
	disasm_init(&e.dis);
	put64(cpu.mem, 0x10000, 0x11003);
	put64(cpu.mem, 0x11000, 0x12003);
	put64(cpu.mem, 0x12000, 0x83);
	/* The #GP gate: offset HANDLER, selector 8, present 64-bit interrupt gate. */
	put64(cpu.mem, IDT + 13 * 16, 0x00008e0000080000ull | HANDLER);
	memcpy(cpu.mem + HANDLER, "\x48\x83\xc4\x08\x48\xcf", 6);	/* add rsp, 8; iretq */

	/* An ordinary instruction: one retired, nothing to say. */
	st = long_step(0x4000, "\x90", 1);
	f = run(&st, 0x4001);
	CHECK(f->retired == 1 && !f->unknown && f->nskip == 0 && f->vector == -1);
	stepflow_count(&st, &n, &exact);
	CHECK(n == 1 && exact);

	/* SWAPGS and the NOP after it in one step (this project's PVM hosts): two, the NOP named. */
	st = long_step(0x4000, "\x0f\x01\xf8", 3);
	memcpy(cpu.mem + 0x4003, "\x90\x90", 2);
	f = run(&st, 0x4004);
	CHECK(f->retired == 2 && !f->unknown && f->nskip == 1 && f->skip[0] == 0x4003);

	/* A taken jump lands at its target; a RET at the address read from the stack before it. */
	st = long_step(0x4000, "\xeb\x10", 2);
	f = run(&st, 0x4012);
	CHECK(f->retired == 1 && f->nskip == 0 && !f->unknown);
	put64(cpu.mem, STACK, 0x5000);
	st = long_step(0x4000, "\xc3", 1);
	f = run(&st, 0x5000);
	CHECK(f->retired == 1 && f->nskip == 0 && !f->unknown);
	memcpy(cpu.mem + 0x5000, "\x90", 1);
	f = run(&st, 0x5001);
	CHECK(f->retired == 2 && f->nskip == 1 && f->skip[0] == 0x5000);

	/* JMP through memory and CALL through a register land where the operand pointed before. */
	st = long_step(0x4000, "\xff\x23", 2);	/* jmp [rbx] */
	st.before.rbx = 0x7000;
	put64(cpu.mem, 0x7000, 0x5000);
	f = run(&st, 0x5000);
	CHECK(f->retired == 1 && f->nskip == 0 && !f->unknown);
	st = long_step(0x4000, "\xff\xd0", 2);	/* call rax */
	st.before.rax = 0x5000;
	f = run(&st, 0x5001);
	CHECK(f->retired == 2 && f->nskip == 1 && f->skip[0] == 0x5000);
	/* SYSCALL leads to IA32_LSTAR, which the step does not show: no claim either way. */
	st = long_step(0x4000, "\x0f\x05", 2);
	f = run(&st, 0x6000);
	CHECK(f->retired == 1 && !f->unknown && f->nskip == 0);

	/* mov rax, [rbx] faults: #GP delivered to the handler; the MOV retired nothing. */
	st = long_step(0x4000, "\x48\x8b\x03", 3);
	st.after.rsp = STACK - 48;
	f = run(&st, HANDLER);
	CHECK(f->vector == 13 && f->retired == 0 && f->nskip == 0 && !f->unknown);
	stepflow_count(&st, &n, &exact);
	CHECK(n == 0 && exact);
	/* ... and the handler's first instruction ran too: the frame on the stack (error code, RIP
	 * 0x4000, CS 8) names the MOV as the faulting instruction. */
	st.after.rsp = STACK - 40;
	put64(cpu.mem, STACK - 48, 0);
	put64(cpu.mem, STACK - 40, 0x4000);
	put64(cpu.mem, STACK - 32, 8);
	f = run(&st, HANDLER + 4);
	CHECK(f->vector == 13 && f->retired == 1 && f->nskip == 1 && f->skip[0] == HANDLER);
	/* Without that frame the path is not trusted: a lower bound, nothing named. */
	put64(cpu.mem, STACK - 40, 0x7777);
	f = run(&st, HANDLER + 4);
	CHECK(f->unknown && f->nskip == 0);
	stepflow_count(&st, &n, &exact);
	CHECK(!exact);

	/* A NOP, then a HLT at 0x4001 that faults (#GP, frame RIP 0x4001) and one handler instruction:
	 * the NOP retired, the HLT did not, and the handler's ADD did. */
	st = long_step(0x4000, "\x90\xf4", 1);
	memcpy(cpu.mem + 0x4001, "\xf4", 1);
	put64(cpu.mem, STACK - 40, 0x4001);
	st.after.rsp = STACK - 40;
	f = run(&st, HANDLER + 4);
	CHECK(f->fault_vector == 13 && f->fault_pc == 0x4001 && f->fault_at == 0);
	CHECK(f->retired == 2 && f->nskip == 1 && f->skip[0] == HANDLER);

	/* INT 0x30 whose handler ran to its IRETQ untrapped (the gate cleared TF): the handler's
	 * instructions are named, and the INT counts as delivered. */
	put64(cpu.mem, IDT + 0x30 * 16, 0x00008e0000080000ull | 0x2800);
	memcpy(cpu.mem + 0x2800, "\x90\x48\xcf", 3);	/* nop; iretq */
	st = long_step(0x4000, "\xcd\x30", 2);
	f = run(&st, 0x4002);
	CHECK(f->vector == 0x30 && f->retired == 3 && f->nskip == 2 && f->skip[0] == 0x2800 &&
	      f->skip[1] == 0x2801 && !f->unknown);

	/* RIP somewhere no path leads: a late trap, how many is not known. */
	st = long_step(0x4000, "\x90", 1);
	memset(cpu.mem + 0x4001, 0x90, 8);
	f = run(&st, 0x6000);
	CHECK(f->unknown && f->retired == 1);
	free(cpu.mem);
	return check_summary();
}
