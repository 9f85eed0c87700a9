/*
 * guest.c - the guest of CS695 (2023), Assignment 3, Part 2.  Starter: HC_print8bit works;
 * write the other hypercalls (see README.md).
 *
 * Built twice: -m32 for -s and -p, -m64 for -l.  Each hypercall is port I/O
 * on a port of its own (the same numbers as kvm-hello-world.c).
 */
#include <stddef.h>
#include <stdint.h>

#define HC_PRINT8 0xE9
/* TODO: a port for each of your other hypercalls */

static void outb(uint16_t port, uint8_t value)
{
	asm("outb %0,%1" : /* empty */ : "a"(value), "Nd"(port) : "memory");
}

void HC_print8bit(uint8_t val)
{
	outb(HC_PRINT8, val);
}

void HC_print32bit(uint32_t val)
{
	/* TODO: print val in decimal, in one exit */
	(void)val;
}

void HC_printStr(char *str)
{
	/* TODO: print the whole string in one exit */
	(void)str;
}

uint32_t HC_numExits(void)
{
	/* TODO: the number of VM exits so far */
	return 0;
}

uint32_t HC_gvaToHva(uint32_t gva)
{
	/* TODO: the host virtual address behind gva ("Invalid GVA" if none) */
	(void)gva;
	return 0;
}

uint32_t HC_getTimestamp(void)
{
	/* TODO: a timestamp from the host */
	return 0;
}

void
__attribute__((noreturn))
__attribute__((section(".start")))
_start(void)
{
	const char *p;

	for (p = "Hello, world!\n"; *p; ++p)
		HC_print8bit(*p);

	/*----------Don't modify this section. We will use grading script---------*/
	/*---Your submission will fail the testcases if you modify this section---*/
	HC_print32bit(2048);
	HC_print32bit(4294967295);

	uint32_t num_exits_a, num_exits_b;
	num_exits_a = HC_numExits();

	char *str = "CS 695 Assignment 3\n";
	HC_printStr(str);
	num_exits_b = HC_numExits();

	HC_print32bit(num_exits_a);
	HC_print32bit(num_exits_b);

	uint32_t hva;
	hva = HC_gvaToHva(1024);
	HC_print32bit(hva);
	hva = HC_gvaToHva(4294967295);
	HC_print32bit(hva);

	uint32_t ts = HC_getTimestamp();
	HC_print32bit(ts);
	/*------------------------------------------------------------------------*/

	*(long *)0x400 = 42;

	for (;;)
		asm("hlt" : /* empty */ : "a"(42) : "memory");
}
