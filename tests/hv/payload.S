/* payload.S - the guests of the test hypervisors, linked into them as data (as
 * kvm-hello-world links its payload).  Each is position-dependent code for guest
 * physical address 0, where the VMM copies it.
 *
 * hello16/32/64: print "Hello, world!\n" one byte at a time on port 0xE9, store 42 at
 * 0x400 and halt with 42 in (E/R)AX.  spin64: RCX OUTs to port 0x80, then the same
 * ending.  echo64: RCX times, a byte OUT to port 0x84, then a word IN from port 0x81
 * written back with OUT to port 0x80, then the same ending.  count64: 20,000 turns of a loop that never exits, then the same ending (40,004
 * instructions).  hang64: a loop that never exits.  matrix1/2: real mode, forever OUT AX to
 * port 0x10 (0x11) and increment (decrement) AX.
 */
	.section .rodata

	.globl hello16, hello16_end
hello16:
	.code16
	movw $(msg16 - hello16), %si
1:	movb (%si), %al
	testb %al, %al
	jz 2f
	outb %al, $0xe9
	incw %si
	jmp 1b
2:	movw $42, %ax
	movw %ax, 0x400
	hlt
msg16:	.asciz "Hello, world!\n"
hello16_end:

	.globl hello32, hello32_end
hello32:
	.code32
	movl $(msg32 - hello32), %esi
1:	movb (%esi), %al
	testb %al, %al
	jz 2f
	outb %al, $0xe9
	incl %esi
	jmp 1b
2:	movl $42, %eax
	movl %eax, 0x400
	hlt
msg32:	.asciz "Hello, world!\n"
hello32_end:

	.globl hello64, hello64_end
hello64:
	.code64
	movl $(msg64 - hello64), %esi
1:	movb (%rsi), %al
	testb %al, %al
	jz 2f
	outb %al, $0xe9
	incq %rsi
	jmp 1b
2:	movq $42, %rax
	movq %rax, 0x400
	hlt
msg64:	.asciz "Hello, world!\n"
hello64_end:

	.globl spin64, spin64_end
spin64:
	testq %rcx, %rcx
	jz 2f
1:	outb %al, $0x80
	decq %rcx
	jnz 1b
2:	movq $42, %rax
	movq %rax, 0x400
	hlt
spin64_end:

	.globl echo64, echo64_end
echo64:
	testq %rcx, %rcx
	jz 2f
1:	outb %al, $0x84
	inw $0x81, %ax
	outw %ax, $0x80
	decq %rcx
	jnz 1b
2:	movq $42, %rax
	movq %rax, 0x400
	hlt
echo64_end:

	.globl count64, count64_end
count64:
	movl $20000, %ecx
1:	decq %rcx
	jnz 1b
	movq $42, %rax
	movq %rax, 0x400
	hlt
count64_end:

	.globl hang64, hang64_end
hang64:
	jmp hang64
hang64_end:

	.globl matrix1, matrix1_end
matrix1:
	.code16
	xorw %ax, %ax
1:	outw %ax, $0x10
	incw %ax
	jmp 1b
matrix1_end:

	.globl matrix2, matrix2_end
matrix2:
	xorw %ax, %ax
1:	outw %ax, $0x11
	decw %ax
	jmp 1b
matrix2_end:

	.section .note.GNU-stack, "", @progbits
