/*
 * guest.c - the guest of CS695 (2023), Assignment 3, Part 2.  Reference solution.
 *
 * Built twice: -m32 for -s and -p, -m64 for -l.  Each hypercall is port I/O
 * on a port of its own (the same numbers as kvm-hello-world.c).
 */
#include <stddef.h>
#include <stdint.h>

#define HC_PRINT8 0xE9
#define HC_PRINT32 0xE8
#define HC_PRINTSTR 0xE7
#define HC_NUMEXITS 0xEA
#define HC_GVATOHVA 0xEB
#define HC_TIMESTAMP 0xEC

static void outb(uint16_t port, uint8_t value)
{
	asm("outb %0,%1" : /* empty */ : "a"(value), "Nd"(port) : "memory");
}

static void outl(uint16_t port, uint32_t value)
{
	asm("outl %0,%1" : /* empty */ : "a"(value), "Nd"(port) : "memory");
}

static uint32_t inl(uint16_t port)
{
	uint32_t value;

	asm volatile("inl %1,%0" : "=a"(value) : "Nd"(port) : "memory");
	return value;
}

void HC_print8bit(uint8_t val)
{
	outb(HC_PRINT8, val);
}

void HC_print32bit(uint32_t val)
{
	outl(HC_PRINT32, val);
}

void HC_printStr(char *str)
{
	outl(HC_PRINTSTR, (uint32_t)(uintptr_t)str);
}

uint32_t HC_numExits(void)
{
	return inl(HC_NUMEXITS);
}

uint32_t HC_gvaToHva(uint32_t gva)
{
	outl(HC_GVATOHVA, gva);
	return inl(HC_GVATOHVA);
}

uint32_t HC_getTimestamp(void)
{
	return inl(HC_TIMESTAMP);
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
