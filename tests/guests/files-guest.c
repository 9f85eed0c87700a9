/* files-guest.c - a C guest for the file hypercalls (kvmlab run --files DIR), ELF64 at 1 MiB.
 *
 * Writes "hello from files-guest\n" to out.txt, seeks to its start, reads it back and
 * prints it on the console (0xE9), then tries to escape the directory ("../escape",
 * created if it could be, and "/etc/passwd"), passes a bad path pointer, closes the
 * file and reads the closed fd. Every result is printed in decimal:
 *
 *   open out.txt: 0
 *   write: 23
 *   seek: 0
 *   read: 23
 *   data: hello from files-guest
 *   open ../escape: -18          (a negative errno: -EXDEV from openat2)
 *   open /etc/passwd: -18
 *   open bad pointer: -14        (-EFAULT)
 *   close: 0
 *   read closed fd: -9           (-EBADF)
 *
 * Without --files every result is -13 (-EACCES). Then [0x400] = 42 and HLT with RAX = 42.
 * Built with -DFILE_PORT_BASE=0x600 it uses ports 0x600..0x604 instead of 0x510..0x514;
 * with -DBAD_BLOCK it ends by passing fileClose an unmapped parameter block (the run stops).
 */
#include <stdint.h>

#include "entry.h"

#define CONSOLE 0xE9
#ifndef FILE_PORT_BASE
#define FILE_PORT_BASE 0x510
#endif
#define FILE_OPEN (FILE_PORT_BASE + 0)
#define FILE_READ (FILE_PORT_BASE + 1)
#define FILE_WRITE (FILE_PORT_BASE + 2)
#define FILE_SEEK (FILE_PORT_BASE + 3)
#define FILE_CLOSE (FILE_PORT_BASE + 4)

struct open_blk { uint32_t path; uint32_t flags; int32_t result; };
struct rw_blk { int32_t fd; uint32_t buf; uint32_t len; int32_t result; };
struct seek_blk { int32_t fd; int32_t offset; uint32_t whence; int32_t result; };
struct close_blk { int32_t fd; int32_t result; };

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* OUT the block's address; "memory": the block is written before and read after. */
static inline void call(uint16_t port, void *blk)
{
	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)(uintptr_t)blk), "Nd"(port) : "memory");
}

static char buf[64];

static void say(const char *s)
{
	while (*s)
		outb(CONSOLE, (uint8_t)*s++);
}

static void say_int(const char *what, int32_t v)
{
	char d[12];
	int n = 0;
	uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;

	say(what);
	say(": ");
	if (v < 0)
		outb(CONSOLE, '-');
	do
		d[n++] = (char)('0' + u % 10);
	while (u /= 10);
	while (n)
		outb(CONSOLE, (uint8_t)d[--n]);
	outb(CONSOLE, '\n');
}

static int32_t file_open(const char *path, uint32_t flags)
{
	struct open_blk b = { (uint32_t)(uintptr_t)path, flags, 1 };

	call(FILE_OPEN, &b);
	return b.result;
}

static int32_t file_rw(uint16_t port, int32_t fd, void *p, uint32_t len)
{
	struct rw_blk b = { fd, (uint32_t)(uintptr_t)p, len, 1 };

	call(port, &b);
	return b.result;
}

int cmain(void);

int cmain(void)
{
	static const char text[] = "hello from files-guest\n";
	struct seek_blk s;
	struct close_blk c;
	int32_t fd, n;

	fd = file_open("out.txt", 1);
	say_int("open out.txt", fd);
	say_int("write", file_rw(FILE_WRITE, fd, (void *)text, sizeof(text) - 1));
	s = (struct seek_blk){ fd, 0, 0, 1 };
	call(FILE_SEEK, &s);
	say_int("seek", s.result);
	n = file_rw(FILE_READ, fd, buf, sizeof(buf) - 1);
	say_int("read", n);
	if (n > 0) {
		buf[n] = '\0';
		say("data: ");
		say(buf);
	}
	say_int("open ../escape", file_open("../escape", 1));
	say_int("open /etc/passwd", file_open("/etc/passwd", 0));
	say_int("open bad pointer", file_open((const char *)(uintptr_t)0xfff00000u, 0));
	c = (struct close_blk){ fd, 1 };
	call(FILE_CLOSE, &c);
	say_int("close", c.result);
	say_int("read closed fd", file_rw(FILE_READ, fd, buf, 4));
#ifdef BAD_BLOCK
	call(FILE_CLOSE, (void *)(uintptr_t)0xfff00000u);
	say("still running after a bad block\n");
#endif
	*(volatile uint32_t *)0x400 = 42;
	return 42;
}
