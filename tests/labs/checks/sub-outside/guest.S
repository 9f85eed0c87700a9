/* The good guest, but it also stores at the word after result, outside the ranges. */
	.code32
	.globl _start
_start:
	movl $0xdeadbeef, result + 4
	jmp common
