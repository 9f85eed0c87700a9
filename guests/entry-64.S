/* entry-64.S - entry of hello-64: long mode, identity-mapped memory. */
#include "guest.h"

KVMLAB_MODE("long")

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	call hello_main		/* RSP from the VMM; the call leaves RSP+8 16-byte aligned */
1:	hlt			/* hello_main never returns */
	jmp 1b
