# bootsect.s - a real-mode guest in the shape of a PC boot sector, written for
# kvmlab's tests: 512 bytes ending in 0x55 0xAA, loaded at 0x7c00 (kvmlab run
# --flat 0x7c00 --mode real).  It does what boot sectors do and the built-in
# guests do not: a far jump to CS = 0x07c0 so that its offsets count from its
# own start, DS = SS = 0x07c0, a stack below itself, and 32-bit registers in
# real mode.  It prints with a lodsb/outb loop and a `rep outsw`, reads the
# console port (the Bochs convention: IN from 0xE9 gives 0xE9), stores 42 at
# linear 0x400 through ES = 0 and halts with EAX = 42.
	.code16
	.text
	.globl start
start:
	cli
	ljmp $0x07c0, $(go - start)
go:
	movw %cs, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0, %sp              # SS:SP = 0x07c0:0 -> the stack grows down from 0x17c00
	cld

	movw $(banner - start), %si
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, $0xe9
	jmp 1b
2:
	movw $0xe9, %dx
	movw $(words - start), %si
	movw $((words_end - words) / 2), %cx
	rep outsw

	inb $0xe9, %al
	movw $(probe_bad - start), %si
	cmpb $0xe9, %al
	jne 3f
	movw $(probe_ok - start), %si
3:	lodsb
	testb %al, %al
	jz 4f
	outb %al, $0xe9
	jmp 3b
4:
	xorw %ax, %ax
	movw %ax, %es
	movl $42, %eax
	movl %eax, %es:0x400
	hlt
5:	jmp 5b

banner:	.asciz "bootsect: CS=0x07c0, lodsb/outb\n"
words:	.ascii "bootsect: rep outsw in real mode\n\n"
words_end:
probe_ok:  .asciz "bootsect: IN 0xE9 = 0xE9\n"
probe_bad: .asciz "bootsect: IN 0xE9 gave something else\n"
	.if (words_end - words) % 2
	.error "words must have an even length"
	.endif

	.org 510
	.byte 0x55, 0xaa
