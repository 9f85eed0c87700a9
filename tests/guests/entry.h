/* entry.h - the entry stub the C test guests share: a stack in .bss, call cmain(), halt for good. */
#pragma once

unsigned char stack[4096] __attribute__((aligned(16)));

#ifdef __x86_64__
__asm__(".section .text.entry, \"ax\", @progbits\n"
	".globl _start\n"
	"_start:\n"
	"	lea stack+4096(%rip), %rsp\n"
	"	call cmain\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".previous\n");
#else
__asm__(".section .text.entry, \"ax\", @progbits\n"
	".globl _start\n"
	"_start:\n"
	"	mov $stack+4096, %esp\n"
	"	call cmain\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".previous\n");
#endif
