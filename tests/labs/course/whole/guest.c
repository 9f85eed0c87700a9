/* guest.c - string I/O and a shared port, for the whole-exit lab (test-course.sh). */
#include <stdint.h>

void fixed_block(void);

static void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

void fixed_block(void)
{
	static const char text[] = "kvmlb";
	static uint32_t got[3];
	const char *src = text;
	uint32_t *dst = got;
	uint64_t n = 5;

	__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"((uint16_t)0x600) : "memory");
	outl(0x600, 0x12345678);
	outl(0x600, inl(0x601));   /* the handler prints what the guest read */
	n = 3;
	__asm__ volatile("rep insl" : "+D"(dst), "+c"(n) : "d"((uint16_t)0x601) : "memory");
	for (int i = 0; i < 3; i++)
		outl(0x600, got[i]);
}
