/* start.S - entry of the 04-hypercalls guest (do not change): long mode, identity map. */
#include "guest.h"

KVMLAB_MODE("long")

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	call fixed_block	/* RSP from the VMM */
1:	hlt
	jmp 1b
