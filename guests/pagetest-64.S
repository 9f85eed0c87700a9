/* pagetest-64.S - a long-mode guest for memory-write tracking.
 *
 * It writes two values to addresses outside its own image, reads both back
 * and compares them:
 *   8 bytes 0x1122334455667788 at 0x2000   (page 2)
 *   4 bytes 0xdeadbeef         at 0x3008   (page 3, offset 8)
 * then prints "ok\n" on port 0xE9 and halts with RAX = 42.  If a value did not
 * read back it prints "bad\n" and halts with RAX = 1.
 *
 * Success path: exactly 18 instructions, the HLT included; the writes are the
 * 2nd and 3rd instructions.  The image must end at or below 0x2000: the
 * linker script checks __kvmlab_image_limit.
 */
#include "guest.h"

KVMLAB_MODE("long")

	.globl __kvmlab_image_limit
	.set __kvmlab_image_limit, 0x2000

#define VALUE64 0x1122334455667788
#define VALUE32 0xdeadbeef

	.code64
	.section .text.start, "ax", @progbits
	.globl _start
_start:
	movabsq $VALUE64, %rax		/*  1 */
	movq %rax, 0x2000		/*  2: write 8 bytes at 0x2000 */
	movl $VALUE32, 0x3008		/*  3: write 4 bytes at 0x3008 */

	movq 0x2000, %rbx		/*  4: read them back */
	cmpq %rax, %rbx			/*  5 */
	jne bad				/*  6 */
	movl 0x3008, %ecx		/*  7 */
	cmpl $VALUE32, %ecx		/*  8 */
	jne bad				/*  9 */

	movw $KVMLAB_CONSOLE_PORT, %dx	/* 10 */
	movb $'o', %al			/* 11 */
	outb %al, %dx			/* 12 */
	movb $'k', %al			/* 13 */
	outb %al, %dx			/* 14 */
	movb $'\n', %al			/* 15 */
	outb %al, %dx			/* 16 */
	movl $42, %eax			/* 17 */
1:	hlt				/* 18 */
	jmp 1b

bad:
	movw $KVMLAB_CONSOLE_PORT, %dx
	movb $'b', %al
	outb %al, %dx
	movb $'a', %al
	outb %al, %dx
	movb $'d', %al
	outb %al, %dx
	movb $'\n', %al
	outb %al, %dx
	movl $1, %eax
2:	hlt
	jmp 2b
