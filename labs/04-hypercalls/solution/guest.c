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

void print8(uint8_t c)
{
	outb(HC_PRINT8, c);
}

void print32(uint32_t value)
{
	outl(HC_PRINT32, value);
}

void printStr(const char *s)
{
	outl(HC_PRINTSTR, (uint32_t)(uintptr_t)s);   /* one exit for the whole string */
}

uint32_t numExits(void)
{
	return inl(HC_NUMEXITS);
}

char *numExitsByType(void)
{
	static char buf[64];

	outl(HC_NUMEXITSBYTYPE, (uint32_t)(uintptr_t)buf);
	return buf;
}

void gvaToHva(uint32_t gva)
{
	outl(HC_GVATOHVA, gva);
}

uint32_t getTimestamp(void)
{
	return inl(HC_GETTIMESTAMP);
}
