/* guest.c - reference solution: the guest-side hypercall wrappers. */
#include "hypercalls.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
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
	outl(HC_PRINTSTR, (uint32_t)(uintptr_t)str);   /* one exit for the whole string */
}

uint32_t HC_numExits(void)
{
	return inl(HC_NUMEXITS);
}

char *HC_numExitsByType(void)
{
	static char buf[2][64];
	static int next;
	char *b = buf[next];

	next ^= 1;   /* the fixed block prints two answers at the end */
	outl(HC_NUMEXITSBYTYPE, (uint32_t)(uintptr_t)b);
	return b;
}

uint32_t HC_gvaToHva(uint32_t gva)
{
	outl(HC_GVATOHVA, gva);
	return inl(HC_GVATOHVA);
}

uint32_t HC_getTimestamp(void)
{
	return inl(HC_GETTIMESTAMP);
}
