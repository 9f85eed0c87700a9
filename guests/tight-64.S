/* tight-64.S - a counted loop for benchmarks and instruction-count tests.
 *
 * Exactly 3,000,004 instructions run, the final HLT included:
 *       2   xor + mov               (before the loop)
 *   3,000,000   inc + dec + jnz     (1,000,000 iterations of 3)
 *       2   mov $42 + hlt
 * No exits happen until the HLT.  At the HLT: RAX = 42, RCX = 0, and the
 * loop count (1,000,000 = 0xF4240) is in RDX.
 */
#include "guest.h"

KVMLAB_MODE("long")

#define ITERATIONS 1000000

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	xorl %edx, %edx			/* 1: RDX = 0, the counter */
	movl $ITERATIONS, %ecx		/* 2: RCX = 1,000,000 */
1:	incq %rdx			/*    3 instructions per iteration */
	decq %rcx
	jnz 1b
	movl $42, %eax			/* 3,000,003: RAX = 42 */
2:	hlt				/* 3,000,004 */
	jmp 2b				/* only if resumed (not counted) */
