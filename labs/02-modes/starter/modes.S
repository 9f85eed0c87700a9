/* modes.S - lab 02-modes: take the CPU from real mode to long mode yourself.
 *
 * kvmlab starts this guest like a PC starts a boot sector: real mode,
 * CS = DS = SS = 0, IP = 0x1000 (_start), no GDT, no paging.  Your job is
 * every step from there to 64-bit long mode:
 *
 *   real mode       print 'R'; load GDTR; set CR0.PE; far jump to a 32-bit CS
 *   protected mode  reload the data segments; print 'P'; build page tables;
 *                   CR4.PAE; CR3; EFER.LME (WRMSR); CR0.PG; far jump to a
 *                   64-bit CS
 *   long mode       print 'L' and '\n'; store 42 at 0x400; RAX = 42; HLT
 *
 * As given, the guest prints 'R' and halts in real mode.  Fill in the TODOs
 * from top to bottom, and remove the "stop here" halt when stage 1 is done.
 * Trace your guest after each step to see what changed:
 *     KVMLAB_KEEP_BUILD=1 kvmlab lab build 02 .   (its log names .../guest.elf)
 *     kvmlab trace /tmp/kvmlab-grade-PID-XXXXXX/out/guest.elf
 *     kvmlab grade 02 .
 * README.md explains each step.
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
#define PG_ACCESSED 0x020	/* set them yourself so the CPU has nothing to write back */
#define PG_DIRTY    0x040
#define PG_HUGE     0x080	/* in a page-directory entry: maps 2 MiB directly */

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

	/* TODO 1: load GDTR from gdtr (below) with lgdtl - the "l" makes the CPU
	 * take all 32 bits of the base. */

	/* TODO 2: set CR0.PE: movl %cr0 to %eax, orl $CR0_PE, back to %cr0. */

	/* TODO 3: far jump to stage2 with CS = CODE32_SEL:  ljmpl $SEL, $label
	 * (this is what makes the CPU load CS from the GDT and decode 32-bit code). */

	/* Stop here.  TODO: remove these two lines once TODOs 1-3 are done. */
stop_here:
	hlt
	jmp stop_here

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

	/* TODO 4: page tables identity-mapping the first 2 MiB:
	 *     PML4[0] = address of pdpt | PG_PRESENT | PG_WRITE | PG_ACCESSED
	 *     PDPT[0] = address of pd   | PG_PRESENT | PG_WRITE | PG_ACCESSED
	 *     PD[0]   = 0 | PG_PRESENT | PG_WRITE | PG_ACCESSED | PG_DIRTY | PG_HUGE
	 * The tables (pml4, pdpt, pd below) are zeroed by the loader; write the
	 * low 32 bits of each entry with movl, e.g.
	 *     movl $pdpt, %eax;  orl $(...), %eax;  movl %eax, pml4 */

	/* TODO 5: set CR4.PAE (like CR0.PE, through %eax). */

	/* TODO 6: CR3 <- address of pml4 (movl $pml4, %eax; movl %eax, %cr3). */

	/* TODO 7: set EFER.LME: ECX = EFER_MSR; rdmsr (EDX:EAX <- EFER);
	 * orl $EFER_LME, %eax; wrmsr (EFER <- EDX:EAX). */

	/* TODO 8: set CR0.PG.  Long mode is now active, but CS is still the
	 * 32-bit descriptor: compatibility mode. */

	/* TODO 9: far jump to stage3 with CS = CODE64_SEL. */

	hlt				/* TODO: remove once TODO 9 jumps away */

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

	movq $42, KVMLAB_RESULT_ADDR	/* 8 bytes at 0x400, through your page tables */
	movq $42, %rax
halt:	hlt
	jmp halt

/* ==== data ================================================================ */
	.section .rodata, "a", @progbits
	.balign 8
gdt:
	.quad 0				/* 0x00: the null descriptor (required) */
	/* TODO 0: three flat descriptors (base 0, limit 0xFFFFF with G = 1: 4 GiB).
	 * Layout of a descriptor (8 bytes, little-endian .quad):
	 *   bits 0-15 limit 15:0     bits 16-39 base 23:0     bits 40-47 access byte
	 *   bits 48-51 limit 19:16   bits 52-55 flags         bits 56-63 base 31:24
	 * access: 0x9B = present, ring 0, code, readable, accessed
	 *         0x93 = present, ring 0, data, writable, accessed
	 * flags:  0xC  = G + D (32-bit)      0xA = G + L (64-bit code)  */
	.quad 0				/* 0x08: TODO 32-bit code */
	.quad 0				/* 0x10: TODO data */
	.quad 0				/* 0x18: TODO 64-bit code */
gdt_end:

gdtr:					/* LGDT's operand: 16-bit limit, then 32-bit base */
	.word gdt_end - gdt - 1
	.long gdt

	.section .bss, "aw", @nobits
	.balign 4096			/* each table is one 4 KiB-aligned page */
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
