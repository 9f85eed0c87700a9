/* loop-16.S - a real-mode guest that never stops: "jmp ." jumps to itself.
 * It makes no exits at all, so only an instruction budget, a step limit or the
 * wall-clock timeout can end it (what the tests for those limits use). */
#include "guest.h"

KVMLAB_MODE("real")

	.code16
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	jmp _start		/* eb fe */
