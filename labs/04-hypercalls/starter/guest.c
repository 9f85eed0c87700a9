/* guest.c - the guest side of each hypercall (04-hypercalls).
 *
 * Each wrapper talks to the hypervisor through its I/O port (hypercalls.h).
 * print8 is done for you; write the others.  Do not change fixed.c: the
 * grader uses its own copy.
 */
#include "hypercalls.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

void print8(uint8_t c)
{
	outb(HC_PRINT8, c);
}

void print32(uint32_t value)
{
	/* TODO: one 32-bit OUT (outl) of value to HC_PRINT32 */
	(void)value;
}

void printStr(const char *s)
{
	/* TODO: pass the string's address (one outl to HC_PRINTSTR: one exit in all) */
	(void)s;
}

uint32_t numExits(void)
{
	/* TODO: read a dword (inl) from HC_NUMEXITS */
	return 0;
}

char *numExitsByType(void)
{
	/* TODO: give the hypervisor the address of a buffer (static, 64 bytes) to fill */
	static char buf[64];

	return buf;
}

void gvaToHva(uint32_t gva)
{
	/* TODO: outl gva to HC_GVATOHVA */
	(void)gva;
}

uint32_t getTimestamp(void)
{
	/* TODO: inl from HC_GETTIMESTAMP */
	return 0;
}
