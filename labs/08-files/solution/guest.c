/*
 * guest.c - the guest of file hypercalls (CS695 2020, Part C).  Reference solution.
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
#define HC_FILE 0xF0

struct file_call {
	uint32_t op;
	uint32_t a, b, c;
	int32_t result;
};

enum { FILE_OPEN = 1, FILE_READ, FILE_WRITE, FILE_SEEK, FILE_CLOSE };
enum { OPEN_READ = 0, OPEN_WRITE = 1 };
enum { SEEK_SET_ = 0, SEEK_CUR_ = 1, SEEK_END_ = 2 };

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

static int32_t file_call(uint32_t op, uint32_t a, uint32_t b, uint32_t c)
{
	volatile struct file_call fc = { .op = op, .a = a, .b = b, .c = c, .result = -1 };

	outl(HC_FILE, (uint32_t)(uintptr_t)&fc);
	return fc.result;
}

int HC_fileOpen(const char *path, int write)
{
	return file_call(FILE_OPEN, (uint32_t)(uintptr_t)path, write ? OPEN_WRITE : OPEN_READ, 0);
}

int HC_fileRead(int fd, char *buf, uint32_t len)
{
	return file_call(FILE_READ, (uint32_t)fd, (uint32_t)(uintptr_t)buf, len);
}

int HC_fileWrite(int fd, const char *buf, uint32_t len)
{
	return file_call(FILE_WRITE, (uint32_t)fd, (uint32_t)(uintptr_t)buf, len);
}

int HC_fileSeek(int fd, int32_t off, int whence)
{
	return file_call(FILE_SEEK, (uint32_t)fd, (uint32_t)off, (uint32_t)whence);
}

int HC_fileClose(int fd)
{
	return file_call(FILE_CLOSE, (uint32_t)fd, 0, 0);
}

void
__attribute__((noreturn))
__attribute__((section(".start")))
_start(void)
{
	const char *p;

	for (p = "Hello, files!\n"; *p; ++p)
		HC_print8bit(*p);

	/*----------Don't modify this section. We will use grading script---------*/
	/* the buffer fileRead fills, at guest physical 0x100000 (-l maps the first 2 MiB one
	 * to one): the grader reads it there in the guest's memory when the guest halts */
	char *const buf = (char *)0x100000;
	enum { BUF_SIZE = 128 };
	int in, out, n, bad;

	in = HC_fileOpen("in.txt", 0);
	n = HC_fileRead(in, buf, BUF_SIZE - 1);
	buf[n > 0 ? n : 0] = '\0';
	HC_printStr("in.txt says: ");
	HC_printStr(buf);
	HC_print32bit((uint32_t)n);

	out = HC_fileOpen("out.txt", 1);
	HC_fileWrite(out, "CS695 files\n", 12);
	HC_fileSeek(out, 0, SEEK_SET_);
	HC_fileWrite(out, "cs", 2);
	HC_fileSeek(out, 0, SEEK_END_);
	HC_fileWrite(out, buf, (uint32_t)(n > 0 ? n : 0));
	HC_fileClose(out);
	HC_fileClose(in);

	bad = HC_fileOpen("../escape.txt", 1);
	if (bad < 0)
		HC_printStr("escape refused\n");
	else
		HC_fileClose(bad);
	bad = HC_fileOpen("/tmp/kvmlab-files-escape.txt", 1);
	if (bad < 0)
		HC_printStr("absolute refused\n");
	else
		HC_fileClose(bad);
	/*------------------------------------------------------------------------*/

	*(long *)0x400 = 42;

	for (;;)
		asm("hlt" : /* empty */ : "a"(42) : "memory");
}
