/* What every guest of tests/labs/checks does after its own start (lab_sources: built with
 * each submission's guest.S, which jumps here): it stores 42 at result, pushes on the stack,
 * and makes IO exits of every size: 3 byte writes to the console (0xE9), one word written to
 * and one byte read from port 0x602 (no device there), one print32 (an OUT dword on 0x501). */
	.code32
	.globl common
common:
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
