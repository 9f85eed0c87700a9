/* test-size.c - vmm_parse_size, the parser behind --mem: units, bases, and everything it must refuse. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "testkit.h"
#include "vm.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aull

#define CHECK_SIZE(text, expected)                                                        \
	do {                                                                               \
		uint64_t v_ = SENTINEL;                                                    \
		CHECK_EQ(vmm_parse_size((text), &v_), 0);                                  \
		CHECK_EQ(v_, (expected));                                                  \
	} while (0)

/* Refused with -EINVAL, and *out left alone. */
#define CHECK_BAD(text)                                                                   \
	do {                                                                               \
		uint64_t v_ = SENTINEL;                                                    \
		CHECK_EQ(vmm_parse_size((text), &v_), (unsigned long long)(long long)-EINVAL); \
		CHECK_EQ(v_, SENTINEL);                                                    \
	} while (0)

static void test_good(void)
{
	CHECK_SIZE("2M", 2ull << 20);
	CHECK_SIZE("512K", 512ull << 10);
	CHECK_SIZE("1G", 1ull << 30);
	CHECK_SIZE("4096", 4096);
	CHECK_SIZE("0x10000", 0x10000);
	CHECK_SIZE("0X10000", 0x10000);
	CHECK_SIZE("0x100K", 0x100ull << 10);
	CHECK_SIZE("64K", 65536);
	CHECK_SIZE("4G", 4ull << 30);
	/* Unit letters in either case, with an optional "i" and "B". */
	CHECK_SIZE("2m", 2ull << 20);
	CHECK_SIZE("512k", 512ull << 10);
	CHECK_SIZE("1g", 1ull << 30);
	CHECK_SIZE("2MiB", 2ull << 20);
	CHECK_SIZE("2MB", 2ull << 20);
	CHECK_SIZE("2Mi", 2ull << 20);
	CHECK_SIZE("16KiB", 16ull << 10);
	/* Zero parses (it is a number); vmm_vm_create is the one that refuses it. */
	CHECK_SIZE("0", 0);
	/* Boundaries of 64 bits. */
	CHECK_SIZE("18446744073709551615", UINT64_MAX);
	CHECK_SIZE("17179869183G", 17179869183ull << 30);
}

static void test_bad(void)
{
	uint64_t v = SENTINEL;

	CHECK_BAD("");
	CHECK_BAD("abc");
	CHECK_BAD("lots");
	CHECK_BAD("2X");
	CHECK_BAD("2T");            /* no tera: guest memory stops at 4G anyway */
	CHECK_BAD("-1");
	CHECK_BAD("-2M");
	CHECK_BAD("+2M");
	CHECK_BAD(" 2M");
	CHECK_BAD("2M ");
	CHECK_BAD("2 M");
	CHECK_BAD("2MM");
	CHECK_BAD("2KB0");
	CHECK_BAD("2iB");           /* "i" and "B" only after a unit */
	CHECK_BAD("4096B");
	CHECK_BAD("0x");
	CHECK_BAD("0xZ");
	CHECK_BAD("1.5M");
	CHECK_BAD("M");
	CHECK_BAD("K2");
	/* Overflow: the number itself, and the number times its unit. */
	CHECK_BAD("18446744073709551616");
	CHECK_BAD("99999999999999999999999999");
	CHECK_BAD("17179869184G");
	CHECK_BAD("18014398509481984K");
	CHECK_BAD("0xffffffffffffffffK");
	/* No text at all. */
	CHECK_EQ(vmm_parse_size(NULL, &v), (unsigned long long)(long long)-EINVAL);
	CHECK_EQ(v, SENTINEL);
}

int main(void)
{
	test_good();
	test_bad();
	return check_summary();
}
