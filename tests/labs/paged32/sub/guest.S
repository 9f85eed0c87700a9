/* Halts at once: all a paged32 lab needs to show whether this host runs the mode. */
	.code32
	.globl _start
_start:
	hlt
