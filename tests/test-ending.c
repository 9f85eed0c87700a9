/* test-ending.c - tracer/ending.h: the sentence for each way a run ends, and its kind. */
#include "ending.h"
#include "engine.h"
#include "testkit.h"
#include "x86.h"

static struct kvm_regs regs = { .rax = 42, .rip = 0x1032 };
static struct kvm_sregs sregs;

static struct ending base(enum vmm_stop stop)
{
	return (struct ending){
		.stop = stop, .regs = &regs, .sregs = &sregs, .exits = 15, .at400 = 42,
		.start_mode = VMM_MODE_LONG,
	};
}

static void test_text(void)
{
	struct kvm_run run = { .exit_reason = KVM_EXIT_INTERNAL_ERROR };
	struct ending e;
	char buf[400];

	sregs.cr0 = X86_CR0(PE) | X86_CR0(PG);
	sregs.cr4 = X86_CR4(PAE);
	sregs.efer = X86_EFER(LME) | X86_EFER(LMA);
	sregs.cs.l = 1;
	e = base(VMM_STOP_HLT);
	CHECK_EQ(ending_text(&e, buf, sizeof(buf)), ENDING_HALTED);
	CHECK_STR(buf, "halted in long mode, RAX=42 (0x2a), RIP=0x1032, [0x400]=42, 15 exits");
	e.stepped = true;
	e.steps = 57;
	e.at400 = -1;
	ending_text(&e, buf, sizeof(buf));
	CHECK_STR(buf, "halted at step 57 in long mode, RAX=42 (0x2a), RIP=0x1032, 15 exits");

	e = base(VMM_STOP_SHUTDOWN);
	sregs.idt.limit = 0xffff;
	CHECK_EQ(ending_text(&e, buf, sizeof(buf)), ENDING_FAULTED);
	CHECK_STR(buf, "triple fault (KVM_EXIT_SHUTDOWN) at RIP=0x1032 in long mode: a fault while the "
		  "CPU delivered a double fault; CR0=0x80000001 CR3=0x0 CR4=0x20 EFER=0x500 "
		  "IDTR=0x0/65535");

	e = base(VMM_STOP_INTERNAL_ERROR);
	run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run.internal.ndata = 2;
	run.internal.data[0] = 0x11;
	run.internal.data[1] = 0x22;
	e.run = &run;
	CHECK_EQ(ending_text(&e, buf, sizeof(buf)), ENDING_FAULTED);
	CHECK_STR(buf, "KVM could not continue the guest (KVM_EXIT_INTERNAL_ERROR, suberror 1: "
		  "instruction emulation failed) at RIP=0x1032 in long mode; CR0=0x80000001 CR3=0x0 "
		  "CR4=0x20 EFER=0x500 data: 0x11 0x22");

	e = base(VMM_STOP_TIMEOUT);
	CHECK_EQ(ending_text(&e, buf, sizeof(buf)), ENDING_LIMITED);
	CHECK_STR(buf, "timed out: the guest was still running, in long mode at RIP=0x1032, after 15 exits");
	e = base(VMM_STOP_STEP_LIMIT);
	e.stepped = true;
	e.steps = 1000;
	ending_text(&e, buf, sizeof(buf));
	CHECK_STR(buf, "instruction limit reached: the guest was still running, in long mode at "
		  "RIP=0x1032, after 1000 instructions and 15 exits");

	e = base(VMM_STOP_DEVICE);
	e.device_error = "fileRead: parameter block at 0x9 (16 bytes) is not mapped to guest memory";
	CHECK_EQ(ending_text(&e, buf, sizeof(buf)), ENDING_FAULTED);
	CHECK_STR(buf, "stopped at RIP=0x1032 in long mode: fileRead: parameter block at 0x9 (16 bytes) "
		  "is not mapped to guest memory");

	/* a short buffer keeps what fits, NUL-terminated */
	e = base(VMM_STOP_HLT);
	CHECK_EQ(ending_text(&e, buf, 12), ENDING_HALTED);
	CHECK_STR(buf, "halted in l");
}

static void test_exit_words(void)
{
	struct kvm_run run = { 0 };
	char buf[200];

	CHECK_EQ(ending_exit_words(VMM_EXIT_HLT, NULL, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	ending_exit_words(VMM_EXIT_FAIL_ENTRY, NULL, buf, sizeof(buf));
	CHECK_STR(buf, "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY)");
	run.fail_entry.hardware_entry_failure_reason = 0x80000021;
	ending_exit_words(VMM_EXIT_FAIL_ENTRY, &run, buf, sizeof(buf));
	CHECK_STR(buf, "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x80000021)");
	ending_exit_words(VMM_EXIT_INTERNAL_ERROR, NULL, buf, sizeof(buf));
	CHECK_STR(buf, "KVM could not continue the guest (KVM_EXIT_INTERNAL_ERROR)");
}

static void test_hits(void)
{
	static struct engine e;
	struct vmm_exit_stats stats = { .total = 7 };
	struct tvcpu cpu = { .regs = { .rax = 1, .rip = 0x10ab }, .stats = &stats };
	char buf[200];

	e.cpu = &cpu;
	e.brk[0] = 0x1087;
	e.nbrk = 1;
	e.watch[0] = (struct engine_watch){ 0x400, 8 };
	e.nwatch = 1;
	CHECK(ending_hit_text(&e, 0, -1, 36, buf, sizeof(buf)));   /* a recorded step */
	CHECK_STR(buf, "breakpoint 0x1087 reached by step 36");
	CHECK(ending_hit_text(&e, -1, 0, 48, buf, sizeof(buf)));
	CHECK_STR(buf, "write to watched address 0x400 reached by step 48");
	CHECK(ending_hit_text(&e, 0, -1, 0, buf, sizeof(buf)));   /* a free run counts exits */
	CHECK_STR(buf, "breakpoint 0x1087 reached after 7 exits (RAX=0x1)");
	e.nsteps = 40;                                              /* stepped: instructions */
	e.nretired = 44;
	CHECK(ending_hit_text(&e, -1, 0, 0, buf, sizeof(buf)));
	CHECK_STR(buf, "write to watched address 0x400 reached after 44 instructions (RIP=0x10ab "
		  "after the write)");
	CHECK(!ending_hit_text(&e, -1, -1, 36, buf, sizeof(buf)));
	CHECK_STR(buf, "");
}

int main(void)
{
	test_text();
	test_exit_words();
	test_hits();
	return check_summary();
}
