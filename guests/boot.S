/* boot.S - a guest that boots itself: real mode -> protected mode -> long mode.
 *
 * The VMM starts it in real mode (CS = 0, IP = 0x1000) and does nothing else:
 * every step a real boot loader or kernel takes to reach 64-bit mode is here,
 * one instruction at a time, so you can watch CR0, CR3, CR4, EFER, GDTR and
 * the segment registers change in the tracer.
 *
 * On port 0xE9 it prints "R" (real mode), "P" (protected mode), "L" (long
 * mode) and a newline; then it stores 42 at 0x400, puts 42 in RAX and halts.
 * Console: "RPL\n".
 *
 * The page tables it builds live in its own .bss (4 KiB aligned, below 64 KiB),
 * not at the top of memory where the VMM keeps its stack.  The ELF loader
 * clears .bss, so only the entries we need are written here.
 */
#include "guest.h"

KVMLAB_MODE("real")

/* Segment selectors: index * 8 into the GDT below (TI = 0, RPL = 0). */
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE64 0x18
#define SEL_DATA64 0x20

#define MSR_EFER   0xC0000080
#define EFER_LME   (1 << 8)	/* long mode enable */
#define CR0_PE     (1 << 0)	/* protection enable */
#define CR0_PG     (1 << 31)	/* paging */
#define CR4_PAE    (1 << 5)	/* physical address extension (64-bit entries) */
#define PTE_P      (1 << 0)	/* present */
#define PTE_RW     (1 << 1)	/* writable */
#define PTE_A      (1 << 5)	/* accessed: the CPU sets it on first use */
#define PTE_D      (1 << 6)	/* dirty (last level only): the CPU sets it on first write */
#define PTE_PS     (1 << 7)	/* in a page directory: this entry maps a 2 MiB page */

	.section .text.start, "ax", @progbits
	.globl _start

/* ---- 1. real mode: 16-bit code, address = segment * 16 + offset ---------- */
	.code16
_start:
	cli				/* no interrupts: we have no IDT for any mode */
	xorw %ax, %ax
	movw %ax, %ds			/* DS = 0: our data is addressed by its link address */

	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'R', %al
	outb %al, %dx			/* "R": still in real mode */

	/* Load GDTR with the base and limit of our GDT.  The "l" suffix (0x66
	 * prefix) makes LGDT take a full 32-bit base; without it a 16-bit LGDT
	 * would use only 24 bits of it. */
	lgdtl gdt_descriptor

	/* Set CR0.PE.  We are now in protected mode, but CS still holds the old
	 * real-mode segment (its hidden base and limit are cached) until we
	 * reload it with a far jump. */
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0

	/* Far jump: loads CS with selector 0x08 (32-bit code descriptor) and
	 * EIP with protected_mode.  From here on the CPU decodes 32-bit code. */
	ljmpl $SEL_CODE32, $protected_mode

/* ---- 2. protected mode: 32-bit code, flat segments, no paging ------------ */
	.code32
protected_mode:
	/* Data segments still hold real-mode values: reload them with the flat
	 * 32-bit data descriptor. */
	movw $SEL_DATA32, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs

	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'P', %al
	outb %al, %dx			/* "P": protected mode */

	/* Identity-map the first 2 MiB with 4-level paging:
	 *   PML4[0] -> PDPT,  PDPT[0] -> PD,  PD[0] = 2 MiB page at physical 0.
	 * Each entry holds the physical address of the next table | flags.
	 * The tables are zero (.bss), so their upper 32 bits are already 0.
	 * Accessed and dirty are preset, as in the GDT, so the CPU never
	 * writes to the tables by itself (a tracer would see those writes). */
	movl $(pdpt + PTE_P + PTE_RW + PTE_A), pml4
	movl $(pd + PTE_P + PTE_RW + PTE_A), pdpt
	movl $(0 + PTE_P + PTE_RW + PTE_A + PTE_D + PTE_PS), pd

	/* CR4.PAE: long mode uses 64-bit page-table entries. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	/* CR3: physical address of the top-level table (PML4). */
	movl $pml4, %eax
	movl %eax, %cr3

	/* EFER.LME (model-specific register 0xC0000080, bit 8): ask for long
	 * mode.  RDMSR/WRMSR use ECX = MSR number, EDX:EAX = value.
	 * The CPU (and KVM) only accept LME if CPUID says long mode exists
	 * (leaf 0x80000001, EDX bit 29); otherwise this WRMSR raises #GP. */
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	/* CR0.PG: paging on.  With LME already set, the CPU sets EFER.LMA:
	 * long mode is active, but we still run 32-bit code ("compatibility
	 * mode") because CS is a 32-bit descriptor. */
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0

	/* Far jump to the 64-bit code descriptor (L = 1): 64-bit mode. */
	ljmpl $SEL_CODE64, $long_mode

/* ---- 3. long mode: 64-bit code, addresses translated by our page tables -- */
	.code64
long_mode:
	/* Segment bases are ignored for DS/ES/SS in 64-bit mode, but load a
	 * valid descriptor anyway so nothing stale is left behind. */
	movw $SEL_DATA64, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs

	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'L', %al
	outb %al, %dx			/* "L": long mode */
	movb $'\n', %al
	outb %al, %dx

	movq $42, KVMLAB_RESULT_ADDR	/* 8-byte store of 42 at 0x400 */
	movl $42, %eax			/* RAX = 42 (writing EAX clears the top half) */
1:	hlt
	jmp 1b				/* if the host resumes us, halt again */

/* ---- the GDT ------------------------------------------------------------- */
/* Each descriptor is 8 bytes: limit 0xFFFFF in 4 KiB units (G = 1) and base 0,
 * i.e. flat 4 GiB.  Access byte 0x9B = present, ring 0, code, readable;
 * 0x93 = present, ring 0, data, writable.  The "accessed" bit (bit 0 of the
 * access byte) is preset so the CPU never writes back into the table.
 * Flags nibble: 0xC = G + D (32-bit); 0xA = G + L (64-bit code). */
	.section .rodata, "a", @progbits
	.balign 8
gdt:
	.quad 0x0000000000000000	/* 0x00: null descriptor (required) */
	.quad 0x00CF9B000000FFFF	/* 0x08: 32-bit code */
	.quad 0x00CF93000000FFFF	/* 0x10: 32-bit data */
	.quad 0x00AF9B000000FFFF	/* 0x18: 64-bit code */
	.quad 0x00CF93000000FFFF	/* 0x20: data for long mode */
gdt_end:

gdt_descriptor:			/* the operand of LGDT: 16-bit limit, 32-bit base */
	.word gdt_end - gdt - 1
	.long gdt

/* ---- page tables: three 4 KiB tables, zeroed by the loader -------------- */
	.section .bss, "aw", @nobits
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
