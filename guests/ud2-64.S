/* ud2-64.S - a long-mode guest that faults: UD2 raises #UD (invalid opcode).
 *
 * The VMM's long-mode set-up gives the guest no IDT (limit 0), so the CPU
 * cannot deliver #UD and escalates: #UD -> #GP while delivering it -> #DF
 * (double fault) -> a fault while delivering #DF = triple fault, which resets
 * the CPU.  KVM reports it as KVM_EXIT_SHUTDOWN with RIP still at the UD2.
 * Nothing is printed. */
#include "guest.h"

KVMLAB_MODE("long")

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	ud2			/* 0f 0b */
	hlt			/* never reached */
