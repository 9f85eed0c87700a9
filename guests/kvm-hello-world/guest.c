/* guest.c - the long-mode guest of the classic kvm-hello-world assignment,
 * rebuilt the same way: compiled freestanding, linked by guest.ld into a flat
 * binary (OUTPUT_FORMAT(binary)) whose first byte is _start.  Load it at
 * guest physical 0 and start in long mode at RIP 0.
 *
 * It prints "Hello, world!\n" on port 0xE9, stores 42 (8 bytes) at 0x400 and
 * halts with RAX = 42, halting again if resumed.
 */
#include <stdint.h>

static void outb(uint16_t port, uint8_t value)
{
	asm("outb %0,%1" : : "a"(value), "Nd"(port) : "memory");
}

/* Section .start is placed first by guest.ld, so _start is at offset 0. */
void __attribute__((noreturn)) __attribute__((section(".start"))) _start(void)
{
	const char *p;

	for (p = "Hello, world!\n"; *p; ++p)
		outb(0xE9, *p);

	/* --param=min-pagesize=0 keeps gcc 12 from calling this a NULL-page access. */
	*(long *)0x400 = 42;

	for (;;)
		asm("hlt" : : "a"(42) : "memory");
}
