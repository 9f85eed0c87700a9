/* c-guest.c - a guest in plain C written for kvmlab's tests, in a style of its own:
 * no kvmlab header, no .kvmlab.mode section (kvmlab must pick the start mode from
 * the ELF class: long for ELF64, protected for ELF32), linked high (1 MiB for the
 * 64-bit build, 2 MiB for the 32-bit one: run with --mem 4M), its own stack in
 * .bss, initialised .data, and hypercalls on kvmlab's default ports:
 * print32 (OUT dword at 0x501) and numExits (IN dword at 0x503).
 *
 * Output:
 *   c-guest: hello from above 1 MiB, 64-bit      (32-bit for the -m32 build)
 *   c-guest: bss zero, data ok
 *   832040                                       (fib(30) through print32)
 *   c-guest: numExits answered
 * then [0x400] = 42 and HLT with RAX = 42 (the return value of cmain).
 */
#include <stdint.h>

#include "entry.h"

#define CONSOLE 0xE9
#define HC_PRINT32 0x501
#define HC_NUMEXITS 0x503

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static unsigned char scratch[8192];          /* .bss: must arrive zeroed */
static volatile unsigned magic = 0x600dcafe; /* .data: must arrive intact */

static void say(const char *s)
{
	while (*s)
		outb(CONSOLE, (uint8_t)*s++);
}

static uint32_t fib(unsigned n)
{
	uint32_t a = 0, b = 1;

	while (n--) {
		uint32_t t = a + b;
		a = b;
		b = t;
	}
	return a;
}

int cmain(void);

int cmain(void)
{
	unsigned char any = 0;

	say(sizeof(void *) == 8 ? "c-guest: hello from above 1 MiB, 64-bit\n"
				: "c-guest: hello from above 1 MiB, 32-bit\n");
	for (unsigned i = 0; i < sizeof(scratch); i++)
		any |= scratch[i];
	say(any ? "c-guest: bss DIRTY" : "c-guest: bss zero");
	say(magic == 0x600dcafe ? ", data ok\n" : ", data BAD\n");
	outl(HC_PRINT32, fib(30));
	say(inl(HC_NUMEXITS) > 0 ? "c-guest: numExits answered\n" : "c-guest: numExits is 0?\n");
	*(volatile uint32_t *)0x400 = 42;
	return 42;
}
