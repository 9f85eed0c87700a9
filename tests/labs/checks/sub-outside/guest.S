/* The good guest, but it also stores at the word after result, outside the ranges. */
	.code32
	.globl _start
_start:
	movl $0xdeadbeef, result + 4
	movl $42, result
	pushl $0x11223344
	popl %eax
	movb $'o', %al
	outb %al, $0xe9
	movb $'k', %al
	outb %al, $0xe9
	movb $'\n', %al
	outb %al, $0xe9
	movw $0x602, %dx
	movw $0x1234, %ax
	outw %ax, %dx
	inb %dx, %al
	movl $42, %eax
	movw $0x501, %dx
	outl %eax, %dx
	hlt

	.data
	.globl result
	.balign 4
result:	.long 0
	.long 0x5a5a5a5a   /* the word after result: nothing may change it */
