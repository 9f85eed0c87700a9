/* test-explain.c - the sentences under notable steps, the changed-register list and disassembly. */
#include <stdlib.h>

#include "disasm.h"
#include "engine.h"
#include "explain.h"
#include "hypercall.h"
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
	st.safter = st.sbefore;
	return st;
}

static const char *explain(const struct step *st)
{
	static char buf[512];

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
	vmm_hc_init(&hc, &vcpu, NULL, NULL);
	CHECK_EQ(vmm_hc_attach(&hc, &bus, NULL), 0);  /* the default ports */
	e.cpu = &cpu;
	e.hc = &hc;
	disasm_init(&e.dis);
	explain_init(&ctx, &e);

	/* Mode switches. */
	st = fresh();
	st.safter.cr0 = 1;
	CHECK_STR(explain(&st), "CR0.PE set: the CPU enters protected mode (segment registers now select GDT descriptors).");
	st = fresh();
	st.sbefore.cr0 = 0x11;
	st.sbefore.efer = 0x100;
	st.safter.cr0 = 0x80000011;
	st.safter.efer = 0x500;
	st.safter.cr3 = st.sbefore.cr3 = 0x2000;
	CHECK_CONTAINS(explain(&st), "CR0.PG set: paging is on, every address now goes through the page tables at CR3=0x2000");
	CHECK_CONTAINS(explain(&st), "EFER.LMA turned on: long mode is active; CS is still a 32-bit segment");
	st = fresh();
	st.sbefore.efer = st.safter.efer = 0x500;
	st.safter.cs.l = 1;
	st.safter.cs.selector = 0x18;
	CHECK_STR(explain(&st), "CS <- 0x18: a 64-bit code segment (L=1): long mode proper.");
	st = fresh();
	st.safter.gdt.base = 0x10b8;
	st.safter.gdt.limit = 0x27;
	CHECK_STR(explain(&st), "GDTR <- base 0x10b8, limit 0x27 (5 descriptors).");
	put64(cpu.mem, 0x10c0, 0x00cf9b000000ffffull);  /* 0x08: flat 32-bit code */
	put64(cpu.mem, 0x10d0, 0x00af9b000000ffffull);  /* 0x18: 64-bit code */
	put64(cpu.mem, 0x10d8, 0x0000920012340fffull);  /* 0x20: 16-bit data, base 0x1234, byte granular */
	CHECK_STR(explain(&st), "GDTR <- base 0x10b8, limit 0x27 (5 descriptors: 0x08 32-bit code base 0x0 "
		  "limit 0xffffffff, 0x18 64-bit code base 0x0 limit 0xffffffff, 0x20 16-bit data base 0x1234 "
		  "limit 0xfff).");
	st = fresh();
	st.safter.idt.base = 0x5000;
	CHECK_STR(explain(&st), "IDTR <- base 0x5000, limit 0x0 (empty: any exception now triple-faults).");

	/* Software interrupts in real mode, through the IVT, and back. */
	st = fresh();
	st.insn_len = 2;
	st.insn[0] = 0xcd;
	st.insn[1] = 0x10;
	st.before.rip = 0x1000;
	st.after.rip = 0x2000;
	st.sbefore.idt.limit = st.safter.idt.limit = 0x3ff;
	CHECK_STR(explain(&st), "INT 16: FLAGS, CS and IP pushed, and the CPU jumped to the handler the IVT "
		  "entry at 0x40 names, 0000:2000.");
	st.insn[0] = 0xcf;
	st.insn_len = 1;
	CHECK_STR(explain(&st), "IRET: back from an interrupt handler to 0000:2000, FLAGS restored from the stack.");
	st.insn[0] = 0xce;  /* INTO without overflow: nothing happens */
	st.after.rip = 0x1001;
	CHECK_STR(explain(&st), "");

	/* Port I/O and hypercalls. */
	st = fresh();
	st.has_exit = true;
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 1, .port = 0xe9, .count = 1, .data = { 'H' } };
	CHECK_STR(explain(&st), "OUT to port 0xE9 (console): 'H'.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_OUT, .size = 4, .port = 0x502, .count = 1, .data = { 0x10, 0x20 } };
	CHECK_STR(explain(&st), "hypercall printStr: OUT to port 0x502 <- 0x2010.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_IO_IN, .in = 1, .size = 2, .port = 0x80, .count = 3 };
	CHECK_STR(explain(&st), "IN from port 0x80 (2 bytes, string I/O): no device there, it reads as all ones.");
	st.exit = (struct step_exit){ .kind = VMM_EXIT_HLT };
	st.after.rax = 42;
	CHECK_STR(explain(&st), "HLT: the guest halts with RAX=42; the run ends here.");

	/* A write into a live page table: PML4 at 0x1000, PDPT at 0x2000. */
	pml4 = (uint64_t *)(cpu.mem + 0x1000);
	pml4[0] = 0x2003;
	st = fresh();
	st.sbefore.cr0 = st.safter.cr0 = 0x80000011;
	st.sbefore.cr4 = st.safter.cr4 = 0x20;
	st.sbefore.efer = st.safter.efer = 0x500;
	st.sbefore.cr3 = st.safter.cr3 = 0x1000;
	st.nwrites = 1;
	st.w[0] = (struct step_write){ .gpa = 0x2008, .gva = 0x2008, .len = 8, .new = { 0x03, 0x30 } };
	CHECK_STR(explain(&st), "PDPT[1] <- 0x3003: a page-table entry changed (present).");
	st.w[0].gpa = 0x5000;
	CHECK_STR(explain(&st), "");

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
