/* start.S - entry of the 03-paging guest (do not change: the grader builds this copy).
 *
 * kvmlab starts it in long mode with its own identity map of guest memory and
 * a stack at the top of memory.  Your page tables will map only what the lab
 * asks for, so the first thing here is a stack inside the image (below 2 MiB).
 */
#include "guest.h"

KVMLAB_MODE("long")

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	movq $stack_top, %rsp
	call lab03_main
1:	hlt
	jmp 1b

	.section .bss, "aw", @nobits
	.balign 16
stack:	.skip 8192
stack_top:
