/* entry-16.S - entry of hello-16: real mode, CS = DS = ES = SS = 0, IP = 0x1000.
 *
 * gcc -m16 writes 32-bit code with operand- and address-size prefixes (".code16gcc"),
 * so it forms addresses from the full 32-bit ESP.  In real mode PUSH, POP and CALL
 * only update the low 16 bits (SP), so clear the high half of ESP once here.
 */
#include "guest.h"

KVMLAB_MODE("real")

	.code16
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	movzwl %sp, %esp	/* ESP = SP: 32-bit stack addresses stay in segment 0 */
	calll hello_main	/* 32-bit call: gcc's code returns with retl */
1:	hlt			/* hello_main never returns; just in case */
	jmp 1b
