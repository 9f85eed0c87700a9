/* test-explain.c - the sentences under notable steps, the changed-register list and disassembly. */
#include <stdlib.h>

#include "disasm.h"
#include "engine.h"
#include "explain.h"
#include "hypercall.h"
#include "cpumode.h"
#include "regdiff.h"
#include "vcpu.h"
#include "testkit.h"

static struct tvcpu cpu;
static struct vmm_vcpu vcpu;
static struct vmm_hc hc;
static struct vmm_pio_bus bus;
static struct engine e;
static struct explain_ctx ctx;

static struct step fresh(void)
{
	struct step st;

	memset(&st, 0, sizeof(st));
	st.n = 1;
	st.sbefore.cs.present = 1;
	st.sbefore.cs.s = 1;
	st.sbefore.cs.type = 11;
	st.sbefore.cs.limit = st.sbefore.ds.limit = st.sbefore.es.limit = 0xffff;
	st.sbefore.fs.limit = st.sbefore.gs.limit = st.sbefore.ss.limit = 0xffff;
	st.safter = st.sbefore;
	st.flow.retired = 1;
	st.flow.vector = -1;
	st.flow.fault_vector = -1;
	return st;
}

/* A wrong form an audit found: it must never come back. */
#define CHECK_NOT(haystack, needle) CHECK_MSG(strstr((haystack), (needle)) == NULL, \
					      "\"%s\" contains the wrong form \"%s\"", (haystack), (needle))

/* 64-bit protected state with paging (PML4 at 0x1000). */
static struct step long_mode(void)
{
	struct step st = fresh();

	st.sbefore.cr0 = 0x80010011;
	st.sbefore.cr4 = 0x20;
	st.sbefore.efer = 0xd00;
	st.sbefore.cr3 = 0x1000;
	st.sbefore.cs.l = 1;
	st.sbefore.cs.selector = 8;
	st.safter = st.sbefore;
	return st;
}

/* INT vec at 0x1000 under an IDT at base/limit, delivered to handler. */
static struct step int_step(struct step st, uint8_t vec, uint64_t base, uint16_t limit, uint64_t handler)
{
	st.insn_len = 2;
	st.insn[0] = 0xcd;
	st.insn[1] = vec;
	st.before.rip = 0x1000;
	st.after.rip = handler;
	st.sbefore.idt.base = st.safter.idt.base = base;
	st.sbefore.idt.limit = st.safter.idt.limit = limit;
	st.flow.vector = vec;
	return st;
}

static const char *explain(const struct step *st)
{
	static char buf[1024];

	explain_step(&ctx, st, buf, sizeof(buf));
	return buf;
}

