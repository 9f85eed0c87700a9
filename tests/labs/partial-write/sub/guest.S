/* numExitsByType (port 0x504) with a buffer 8 bytes before the end of the 2 MiB of guest
 * memory: its 20-odd bytes cross the end, so kvmlab refuses the call, and must not have
 * written the 8 bytes that fit. */
	.code16
	.globl _start
_start:
	movl $0x1ffff8, %eax
	movw $0x504, %dx
	outl %eax, %dx
	hlt
