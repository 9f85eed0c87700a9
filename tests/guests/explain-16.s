# explain-16.s - a real-mode flat guest (--flat 0x1000 --mode real) for tests/kvm/explain.sh:
# INT 33 through an IVT moved to 0x2000 (its entry at 0x2084, not 0x84), IRET, the console's
# answer to IN, then protected mode: CR0.PE with the 16-bit CS cache (16-bit protected mode), a
# far jump to 32-bit code, a 4 GiB DS, and CR0.PE cleared again with those caches kept (unreal
# mode: 32-bit code in real mode, a store above 1 MiB through DS), a far jump in real mode that
# loads CS = 0 but keeps D = 1 (the code after it is still 32-bit), and HLT with RAX = 42.
# 23 instructions retired, the HLT included.
	.code16
	.text
	.globl start
start:
	cli
	movw $handler, 0x2084		# IVT entry 33 of an IVT at 0x2000
	movw $0, 0x2086
	lidt ivtr
	int $33
	movw $0xe9, %dx
	inb %dx, %al
	lgdt gdtr
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0			# protected mode, CS still the 16-bit real-mode cache
	ljmpl $0x08, $pm32
	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds			# a 4 GiB data segment
	movl %cr0, %eax
	andl $~1, %eax
	movl %eax, %cr0			# real mode again: unreal
	movl $0x12345678, %eax		# 32-bit code in real mode (CS.D = 1)
	movl %eax, 0x100000		# above 1 MiB through DS's 4 GiB limit
	ljmp $0, $real16		# real mode: only the selector and base change
real16:
	movl $42, %eax			# still 32-bit code
	hlt
	.code16

handler:
	iret

	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	# 0x08 32-bit code
	.quad 0x00cf93000000ffff	# 0x10 data, 4 GiB
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.long gdt
ivtr:
	.word 0x3ff
	.long 0x2000
