# spin-out.s - a long-mode flat guest (--flat 0x1000 --mode long) that never halts
# but exits all the time: OUT to port 0x80, where no device listens, forever.
# Only --max-exits (or --timeout) can end it.
	.code64
	.text
	.globl start
start:
	xorl %eax, %eax
1:	incl %eax
	outb %al, $0x80
	jmp 1b
