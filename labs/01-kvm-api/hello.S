/* hello.S - the guest of lab 01-kvm-api (given): what `kvmlab run hello` does, in 64-bit
 * assembly.  It prints "Hello, world!\n" one OUT per byte on the console port 0xE9,
 * stores 42 at 0x400, puts 42 in RAX and halts.
 */
#include "guest.h"

KVMLAB_MODE("long")

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	movw $KVMLAB_CONSOLE_PORT, %dx
	movq $message, %rsi
next:
	lodsb				/* AL <- [RSI], RSI++ */
	testb %al, %al
	jz done
	outb %al, %dx			/* one VM exit (KVM_EXIT_IO) per character */
	jmp next
done:
	movq $42, KVMLAB_RESULT_ADDR
	movq $42, %rax
halt:	hlt				/* KVM_EXIT_HLT: the run ends */
	jmp halt

	.section .rodata, "a", @progbits
message:
	.asciz "Hello, world!\n"
