# pm-outsb.s - a protected-mode flat guest written for kvmlab's tests, in a style
# the built-in guests do not use: plain GNU as (no preprocessor), no ELF, linked to
# run at 0x8000 (kvmlab run --flat 0x8000 --mode protected).  It prints with string
# I/O: one `rep outsb` (count > 1, size 1) and one `rep outsw` (size 2), so the VMM
# must hand every element of one KVM_EXIT_IO to the console.  Then [0x400] = 42,
# EAX = 42, HLT.
	.code32
	.text
	.globl start
start:
	cld
	movw $0xe9, %dx
	movl $line1, %esi
	movl $(line1_end - line1), %ecx
	rep outsb
	movl $line2, %esi
	movl $((line2_end - line2) / 2), %ecx
	rep outsw
	movl $42, %eax
	movl %eax, 0x400
	hlt
	jmp start

line1:	.ascii "rep outsb: a whole line in one string instruction\n"
line1_end:
line2:	.ascii "rep outsw: two bytes per element, in order!\n"
line2_end:
	.if (line2_end - line2) % 2
	.error "line2 must have an even length for rep outsw"
	.endif