int main(void)
{
	struct step st;
	struct reg_change ch[REGDIFF_MAX];
	char text[96];
	uint64_t *pml4;
	int n;

	cpu.mem_size = 2u << 20;
	cpu.mem = calloc(1, cpu.mem_size);
	cpu.maxphyaddr = 46;
	vmm_hc_init(&hc, &vcpu, NULL, NULL);
	CHECK_EQ(vmm_hc_attach(&hc, &bus, NULL), 0);  /* the default ports */
	e.cpu = &cpu;
	e.hc = &hc;
	disasm_init(&e.dis);
	explain_init(&ctx, &e);
	/* Identity map of the first 1 GiB for the long-mode steps: PML4 0x1000 -> PDPT 0x2000 ->
	 * PD 0x3000 of 2 MiB pages. */
	pml4 = (uint64_t *)(cpu.mem + 0x1000);
	pml4[0] = 0x2003;
	put64(cpu.mem, 0x2000, 0x3003);
	for (int i = 0; i < 512; i++)
		put64(cpu.mem, 0x3000 + 8 * i, (uint64_t)i << 21 | 0x83);

	/* CR0.PE: the caches stay (SDM Vol. 3A 9.9.1). */
	st = fresh();
	st.safter.cr0 = 1;
	CHECK_STR(explain(&st), "CR0.PE set: the CPU enters protected mode, but the segment caches keep "
		  "their real-mode contents (CS base 0x0, 16-bit) until each register is reloaded; a far "
		  "jump is what loads CS from the GDT.");
	CHECK_NOT(explain(&st), "segment registers now select GDT descriptors)");
	/* CR0.PE cleared with a 4 GiB DS and a 32-bit CS: unreal mode (SDM Vol. 3A 9.9.2). */
	st = fresh();
	st.sbefore.cr0 = 1;
	st.safter.ds.limit = st.sbefore.ds.limit = 0xffffffff;
	st.safter.cs.db = st.sbefore.cs.db = 1;
	CHECK_STR(explain(&st), "CR0.PE cleared: real mode, but the segment caches keep their "
		  "protected-mode limits and attributes until each register is reloaded: unreal mode (DS "
		  "reach past 64 KiB); CS keeps D=1, so code still runs as 32-bit until a far jump reloads CS.");
	CHECK_NOT(explain(&st), "CR0.PE cleared: back to real mode.");
	CHECK_STR(vmm_cpu_label(&st.safter), "unreal");
	CHECK_EQ(vmm_cpu_code_bits(&st.safter), 32);
	st.safter.cs.db = st.sbefore.cs.db = 0;
	st.safter.ds.limit = st.sbefore.ds.limit = 0xffff;
	CHECK_STR(explain(&st), "CR0.PE cleared: back to real mode (every segment cache holds a 64 KiB "
		  "limit, as real mode expects).");
	CHECK_STR(vmm_cpu_label(&st.safter), "real");
	CHECK_EQ(vmm_cpu_code_bits(&st.safter), 16);
	/* Mode labels: 16-bit protected mode, compatibility mode, 64-bit mode. */
	st.safter.cr0 = 1;
	CHECK_STR(vmm_cpu_label(&st.safter), "protected-16");
	st.safter.cs.db = 1;
	CHECK_STR(vmm_cpu_label(&st.safter), "protected");
	st.safter.cr0 = 0x80000001;
	st.safter.cr4 = 0x20;
	st.safter.efer = 0x500;
	CHECK_STR(vmm_cpu_label(&st.safter), "compat");
	st.safter.cs.l = 1;
	st.safter.cs.db = 0;
	CHECK_STR(vmm_cpu_label(&st.safter), "long");
	CHECK_EQ(vmm_cpu_code_bits(&st.safter), 64);

	/* CR0.PG with EFER.LME: LMA, and CS's D bit decides what compatibility mode runs. */
	st = fresh();
	st.sbefore.cr0 = 0x11;
	st.sbefore.efer = 0x100;
	st.safter.cr0 = 0x80000011;
	st.safter.efer = 0x500;
	st.safter.cr3 = st.sbefore.cr3 = 0x2000;
	CHECK_CONTAINS(explain(&st), "CR0.PG set: paging is on, every linear address now goes through the page tables at 0x2000 (CR3)");
	CHECK_CONTAINS(explain(&st), "EFER.LMA turned on: long mode is active; CS is still a 16-bit segment (L=0, D=0), so the CPU runs in compatibility mode");
	CHECK_NOT(explain(&st), "CS is still a 32-bit segment");
	st.sbefore.cs.db = st.safter.cs.db = 1;
	CHECK_CONTAINS(explain(&st), "CS is still a 32-bit segment (L=0, D=1)");
	/* CR0.PG cleared in long mode: LMA goes off (SDM Vol. 3A 10.8.5.4). */
	st = fresh();
	st.sbefore.cr0 = 0x80000011;
	st.sbefore.efer = 0x500;
	st.safter.cr0 = 0x11;
	st.safter.efer = 0x100;
	CHECK_STR(explain(&st), "CR0.PG cleared: paging is off, linear addresses are physical; EFER.LMA "
		  "cleared with it: the CPU has left long mode (IA-32e) and runs in legacy protected mode "
		  "(SDM Vol. 3A 10.8.5.4).");
	/* CR0.WP, CR0.AM, CR4.PGE, SMEP, SMAP. */
	st = fresh();
	st.sbefore.cr0 = 0x80050011;
	st.safter.cr0 = 0x80000011;
	CHECK_STR(explain(&st), "CR0.WP cleared: supervisor code (CPL 0-2) may now write to read-only "
		  "pages; CR0.AM cleared: alignment checking is off whatever EFLAGS.AC says.");
	st.safter.cr0 = 0x80050011;
	st.sbefore.cr0 = 0x80000011;
	st.safter.cr4 = 0x300080;
	CHECK_STR(explain(&st), "CR0.WP set: supervisor writes now honour read-only pages; CR0.AM set: "
		  "alignment checking is armed: with EFLAGS.AC=1, a misaligned access at CPL 3 raises #AC; "
		  "CR4.PGE set: pages with G=1 are global: their TLB entries survive CR3 writes; CR4.SMEP "
		  "set: supervisor code can no longer execute from user pages; CR4.SMAP set: supervisor data "
		  "accesses to user pages now fault unless EFLAGS.AC=1.");
	st.sbefore.cr0 = st.safter.cr0;
	st.sbefore.cr4 = 0x80;
	st.safter.cr4 = 0;
	CHECK_STR(explain(&st), "CR4.PGE cleared: global pages are off, and clearing PGE flushed every TLB "
		  "entry, global ones included.");
	/* CR3 with PWT and PCD: the table is at the masked address (SDM Vol. 3A 4.5 Table 4-12). */
	st = long_mode();
	st.safter.cr3 = 0x7fd018;
	CHECK_STR(explain(&st), "CR3 <- 0x7fd018: the PML4 table is now at physical 0x7fd000; PWT=1, "
		  "PCD=1: write-through / cache-disable for the CPU's accesses to that table.");
	CHECK_NOT(explain(&st), "at that physical address");
	st = fresh();
	st.safter.cr3 = 0x2000;
	CHECK_STR(explain(&st), "CR3 <- 0x2000: paging is off, so CR3 is not used yet; once CR0.PG is set "
		  "the top-level table will be read at physical 0x2000.");

	/* Segments: 64-bit CS, compatibility mode, FS/GS in 64-bit mode, expand-down, null. */
	st = fresh();
	st.sbefore.efer = st.safter.efer = 0x500;
	st.safter.cs.l = 1;
	st.safter.cs.selector = 0x18;
	CHECK_STR(explain(&st), "CS <- 0x18: a 64-bit code segment (L=1): the CPU is now in 64-bit mode.");
	CHECK_NOT(explain(&st), "long mode proper");
	st = long_mode();
	st.safter.cs.l = 0;
	st.safter.cs.db = 1;
	st.safter.cs.limit = 0xffffffff;
	st.safter.cs.selector = 0x10;
	CHECK_STR(explain(&st), "CS <- 0x10: 32-bit code, base 0x0, limit 0xffffffff, DPL 0 (L=0) while "
		  "EFER.LMA=1: the CPU leaves 64-bit mode for compatibility mode.");
	st = long_mode();
	st.safter.fs.selector = 0x20;
	st.safter.fs.base = 0x5000;
	st.safter.fs.limit = 0xfffff;
	st.safter.fs.present = st.safter.fs.s = 1;
	st.safter.fs.type = 3;
	CHECK_STR(explain(&st), "FS <- 0x20: base 0x5000 (in 64-bit mode FS and GS keep their base; the "
		  "limit and attributes are ignored).");
	CHECK_NOT(explain(&st), "limit 0xfffff");
	st = fresh();
	st.sbefore.cr0 = st.safter.cr0 = 1;
	st.safter.ss = (struct kvm_segment){ .selector = 0x28, .limit = 0xfff, .type = 7, .present = 1,
					     .s = 1, .db = 1 };
	CHECK_STR(explain(&st), "SS <- 0x28: read/write data, base 0x0, expand-down: valid offsets "
		  "0x1000..0xffffffff (limit 0xfff, B=1), DPL 0.");
	CHECK_NOT(explain(&st), "32-bit data");
	st.safter.ss = (struct kvm_segment){ .selector = 0, .unusable = 1 };
	CHECK_STR(explain(&st), "SS <- 0x0: a null selector: the register is unusable, and a memory "
		  "access through it raises #GP.");
	CHECK_NOT(explain(&st), "not present");
	/* A drop to CPL 3. */
	st = long_mode();
	st.safter.cs.selector = 0x2b;
	st.safter.cs.dpl = 3;
	CHECK_CONTAINS(explain(&st), "CPL 0 -> 3: the CPU now runs user code: privileged instructions "
		       "raise #GP, and supervisor-only pages raise #PF");
	/* GDT, IDT, TR, LDTR. */
	st = fresh();
	st.safter.gdt.base = 0x10b8;
	st.safter.gdt.limit = 0x37;
	put64(cpu.mem, 0x10c0, 0x00cf9b000000ffffull);  /* 0x08: flat 32-bit code */
	put64(cpu.mem, 0x10d0, 0x00af9b000000ffffull);  /* 0x18: 64-bit code */
	put64(cpu.mem, 0x10d8, 0x0000920012340fffull);  /* 0x20: data, base 0x1234, byte granular */
	put64(cpu.mem, 0x10e0, 0x0040960000000fffull);  /* 0x28: expand-down data, B=1 */
	put64(cpu.mem, 0x10e8, 0x0000890050000067ull);  /* 0x30: available TSS at 0x5000 */
	CHECK_STR(explain(&st), "GDTR <- base 0x10b8, limit 0x37 (7 descriptors: 0x08 32-bit code base 0x0 "
		  "limit 0xffffffff, 0x18 64-bit code base 0x0 limit 0xffffffff, 0x20 data base 0x1234 "
		  "limit 0xfff, 0x28 data base 0x0 expand-down: valid offsets 0x1000..0xffffffff (limit "
		  "0xfff, B=1), 0x30 TSS (available) base 0x5000 limit 0x67).");
	st = long_mode();
	st.safter.idt.base = 0x5000;
	CHECK_STR(explain(&st), "IDTR <- base 0x5000, limit 0x0 (0 vectors; empty: any exception now ends in a triple fault).");
	st.safter.idt.limit = 0xfff;
	CHECK_STR(explain(&st), "IDTR <- base 0x5000, limit 0xfff (256 vectors).");
	st = long_mode();
	st.safter.tr = (struct kvm_segment){ .selector = 0x30, .base = 0x5000, .limit = 0x67, .type = 11,
					     .present = 1 };
	CHECK_STR(explain(&st), "TR <- 0x30: the task-state segment at base 0x5000, limit 0x67 (LTR marks "
		  "its descriptor busy; the CPU takes the stack pointers for privilege changes and IST "
		  "stacks from it).");
	st = long_mode();
	st.safter.ldt = (struct kvm_segment){ .selector = 0x38, .base = 0x6000, .limit = 0xf, .type = 2,
					      .present = 1 };
	CHECK_STR(explain(&st), "LDTR <- 0x38: the local descriptor table at base 0x6000, limit 0xf: "
		  "selectors with TI=1 now index it.");

	/* Base-only changes: WRMSR IA32_FS_BASE/GS_BASE, SWAPGS; WRMSR IA32_KERNEL_GS_BASE. */
	st = long_mode();
	st.insn_len = 2;
	memcpy(st.insn, "\x0f\x30", 2);	/* wrmsr */
	st.before.rcx = 0xc0000100;
	st.safter.fs.base = 0x7000;
	CHECK_STR(explain(&st), "WRMSR IA32_FS_BASE (MSR 0xC0000100): FS.base <- 0x7000; only the hidden "
		  "base changed, no selector was loaded (FS is still 0x0).");
	CHECK_NOT(explain(&st), "FS <- ");
	st.safter = st.sbefore;
	st.before.rcx = 0xc0000102;
	st.before.rax = 0x9000;
	CHECK_STR(explain(&st), "WRMSR IA32_KERNEL_GS_BASE (MSR 0xC0000102) <- 0x9000: nothing changes "
		  "yet; SWAPGS will exchange it with GS.base.");
	st.insn_len = 3;
	memcpy(st.insn, "\x0f\x01\xf8", 3);	/* swapgs */
	st.safter.gs.base = 0x9000;
	CHECK_STR(explain(&st), "SWAPGS: GS.base 0x0 <-> IA32_KERNEL_GS_BASE (MSR 0xC0000102): GS.base is "
		  "now 0x9000 and the old base waits in IA32_KERNEL_GS_BASE; no selector was loaded.");
	CHECK_NOT(explain(&st), "GS <- ");

	/* CLI, STI, POPF, CPUID, RDTSC, INVLPG. */
	st = fresh();
	st.insn_len = 1;
	st.insn[0] = 0xfa;
	st.before.rflags = 0x202;
	st.after.rflags = 0x2;
	CHECK_STR(explain(&st), "CLI: IF cleared: maskable interrupts are held off (NMIs and exceptions still come).");
	st.insn[0] = 0xfb;
	st.before.rflags = 0x2;
	st.after.rflags = 0x202;
	CHECK_STR(explain(&st), "STI: IF set: maskable interrupts are accepted again, from after the next instruction.");
	st.insn[0] = 0x9d;
	CHECK_STR(explain(&st), "POPF set IF: maskable interrupts are enabled.");
	st = fresh();
	st.insn_len = 2;
	memcpy(st.insn, "\x0f\xa2", 2);
	st.before.rax = 0x80000008;
	st.after.rax = 0x302e;
	CHECK_STR(explain(&st), "CPUID leaf 0x80000008: always a VM exit under VMX, handled inside KVM "
		  "from the table kvmlab gave with KVM_SET_CPUID2 (no exit reaches kvmlab): EAX=0x302e "
		  "EBX=0x0 ECX=0x0 EDX=0x0.");
	memcpy(st.insn, "\x0f\x31", 2);
	st.after.rdx = 0x12;
	st.after.rax = 0x34;
	CHECK_STR(explain(&st), "RDTSC: EDX:EAX <- the time-stamp counter, 0x1200000034; KVM normally lets "
		  "it run without a VM exit, the hardware adding the guest's TSC offset.");
	st = long_mode();
	st.insn_len = 3;
	memcpy(st.insn, "\x0f\x01\x3b", 3);	/* invlpg [rbx] */
	st.before.rbx = 0x400000;
	CHECK_STR(explain(&st), "INVLPG: the TLB forgets its translation of linear 0x400000 (and that "
		  "page's paging-structure caches), so the next access walks the page tables again.");

	/* Software interrupts in real mode, through the IVT at IDTR.base + 4n (SDM Vol. 3A 20.1.4). */
	st = int_step(fresh(), 0x21, 0x2000, 0x3ff, 0x2000);
	put32(cpu.mem, 0x2084, 0x2000);
	CHECK_STR(explain(&st), "INT 33: FLAGS, CS and IP pushed, IF and TF cleared, and the CPU jumped to "
		  "the handler the IVT entry at 0x2084 (IDTR.base 0x2000 + 4*33) names, 0000:2000.");
	CHECK_NOT(explain(&st), "entry at 0x84 ");
	/* A real-mode IRET, a failed one, and INTO without overflow. */
	st.insn[0] = 0xcf;
	st.insn_len = 1;
	st.flow.vector = -1;
	CHECK_STR(explain(&st), "IRET: IP, CS and FLAGS popped: back to 0000:2000.");
	st.after.rip = st.before.rip;
	CHECK_STR(explain(&st), "IRET did not complete: RIP is still the IRET's own address (it faulted).");
	st.insn[0] = 0xce;  /* INTO without overflow: nothing happens */
	st.after.rip = 0x1001;
	CHECK_STR(explain(&st), "");

	/* INT 0x30 in long mode: delivered; not delivered (internal error); past the IDT limit. */
	st = int_step(long_mode(), 0x30, 0x8000, 0xfff, 0xa9);
	put64(cpu.mem, 0x8000 + 0x30 * 16, 0x00008e00000800a9ull);
	CHECK_STR(explain(&st), "INT 48: the CPU delivered vector 48 through an interrupt gate (IF cleared) "
		  "at 0x8300 (IDTR.base + 48*16) to 0008:a9, pushing SS, RSP, RFLAGS, CS and RIP.");
	st.flow.vector = -1;
	st.after.rip = 0x1000;
	st.has_exit = true;
	st.exit = (struct step_exit){ .kind = VMM_EXIT_INTERNAL_ERROR };
	CHECK_STR(explain(&st), "INT 48: not delivered (RIP is still 0x1000, the INT's own address): KVM "
		  "stopped with KVM_EXIT_INTERNAL_ERROR while delivering it; KVM could not continue the "
		  "guest (KVM_EXIT_INTERNAL_ERROR): it could not emulate or deliver this instruction's "
		  "effects; nothing happened and RIP is still 0x1000.");
	CHECK_NOT(explain(&st), "the CPU delivered vector 48");
	st.has_exit = false;
	st.sbefore.idt.limit = st.safter.idt.limit = 0x2ff;
	CHECK_STR(explain(&st), "INT 48: not delivered: its gate at IDTR.base + 0x300 lies past the IDT "
		  "limit 0x2ff, so the CPU raises #GP (error code 0x182: vector*8 + 2, IDT bit set) instead.");
	/* IRETQ to CPL 3 pops SS:RSP. */
	st = long_mode();
	st.insn_len = 2;
	memcpy(st.insn, "\x48\xcf", 2);
	st.after.rip = 0x400000;
	st.after.rsp = 0x7ff000;
	st.safter.cs.selector = 0x2b;
	st.safter.ss.selector = 0x23;
	CHECK_CONTAINS(explain(&st), "IRETQ: back to 002b:400000 at CPL 3, RFLAGS restored from the stack; "
		       "the return is to an outer privilege level, so it also popped SS:RSP; SS <- 0x23, RSP "
		       "<- 0x7ff000");
	/* ... and when the trap came late, the place it returned to, not where the step ended. */
	st.flow.land = 0x400000;
	st.flow.land_cs = 0x2b;
	st.flow.retired = 2;
	st.flow.nskip = 1;
	st.flow.skip[0] = 0x400000;
	st.after.rip = 0x400005;
	CHECK_CONTAINS(explain(&st), "IRETQ: back to 002b:400000 at CPL 3");
	CHECK_NOT(explain(&st), "back to 002b:400005");
	/* An exception delivered through the IDT: #GP on a non-canonical address. */
	st = long_mode();
	st.insn_len = 3;
	memcpy(st.insn, "\x48\x8b\x03", 3);	/* mov rax, [rbx] */
	st.before.rbx = 0x0000800000000000ull;
	st.before.rsp = st.after.rsp = 0x9000;
	st.after.rsp = 0x8fd8;
	st.sbefore.idt.base = st.safter.idt.base = 0x8000;
	st.sbefore.idt.limit = st.safter.idt.limit = 0xfff;
	put64(cpu.mem, 0x8000 + 13 * 16, 0x00008e0000080200ull);
	put64(cpu.mem, 0x8fd8, 0);
	st.after.rip = 0x200;
	st.flow.vector = 13;
	CHECK_STR(explain(&st), "exception #GP (vector 13): this instruction faulted and the CPU delivered "
		  "it through the IDT gate at 0x80d0 to the handler at 0008:200, pushing SS, RSP, RFLAGS, "
		  "CS and RIP; error code 0x0; the address 0x800000000000 is not canonical (bits 63..47 "
		  "must all equal bit 47), which is what raised it.");

	/* A step in which the single-step trap came late: the instructions after its own are named,
	 * with one that raised an exception on the way; "at least" when the path is not known. */
	st = fresh();
	st.flow.retired = 3;
	st.flow.nskip = 2;
	st.flow.skip[0] = 0x6000;
	st.flow.skip[1] = 0x6001;
	memcpy(cpu.mem + 0x6000, "\xee\xf4", 2);	/* out dx, al; hlt */
	CHECK_STR(explain(&st), "the single-step trap came late: the CPU also ran 0x6000 out dx, al, 0x6001 "
		  "hlt before it trapped, so the registers and memory shown are after all of them (this "
		  "step retired 3 instructions).");
	st.flow.fault_vector = 13;
	st.flow.fault_at = 1;
	st.flow.fault_pc = 0x6003;
	CHECK_STR(explain(&st), "the single-step trap came late: the CPU also ran 0x6000 out dx, al, "
		  "0x6003, which raised #GP (vector 13), delivered through the IDT, 0x6001 hlt before it "
		  "trapped, so the registers and memory shown are after all of them (this step retired 3 "
		  "instructions).");
	st.flow.fault_vector = -1;
	st.flow.retired = 1;
	st.flow.unknown = true;
	st.flow.nskip = 0;
	st.after.rip = 0x6002;
	CHECK_STR(explain(&st), "the single-step trap came late: RIP 0x6002 is not where this instruction "
		  "leads and the path there could not be recovered, so more ran than this step shows (at "
		  "least 1 instruction retired).");

	/* Port I/O and hypercalls: every one is named as the VM exit it is. */
	st = fresh();
	st.has_exit = true;
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 1, .port = 0xe9, .count = 1, .data = { 'H' } };
	CHECK_STR(explain(&st), "OUT to port 0xE9 (console): 'H'; a VM exit (KVM_EXIT_IO): KVM stops the "
		  "guest and hands the byte to kvmlab, which prints it.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 2, .port = 0xe9, .count = 1, .data = { 'A', 'B' } };
	CHECK_STR(explain(&st), "OUT to port 0xE9 (console): AX = 0x4241, 2 bytes printed as 'AB'; a VM "
		  "exit (KVM_EXIT_IO) hands them to kvmlab.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_IN, .in = 1, .size = 1, .port = 0xe9, .count = 1, .data = { 0xe9 } };
	CHECK_STR(explain(&st), "IN from port 0xE9 (console): a VM exit (KVM_EXIT_IO); the console answers "
		  "0xE9 in every byte (the Bochs convention, so a guest can detect it): AL <- 0xe9.");
	CHECK_NOT(explain(&st), "all ones");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 1, .port = 0xe9, .count = 50, .data = { 'x' } };
	CHECK_STR(explain(&st), "string OUT to port 0xE9 (console): 50 elements of 1 byte, one VM exit "
		  "(KVM_EXIT_IO) each, starting with 'x'.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 4, .port = 0x502, .count = 1, .data = { 0x10, 0x20 } };
	CHECK_STR(explain(&st), "hypercall printStr: OUT to port 0x502 <- 0x2010, a VM exit (KVM_EXIT_IO) kvmlab answers.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 4, .port = 0x80, .count = 1, .data = { 1, 2, 3, 4 } };
	CHECK_STR(explain(&st), "OUT to port 0x80 (4 bytes): EAX = 0x4030201; a VM exit (KVM_EXIT_IO); no "
		  "device there, the write is ignored.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_IN, .in = 1, .size = 2, .port = 0x80, .count = 3 };
	CHECK_STR(explain(&st), "IN from port 0x80 (2 bytes, string I/O): a VM exit (KVM_EXIT_IO); no device there, it reads as all ones.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_MMIO_WRITE, .size = 4, .addr = 0x300000 };
	CHECK_STR(explain(&st), "MMIO write of 4 bytes at 0x300000: no RAM there, so KVM exits to the VMM "
		  "(KVM_EXIT_MMIO); no device either, so the write is dropped.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_HLT };
	st.after.rax = 42;
	st.after.rflags = 0x202;
	CHECK_STR(explain(&st), "HLT: a VM exit (KVM_EXIT_HLT): the vCPU halts with RAX=42 and, with no "
		  "interrupt to wake it, the run ends here.");
	st.after.rflags = 0x2;
	CHECK_CONTAINS(explain(&st), "(IF=0: only an NMI, SMI or INIT could wake this CPU; on hardware it "
		       "would stay halted for good)");
	/* Triple faults: a fault while delivering #DF (SDM Vol. 3A 6.15); the faulting instruction
	 * retired nothing (tracer/stepflow.c). */
	st = long_mode();
	st.flow.retired = 0;
	st.has_exit = true;
	st.exit = (struct step_exit){ .kind = VMM_EXIT_SHUTDOWN };
	CHECK_STR(explain(&st), "triple fault (KVM_EXIT_SHUTDOWN): this instruction raised an exception, "
		  "the IDT is empty (limit 0) so delivering it raised #GP and then a double fault (#DF), and "
		  "delivering the #DF failed as well, so the CPU shut down.");
	CHECK_NOT(explain(&st), "then a fault delivering that");
	st.safter.idt.limit = 0xfff;
	st.safter.cr2 = 0x1234;
	CHECK_CONTAINS(explain(&st), "this instruction page-faulted at CR2=0x1234, delivering that #PF "
		       "faulted too (a double fault, #DF), and delivering the #DF faulted again (IDT base 0x0, "
		       "limit 0xfff), so the CPU shut down");
	st.safter.cr2 = 0;
	CHECK_CONTAINS(explain(&st), "this instruction raised an exception, delivering it faulted (a double "
		       "fault, #DF), and delivering the #DF faulted again (IDT base 0x0, limit 0xfff)");
	st.flow.retired = 2;  /* the trap came late: a later instruction faulted */
	st.after.rip = 0x1137;
	CHECK_CONTAINS(explain(&st), "triple fault (KVM_EXIT_SHUTDOWN): the instruction at 0x1137, after "
		       "the ones this step retired, raised an exception");
	/* ... and in PAE paging on a host that cannot run it: the host's limit. */
	st = fresh();
	st.sbefore.cr0 = 0x11;
	st.safter.cr0 = 0x80000011;
	st.safter.cr4 = st.sbefore.cr4 = 0x20;
	st.has_exit = true;
	st.exit = (struct step_exit){ .kind = VMM_EXIT_SHUTDOWN };
	ctx.host_paged32 = 0;
	CHECK_CONTAINS(explain(&st), "KVM_EXIT_SHUTDOWN with PAE paging on, and this host's KVM");
	CHECK_CONTAINS(explain(&st), "cannot run 32-bit paging: a guest with paged32 or PAE paging on "
		       "shuts down before its first instruction completes (kvmlab probe): this is the "
		       "host's limit, not a fault of this instruction");
	CHECK_NOT(explain(&st), "this instruction raised an exception");
	ctx.host_paged32 = 1;
	CHECK_CONTAINS(explain(&st), "triple fault (KVM_EXIT_SHUTDOWN)");

	/* Writes into live page tables; bit 63 without EFER.NXE and bits above MAXPHYADDR (46). */
	st = long_mode();
	st.sbefore.efer = st.safter.efer = 0x500;
	st.nwrites = 1;
	st.w[0] = (struct step_write){ .gpa = 0x2008, .gva = 0x2008, .len = 8, .new = { 0x03, 0x30 } };
	CHECK_STR(explain(&st), "PDPT[1] <- 0x3003: a page-table entry changed (present); the TLB may still "
		  "hold the old translation until INVLPG of an address it maps, or a CR3 write.");
	st.w[0].new[7] = 0x80;
	CHECK_CONTAINS(explain(&st), "PDPT[1] <- 0x8000000000003003: a page-table entry changed (P=1, but bit "
		       "63 (NX) is reserved while EFER.NXE=0: a walk through it raises #PF with RSVD=1)");
	CHECK_NOT(explain(&st), "(present)");
	st.w[0].new[7] = 0;
	st.w[0].new[6] = 0x04;	/* bit 50 */
	CHECK_CONTAINS(explain(&st), "(P=1, but it sets address bits at or above MAXPHYADDR, which are reserved");
	st.w[0].gpa = 0x5000;
	CHECK_STR(explain(&st), "");

	/* The rest of the control bits, each way (SDM Vol. 3A 2.5, 4.1.1, 10.8.5). */
	st = fresh();
	st.safter.cr4 = 0x300030 | 0x1000;
	st.safter.efer = 0x900;
	CHECK_STR(explain(&st), "CR4.PAE set: page tables will use 64-bit entries; CR4.PSE set: 4 MiB pages "
		  "allowed in 32-bit paging; CR4.LA57 set: 5-level paging; CR4.SMEP set: supervisor code can "
		  "no longer execute from user pages; CR4.SMAP set: supervisor data accesses to user pages "
		  "now fault unless EFLAGS.AC=1; EFER.LME set (MSR 0xC0000080): long mode will activate when "
		  "paging is turned on; EFER.NXE set: the NX bit in page tables now forbids execution.");
	st.sbefore = st.safter;
	st.safter.cr4 = 0;
	st.safter.efer = 0;
	CHECK_STR(explain(&st), "CR4.PAE cleared: page tables go back to 32-bit entries; CR4.PSE cleared: 4 "
		  "MiB pages no longer allowed in 32-bit paging; CR4.LA57 cleared: 4-level paging; CR4.SMEP "
		  "cleared: supervisor code may execute from user pages again; CR4.SMAP cleared: supervisor "
		  "code may access user pages again; EFER.LME cleared (MSR 0xC0000080): long mode disabled; EFER.NXE cleared: "
		  "the NX bit in page tables is now reserved.");
	/* CR3 with PCIDs: the low 12 bits are the PCID, not PWT/PCD (SDM Vol. 3A 4.10.1). */
	st = long_mode();
	st.sbefore.cr4 = st.safter.cr4 = 0x20020;
	st.safter.cr3 = 0x7fd018;
	CHECK_STR(explain(&st), "CR3 <- 0x7fd018: the PML4 table is now at physical 0x7fd000; PCID 0x18.");

	/* Segments: a system segment, an expand-down segment with no valid offset, 64-bit data
	 * segments, a null SS in 64-bit mode, the way back to CPL 0 and other privilege changes,
	 * a null LDTR. */
	st = fresh();
	st.sbefore.cr0 = st.safter.cr0 = 1;
	st.safter.es = (struct kvm_segment){ .selector = 0x30, .limit = 0x67, .type = 9, .present = 1 };
	st.safter.ds = (struct kvm_segment){ .selector = 0x28, .limit = 0xffff, .type = 7, .present = 1, .s = 1 };
	CHECK_STR(explain(&st), "DS <- 0x28: read/write data, base 0x0, expand-down with limit 0xffff: no "
		  "valid offset at all, DPL 0; ES <- 0x30: system segment type 0x9, base 0x0, limit 0x67, DPL 0.");
	st = long_mode();
	st.safter.ds = (struct kvm_segment){ .selector = 0x10, .limit = 0xffffffff, .type = 3, .present = 1, .s = 1 };
	st.safter.ss = (struct kvm_segment){ .selector = 0 };
	CHECK_STR(explain(&st), "DS <- 0x10: read/write data, base 0x0, limit 0xffffffff, DPL 0 (in 64-bit "
		  "mode its base and limit are ignored); SS <- 0x0: a null SS, which 64-bit mode allows at CPL "
		  "0-2 (an interrupt or exception that changes privilege level loads one).");
	st = long_mode();
	st.sbefore.cs.selector = 0x33;
	CHECK_STR(explain(&st), "CS <- 0x8: 64-bit code, base 0x0, limit 0xffff, DPL 0; CPL 3 -> 0: the CPU is "
		  "back in the kernel (supervisor mode).");
	st.safter.cs.selector = 0x29;
	st.safter.cs.dpl = 1;
	CHECK_CONTAINS(explain(&st), "CPL 3 -> 1: a change of privilege level");
	st = long_mode();
	st.sbefore.ldt.selector = 0x38;
	CHECK_STR(explain(&st), "LDTR <- 0x0: no LDT (a null selector).");

	/* Other MSRs; an INT whose gate is not present, or whose DPL is below CPL; a #PF's CR2;
	 * KVM_EXIT_FAIL_ENTRY; an instruction past the single-step trap that cannot be read. */
	st = long_mode();
	st.insn_len = 2;
	memcpy(st.insn, "\x0f\x30", 2);
	st.before.rcx = 0x174;
	st.before.rax = 0x8;
	CHECK_STR(explain(&st), "WRMSR MSR 0x174 <- 0x8 (EDX:EAX).");
	st = int_step(long_mode(), 0x31, 0x8000, 0xfff, 0x1000);
	st.flow.vector = -1;
	put64(cpu.mem, 0x8000 + 0x31 * 16, 0x00000e00000800a9ull);	/* P = 0 */
	CHECK_STR(explain(&st), "INT 49: not delivered: its gate is not present, so the CPU raises #NP instead.");
	put64(cpu.mem, 0x8000 + 0x31 * 16, 0x00008e00000800a9ull);	/* DPL 0, called from CPL 3 */
	st.sbefore.cs.selector = st.safter.cs.selector = 0x33;
	CHECK_STR(explain(&st), "INT 49: not delivered: the gate's DPL 0 is below CPL 3, so the CPU raises "
		  "#GP instead.");
	st = long_mode();
	st.insn_len = 3;
	memcpy(st.insn, "\x48\x8b\x03", 3);
	st.sbefore.idt.base = st.safter.idt.base = 0x8000;
	st.sbefore.idt.limit = st.safter.idt.limit = 0xfff;
	put64(cpu.mem, 0x8000 + 14 * 16, 0x00008e0000080300ull);
	st.before.rsp = 0x9000;
	st.after.rsp = 0x8fd0;
	put64(cpu.mem, 0x8fd0, 2);
	st.after.rip = 0x300;
	st.safter.cr2 = 0x5000;
	st.flow.vector = 14;
	st.flow.retired = 0;
	CHECK_STR(explain(&st), "exception #PF (vector 14): this instruction faulted and the CPU delivered it "
		  "through the IDT gate at 0x80e0 to the handler at 0008:300, pushing SS, RSP, RFLAGS, CS and "
		  "RIP; error code 0x2; CR2 <- 0x5000, the address that faulted.");
	st = fresh();
	st.has_exit = true;
	st.exit = (struct step_exit){ .kind = VMM_EXIT_FAIL_ENTRY };
	CHECK_STR(explain(&st), "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY): the CPU refused this state.");
	st = fresh();
	st.flow.retired = 2;
	st.flow.nskip = 1;
	st.flow.skip[0] = 0x7ffff000;
	CHECK_CONTAINS(explain(&st), "the CPU also ran 0x7ffff000 (unreadable) before it trapped");

	/* Which registers changed, by name. */
	st = fresh();
	st.after.rax = 7;
	st.after.rip = 3;
	st.safter.cr0 = 1;
	st.safter.cs.selector = 8;
	n = regdiff(&st, ch);
	CHECK(n == 4);
	CHECK(n == 4 && strcmp(ch[0].name, "rax") == 0 && ch[0].new == 7);
	CHECK(n == 4 && strcmp(ch[1].name, "rip") == 0);
	CHECK(n == 4 && strcmp(ch[2].name, "cr0") == 0);
	CHECK(n == 4 && strcmp(ch[3].name, "cs.sel") == 0 && ch[3].old == 0 && ch[3].new == 8);

	/* Disassembly in the CPU's real mode: the same bytes mean different things. */
	CHECK(disasm_text(&e.dis, 16, (const uint8_t *)"\x0f\x20\xc0", 3, 0, text, sizeof(text)) == 3);
	CHECK_STR(text, "mov eax, cr0");
	CHECK(disasm_text(&e.dis, 16, (const uint8_t *)"\xb8\x2a\x00", 3, 0, text, sizeof(text)) == 3);
	CHECK_STR(text, "mov ax, 0x2A");
	CHECK(disasm_text(&e.dis, 32, (const uint8_t *)"\xb8\x2a\x00\x00\x00", 5, 0, text, sizeof(text)) == 5);
	CHECK_STR(text, "mov eax, 0x2A");
	CHECK(disasm_text(&e.dis, 64, (const uint8_t *)"\x48\xb8\x2a\0\0\0\0\0\0\0", 10, 0, text, sizeof(text)) == 10);
	CHECK_STR(text, "mov rax, 0x2A");
	CHECK(disasm_text(&e.dis, 64, (const uint8_t *)"\x0f\xff", 1, 0, text, sizeof(text)) == 0);
	CHECK_STR(text, "(bad)");
	free(cpu.mem);
	return check_summary();
}
