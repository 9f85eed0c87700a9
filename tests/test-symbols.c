/* test-symbols.c - symbols and source lines of the real built guests (GUESTS_DIR), checked
 * against what the guests' own bytes and sources say: the call at hello-64's entry goes to
 * hello_main, its OUT instruction is on the source line of the outb() asm, boot's far jump goes
 * to long_mode.  Damaged and foreign files are read without harm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols.h"
#include "testkit.h"

static const char *guests_dir, *src_dir;
static char tmpdir[256];

static void die(const char *msg)
{
	fprintf(stderr, "test-symbols: %s\n", msg);
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0)
		die("cannot read a guest or source file (are GUESTS_DIR and GUESTS_SRC right?)");
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read a file");
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static void guest(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", guests_dir, name);
}

/* The 1-based number of the first line of guests/<file> containing text. */
static unsigned source_line(const char *file, const char *text)
{
	char path[512];
	size_t len;
	char *src, *hit;
	unsigned line = 1;

	snprintf(path, sizeof(path), "%s/%s", src_dir, file);
	src = (char *)read_file(path, &len);
	hit = strstr(src, text);
	if (!hit)
		die("a source line the test looks for is gone");
	for (char *p = src; p < hit; p++)
		line += *p == '\n';
	free(src);
	return line;
}

/* The file offset of linear address addr in an ELF guest linked at 0x1000 (guests/guest.ld puts
 * .text at file offset 0x1000 too: checked by the caller through the entry's bytes). */
static const uint8_t *text_at(const uint8_t *elf, size_t len, uint64_t addr)
{
	return addr < len ? elf + addr : NULL;
}

