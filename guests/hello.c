/* hello.c - the kvm-hello-world guest, built three times: hello-16 (gcc -m16,
 * real mode), hello-32 (gcc -m32, protected mode) and hello-64 (gcc -m64, long
 * mode).  The entry-NN.S file of each width jumps here.
 *
 * It prints "Hello, world!\n" one byte at a time on port 0xE9, stores 42 at
 * physical address 0x400 (4 bytes in the 16/32-bit builds, where long is 32
 * bits; 8 bytes in the 64-bit build), and halts with 42 in EAX/RAX.  If the
 * host resumes it after the HLT it halts again.
 */
#include "guest.h"

void hello_main(void) __attribute__((noreturn, used));

/* OUT: one exit to the host per byte (KVM_EXIT_IO, direction out, size 1). */
static inline void outb(unsigned short port, unsigned char value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

void hello_main(void)
{
	for (const char *p = "Hello, world!\n"; *p; ++p)
		outb(KVMLAB_CONSOLE_PORT, (unsigned char)*p);

	/* Built with --param=min-pagesize=0: gcc 12 would otherwise call this a
	 * NULL-page access and warn (-Warray-bounds). */
	*(volatile long *)KVMLAB_RESULT_ADDR = 42;

	for (;;)
		__asm__ volatile("hlt" : : "a"(42) : "memory");
}
