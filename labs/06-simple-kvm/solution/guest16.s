# guest16.s - the real-mode guest (-r): prints Hello 695! on port 0xE9,
# leaves 42 at 0x400 and in AX, and halts.
	.code16
	.text
	.globl code16_start
code16_start:
	xor %ax, %ax
	mov %ax, %ds
	mov $message, %si
1:	lodsb
	test %al, %al
	jz 2f
	out %al, $0xE9
	jmp 1b
2:	movw $42, 0x400
	mov $42, %ax
3:	hlt
	jmp 3b
message:
	.asciz "Hello 695!\n"
