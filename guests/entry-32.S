/* entry-32.S - entry of hello-32: protected mode, flat 4 GiB segments, no paging. */
#include "guest.h"

KVMLAB_MODE("protected")

	.code32
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	call hello_main		/* the VMM has set ESP; hello_main never returns */
1:	hlt
	jmp 1b