static void test_hello(void)
{
	struct symbols s;
	char path[512], buf[256];
	uint64_t main_addr = 0, start = 0, off;
	const uint8_t *elf, *p;
	const char *file;
	unsigned line;
	size_t len;
	int32_t rel;

	guest("hello-64", path, sizeof(path));
	elf = read_file(path, &len);
	CHECK_EQ(symbols_load(&s, path), 0);
	CHECK(symbols_any(&s));
	CHECK_EQ(symbols_lookup(&s, "_start", 6, &start), 0);
	CHECK_EQ(start, 0x1000);
	CHECK_EQ(symbols_lookup(&s, "hello_main", 10, &main_addr), 0);
	/* entry-64.S: the first instruction is "call hello_main" (e8 rel32) */
	p = text_at(elf, len, start);
	CHECK(p && p[0] == 0xe8);
	if (p && p[0] == 0xe8) {
		memcpy(&rel, p + 1, 4);
		CHECK_EQ(main_addr, start + 5 + (uint64_t)(int64_t)rel);
	}
	CHECK_EQ(symbols_lookup(&s, "hello_mai", 9, &off), -ENOENT);
	CHECK_EQ(symbols_lookup(&s, "hello_main_", 11, &off), -ENOENT);
	CHECK_EQ(symbols_label(&s, main_addr, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "hello_main");
	CHECK_EQ(symbols_label(&s, main_addr + 3, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "hello_main+0x3");
	CHECK_EQ(symbols_label(&s, start + 1, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "_start+0x1");
	CHECK_EQ(symbols_label(&s, 0x800, buf, sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "");
	CHECK_EQ(symbols_label(&s, 0x100000, buf, sizeof(buf)), -ENOENT);
	CHECK(symbols_find(&s, 0x1fffff, &off) == NULL);

	/* typed addresses */
	CHECK_EQ(symbols_parse(&s, "hello_main", 10, &off), 0);
	CHECK_EQ(off, main_addr);
	CHECK_EQ(symbols_parse(&s, "hello_main+0x10", 15, &off), 0);
	CHECK_EQ(off, main_addr + 16);
	CHECK_EQ(symbols_parse(&s, "hello_main+16", 13, &off), 0);
	CHECK_EQ(off, main_addr + 16);
	CHECK_EQ(symbols_parse(&s, "hello_main-8", 12, &off), 0);
	CHECK_EQ(off, main_addr - 8);
	CHECK_EQ(symbols_parse(&s, "hello_main+zz", 13, &off), -EINVAL);
	CHECK_EQ(symbols_parse(&s, "hello_main+", 11, &off), -EINVAL);
	CHECK_EQ(symbols_parse(&s, "hello_main+-1", 13, &off), -EINVAL);
	CHECK_EQ(symbols_parse(&s, "nosuch", 6, &off), -ENOENT);
	CHECK_EQ(symbols_parse(&s, "0x1000", 6, &off), -EINVAL);
	CHECK(symbols_is_name("_start") && symbols_is_name(".Lx") && !symbols_is_name("1000"));

	/* hello.c: the OUT instruction (e6 e9: out 0xe9, al) comes from the outb() asm line */
	p = NULL;
	for (uint64_t a = main_addr; a + 1 < len && a < main_addr + 0x40; a++)
		if (elf[a] == 0xe6 && elf[a + 1] == 0xe9) {
			p = elf + a;
			break;
		}
	CHECK(p != NULL);
	if (p) {
		uint64_t out = (uint64_t)(p - elf);

		CHECK_EQ(symbols_line(&s, out, &file, &line), 0);
		CHECK(strlen(file) > 15 && strcmp(file + strlen(file) - 15, "/guests/hello.c") == 0);
		CHECK_EQ(line, source_line("hello.c", "__asm__ volatile(\"outb %0, %1\""));
		CHECK_EQ(symbols_where(&s, out, buf, sizeof(buf)), 0);
		snprintf(path, sizeof(path), "hello.c:%u", line);
		CHECK_STR(buf, path);
		CHECK_EQ(symbols_source(&s, file, line, buf, sizeof(buf)), 0);
		CHECK_STR(buf, "__asm__ volatile(\"outb %0, %1\" : : \"a\"(value), \"Nd\"(port) : \"memory\");");
		CHECK_EQ(symbols_source(&s, file, 100000, buf, sizeof(buf)), -ENOENT);
		/* a small buffer gets a cut, terminated line */
		CHECK_EQ(symbols_source(&s, file, line, buf, 8), 0);
		CHECK_STR(buf, "__asm__");
	}
	/* the entry's line is in entry-64.S; nothing below the image */
	CHECK_EQ(symbols_where(&s, start, buf, sizeof(buf)), 0);
	CHECK_CONTAINS(buf, "entry-64.S:");
	CHECK_EQ(symbols_line(&s, 0x10, &file, &line), -ENOENT);
	/* a source path without a source suffix is never read */
	CHECK_EQ(symbols_source(&s, "/etc/passwd", 1, buf, sizeof(buf)), -ENOENT);
	symbols_free(&s);
	free((void *)elf);
}

static void test_boot(void)
{
	struct symbols s;
	char path[512], buf[256];
	uint64_t lm, gdt_end, pm;
	const char *file;
	unsigned line;

	guest("boot", path, sizeof(path));
	CHECK_EQ(symbols_load(&s, path), 0);
	CHECK_EQ(symbols_lookup(&s, "long_mode", 9, &lm), 0);
	CHECK_EQ(symbols_lookup(&s, "protected_mode", 14, &pm), 0);
	CHECK(pm > 0x1000 && lm > pm);
	/* the first line at a label is the instruction after it in boot.S */
	CHECK_EQ(symbols_line(&s, lm, &file, &line), 0);
	CHECK(line > source_line("boot.S", "\nlong_mode:") && line < source_line("boot.S", "\nlong_mode:") + 6);
	CHECK_EQ(symbols_source(&s, file, line, buf, sizeof(buf)), 0);
	CHECK(strstr(buf, "mov") == buf);
	/* gdt_end and gdt_descriptor share an address: the one that starts something is shown */
	CHECK_EQ(symbols_lookup(&s, "gdt_end", 7, &gdt_end), 0);
	CHECK_EQ(symbols_label(&s, gdt_end, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "gdt_descriptor");
	/* a label without a size runs up to the next one */
	CHECK_EQ(symbols_label(&s, lm - 1, buf, sizeof(buf)), 0);
	CHECK(strncmp(buf, "protected_mode+0x", 17) == 0);
	symbols_free(&s);
}

/* A C guest of the tests (tests/guests/c-guest.c, linked at 0x100000): lines for its C code. */
static void test_c_guest(void)
{
	struct symbols s;
	char path[512], buf[256];
	uint64_t a;

	snprintf(path, sizeof(path), "%s/c-guest-64", getenv("TEST_GUESTS_DIR") ? getenv("TEST_GUESTS_DIR") : ".");
	if (access(path, R_OK) != 0)
		return;
	CHECK_EQ(symbols_load(&s, path), 0);
	CHECK_EQ(symbols_lookup(&s, "cmain", 5, &a), 0);
	CHECK(a >= 0x100000);
	CHECK_EQ(symbols_where(&s, a, buf, sizeof(buf)), 0);
	CHECK_CONTAINS(buf, "c-guest.c:");
	symbols_free(&s);
}

static void test_not_elf(void)
{
	struct symbols s;
	char path[512];
	uint64_t a;

	guest("hello-flat-64.bin", path, sizeof(path));
	CHECK_EQ(symbols_load(&s, path), 0);  /* a flat binary: nothing to name */
	CHECK(!symbols_any(&s));
	CHECK_EQ(symbols_lookup(&s, "hello_main", 10, &a), -ENOENT);
	symbols_free(&s);
	CHECK(!symbols_any(NULL));
	CHECK_EQ(symbols_load(&s, "/nonexistent/kvmlab-guest"), -ENOENT);
	CHECK_EQ(symbols_load(&s, "/"), -EINVAL);
}

/* Cut and damaged copies of a guest: loading returns 0 or -errno, never crashes (run under
 * AddressSanitizer in CI), and lookups stay inside what was loaded. */
static void test_damaged(void)
{
	char path[512], copy[600], buf[256];
	uint8_t *elf;
	size_t len;
	unsigned seed = 12345;

	guest("hello-64", path, sizeof(path));
	elf = read_file(path, &len);
	snprintf(copy, sizeof(copy), "%s/damaged", tmpdir);
	for (int round = 0; round < 300; round++) {
		uint8_t *d = malloc(len);
		size_t n = len;
		struct symbols s;
		FILE *f;
		int ret;

		memcpy(d, elf, len);
		if (round < 100) {
			n = len * (size_t)round / 100;
		} else {
			for (int k = 0; k < 1 + round % 16; k++) {
				seed = seed * 1103515245u + 12345u;
				d[(seed >> 8) % len] = (uint8_t)(seed >> 20);
			}
		}
		f = fopen(copy, "wb");
		if (!f || fwrite(d, 1, n, f) != n)
			die("cannot write a temporary file");
		fclose(f);
		ret = symbols_load(&s, copy);
		CHECK(ret == 0 || (ret < 0 && ret > -4096));
		if (ret == 0) {
			const char *file;
			unsigned line;
			uint64_t a;

			for (uint64_t x = 0xff0; x < 0x1050; x++) {
				symbols_label(&s, x, buf, sizeof(buf));
				if (symbols_line(&s, x, &file, &line) == 0)
					symbols_source(&s, file, line, buf, sizeof(buf));
			}
			symbols_lookup(&s, "hello_main", 10, &a);
			symbols_free(&s);
		}
		free(d);
	}
	unlink(copy);
	free(elf);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	guests_dir = getenv("GUESTS_DIR");
	src_dir = getenv("GUESTS_SRC");
	if (!guests_dir || !*guests_dir || !src_dir || !*src_dir)
		die("GUESTS_DIR and GUESTS_SRC must be set (meson test sets them)");
	snprintf(tmpdir, sizeof(tmpdir), "%s/kvmlab-test-symbols-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		die("cannot make a temporary folder");
	test_hello();
	test_boot();
	test_c_guest();
	test_not_elf();
	test_damaged();
	rmdir(tmpdir);
	return check_summary();
}
