/* The good guest after a loop of 100,000 iterations: correct, but slow. */
	.code32
	.globl _start
_start:
	movl $100000, %ecx
1:	decl %ecx
	jnz 1b
	jmp common
