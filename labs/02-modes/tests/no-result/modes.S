/* modes.S - reference solution of lab 02-modes: from real mode to long mode, by hand.
 *
 * kvmlab starts this guest the way a PC starts a boot sector: real mode,
 * CS = DS = SS = 0, IP = 0x1000 (where guest.ld puts _start), no GDT, no
 * paging.  Everything else is done here, in the order the CPU requires:
 *
 *   real mode       print 'R'; load GDTR; set CR0.PE; far jump to a 32-bit CS
 *   protected mode  reload the data segments; print 'P'; build page tables;
 *                   CR4.PAE; CR3; EFER.LME (WRMSR); CR0.PG -> compatibility
 *                   mode; far jump to a 64-bit CS
 *   long mode       print 'L' and '\n'; store 42 at 0x400; RAX = 42; HLT
 *
 * The grader checks the console ("RPL\n"), the mode timeline (real ->
 * protected -> compat -> long), the final registers and memory.
 */
#include "guest.h"

KVMLAB_MODE("real")

/* ---- constants ----------------------------------------------------------- */

/* A selector is (GDT index * 8) | table indicator | requested privilege level. */
#define CODE32_SEL  (1 * 8)
#define DATA_SEL    (2 * 8)
#define CODE64_SEL  (3 * 8)

#define CR0_PE      0x00000001	/* bit 0: protection enable */
#define CR0_PG      0x80000000	/* bit 31: paging */
#define CR4_PAE     0x00000020	/* bit 5: 64-bit page-table entries (long mode needs it) */
#define EFER_MSR    0xC0000080	/* the Extended Feature Enable Register */
#define EFER_LME    0x00000100	/* bit 8: long mode enable (LMA, bit 10, is set by the CPU) */

/* Page-table entry bits (the same in every level of 4-level paging). */
#define PG_PRESENT  0x001
#define PG_WRITE    0x002
#define PG_ACCESSED 0x020	/* set here so the CPU has nothing to write back */
#define PG_DIRTY    0x040
#define PG_HUGE     0x080	/* in a page-directory entry: maps 2 MiB directly */

/* A flat segment descriptor: base 0, limit 0xFFFFF pages (4 GiB).
 *   access: 0x9B = present, DPL 0, code, execute/read, accessed
 *           0x93 = present, DPL 0, data, read/write, accessed
 *   flags:  0xC = G (4 KiB granularity) + D/B (32-bit)
 *           0xA = G + L (64-bit code; D must be 0 with L)
 * The accessed bit is preset: the CPU would otherwise write it into the GDT. */
#define FLAT_DESC(access, flags) \
	.quad 0x000000000000FFFF | ((access) << 40) | (0xF << 48) | ((flags) << 52)

	.section .text.start, "ax", @progbits
	.globl _start

/* ==== stage 1: real mode ================================================== */
	.code16
_start:
	cli				/* no IDT anywhere: keep interrupts off */
	xorw %ax, %ax
	movw %ax, %ds			/* DS = 0, so a label's address is its offset */

	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'R', %al
	outb %al, %dx

	/* GDTR <- (limit, base) of our table.  The operand-size prefix (lgdtl)
	 * makes the CPU take all 32 bits of the base, not 24. */
	lgdtl gdtr

	/* CR0.PE = 1: protected mode from the next instruction on.  CS keeps
	 * its cached real-mode base and limit until it is reloaded... */
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0

	/* ...by this far jump: CS <- CODE32_SEL, EIP <- stage2.  The CPU reads
	 * descriptor 1 of the GDT and starts decoding 32-bit code. */
	ljmpl $CODE32_SEL, $stage2

/* ==== stage 2: protected mode (32-bit, no paging yet) ===================== */
	.code32
stage2:
	movw $DATA_SEL, %ax		/* every data segment gets the flat 32-bit descriptor */
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss

	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'P', %al
	outb %al, %dx

	/* Page tables for the first 2 MiB, identity mapped (virtual = physical):
	 *   PML4[0] -> PDPT     PDPT[0] -> PD     PD[0] = 2 MiB page at 0
	 * An entry is the 4 KiB-aligned physical address of the next level OR
	 * its flags.  The tables are in .bss, which the loader zeroes, so the
	 * other 511 entries of each table are "not present" and the upper
	 * halves of these three are already 0. */
	movl $pdpt, %eax
	orl $(PG_PRESENT | PG_WRITE | PG_ACCESSED), %eax
	movl %eax, pml4

	movl $pd, %eax
	orl $(PG_PRESENT | PG_WRITE | PG_ACCESSED), %eax
	movl %eax, pdpt

	movl $(PG_PRESENT | PG_WRITE | PG_ACCESSED | PG_DIRTY | PG_HUGE), pd	/* + address 0 */

	/* CR4.PAE: required before long mode can be activated. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	/* CR3 <- physical address of the PML4. */
	movl $pml4, %eax
	movl %eax, %cr3

	/* EFER.LME: WRMSR writes EDX:EAX into the MSR numbered by ECX; read it
	 * first (RDMSR) so that only LME changes. */
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	/* CR0.PG: paging on.  With LME set the CPU now sets EFER.LMA: long mode
	 * is active, but CS is still the 32-bit descriptor, so this is
	 * compatibility mode (the timeline shows "compat"). */
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0

	/* Far jump to the 64-bit code descriptor (L = 1): 64-bit mode. */
	ljmpl $CODE64_SEL, $stage3

/* ==== stage 3: long mode (64-bit) ========================================= */
	.code64
stage3:
	movw $DATA_SEL, %ax		/* bases are ignored in 64-bit mode; reload anyway */
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss

	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'L', %al
	outb %al, %dx
	movb $'\n', %al
	outb %al, %dx

	movq $42, KVMLAB_RESULT_ADDR	/* 8 bytes at 0x400, through our page tables */
	movq $41, %rax	/* wrong on purpose: kvmlab lab test expects rax42 to fail */
halt:	hlt
	jmp halt

/* ==== data ================================================================ */
	.section .rodata, "a", @progbits
	.balign 8
gdt:
	.quad 0				/* 0x00: the null descriptor */
	FLAT_DESC(0x9B, 0xC)		/* 0x08: 32-bit code */
	FLAT_DESC(0x93, 0xC)		/* 0x10: data */
	FLAT_DESC(0x9B, 0xA)		/* 0x18: 64-bit code */
gdt_end:

gdtr:					/* LGDT's operand: 16-bit limit, then 32-bit base */
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss, "aw", @nobits
	.balign 4096			/* each table is one 4 KiB-aligned page */
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
