/* guest.c - the guest side of each hypercall (04-hypercalls).
 *
 * Each wrapper talks to the hypervisor through its I/O port (hypercalls.h; the
 * names are the course's).  HC_print8bit is done for you; write the others.
 * Do not change fixed.c: the grader uses its own copy.
 */
#include "hypercalls.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

void HC_print8bit(uint8_t val)
{
	outb(HC_PRINT8, val);
}

void HC_print32bit(uint32_t val)
{
	/* TODO: one 32-bit OUT (outl) of val to HC_PRINT32 */
	(void)val;
}

void HC_printStr(char *str)
{
	/* TODO: pass the string's address (one outl to HC_PRINTSTR: one exit in all) */
	(void)str;
}

uint32_t HC_numExits(void)
{
	/* TODO: one 32-bit IN (inl) from HC_NUMEXITS */
	return 0;
}

char *HC_numExitsByType(void)
{
	/* TODO (2024 edition): give the host a buffer's address (outl to HC_NUMEXITSBYTYPE)
	 * and return it; the fixed block keeps two answers, so use two buffers in turn */
	return "";
}

uint32_t HC_gvaToHva(uint32_t gva)
{
	/* TODO: outl gva to HC_GVATOHVA, then inl the answer from the same port */
	(void)gva;
	return 0;
}

uint32_t HC_getTimestamp(void)
{
	/* TODO: one inl from HC_GETTIMESTAMP */
	return 0;
}
