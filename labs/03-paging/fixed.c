/* fixed.c - the fixed part of 03-paging (do not change: the grader builds this copy). */
#include "guest.h"
#include "paging.h"

void lab03_main(void);

static void putc_console(char c)
{
	__asm__ volatile("outb %0, %1" : : "a"(c), "Nd"((uint16_t)KVMLAB_CONSOLE_PORT));
}

static void puts_console(const char *s)
{
	while (*s)
		putc_console(*s++);
}

/* Print the 8 bytes at virtual address va. */
static void put8(uint64_t va)
{
	const volatile char *p = (const volatile char *)va;

	for (int i = 0; i < 8; i++)
		putc_console(p[i]);
}

static void copy8(uint64_t va, const char *s)
{
	volatile char *p = (volatile char *)va;

	for (int i = 0; i < 8; i++)
		p[i] = s[i];
}

void lab03_main(void)
{
	/* kvmlab's identity map is still active: virtual 0x201000 is physical
	 * 0x201000.  Leave a message there for the read-only mapping to show. */
	copy8(PA_RO, "readonly");

	setup_paging();

	puts_console("0x600000 reads: ");
	put8(VA_RO);              /* through your read-only mapping: physical 0x201000 */
	puts_console("\n");

	copy8(VA_RW, "kvmlab03"); /* through your writable mapping: lands at physical 0x200000 */
	puts_console("0x400000 reads back: ");
	put8(VA_RW);
	puts_console("\n");
}
