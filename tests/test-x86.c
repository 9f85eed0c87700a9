/* test-x86.c - vmm/x86.h: bit names, segment descriptors, SEG:OFF -> linear. */
#include <errno.h>

#include "testkit.h"
#include "x86.h"

static void test_bits(void)
{
	char buf[128];

	CHECK_EQ(X86_CR0(PG), 0x80000000ull);
	CHECK_EQ(X86_CR4(LA57), 0x1000);
	CHECK_EQ(X86_EFER(LMA), 0x400);
	CHECK_EQ(X86_RFLAGS(TF), 0x100);
	CHECK_EQ(X86_PTE(NX), 0x8000000000000000ull);
	x86_bits_text(0x80000011, x86_cr0_bits, buf, sizeof(buf));
	CHECK_STR(buf, "PE ET PG");
	x86_bits_text(0x20, x86_cr4_bits, buf, sizeof(buf));
	CHECK_STR(buf, "PAE");
	x86_bits_text(0x500, x86_efer_bits, buf, sizeof(buf));
	CHECK_STR(buf, "LME LMA");
	x86_bits_text(0x246, x86_rflags_bits, buf, sizeof(buf));
	CHECK_STR(buf, "PF ZF IF");
	x86_bits_text(0, x86_cr0_bits, buf, sizeof(buf));
	CHECK_STR(buf, "");
	x86_bits_text(0x80000011, x86_cr0_bits, buf, 6);    /* whole names only */
	CHECK_STR(buf, "PE ET");
	CHECK_EQ(x86_bits_text(0x80000011, x86_cr0_bits, buf, 0), 0);
	x86_bits_text(0x80000000000011e3ull, x86_pte_bits, buf, sizeof(buf));
	CHECK_STR(buf, "P RW A D PS G PAT NX");
	x86_bits_text(0x80000000000000e3ull, x86_pte_bits_pt, buf, sizeof(buf));
	CHECK_STR(buf, "P RW A D PAT NX");
}

static void test_descriptors(void)
{
	struct kvm_segment code32 = { .limit = 0xffffffff, .selector = 8, .type = 11, .present = 1,
				      .db = 1, .s = 1, .g = 1 };
	struct kvm_segment code64 = code32, data = code32, odd, back;

	code64.db = 0;
	code64.l = 1;
	data.type = 3;
	CHECK_EQ(x86_desc_pack(&code32), 0x00cf9b000000ffffull);
	CHECK_EQ(x86_desc_pack(&code64), 0x00af9b000000ffffull);
	CHECK_EQ(x86_desc_pack(&data), 0x00cf93000000ffffull);
	CHECK_EQ(x86_seg_attr(&code32), 0xc09b);
	CHECK_EQ(x86_seg_attr(&code64), 0xa09b);

	/* a byte-granular 16-bit data segment with every base byte distinct, DPL 3 */
	odd = (struct kvm_segment){ .base = 0x12345678, .limit = 0xabcde, .selector = 0x2b, .type = 2,
				    .present = 1, .dpl = 3, .s = 1, .avl = 1 };
	CHECK_EQ(x86_desc_pack(&odd), 0x121af2345678bcdeull);
	back = x86_desc_unpack(x86_desc_pack(&odd), 0x2b);
	CHECK_EQ(back.base, 0x12345678);
	CHECK_EQ(back.limit, 0xabcde);
	CHECK_EQ(back.selector, 0x2b);
	CHECK_EQ(back.type, 2);
	CHECK_EQ(back.dpl, 3);
	CHECK_EQ(back.avl, 1);
	CHECK_EQ(back.g, 0);
	CHECK_EQ(back.db, 0);
	CHECK(back.present && !back.unusable);
	back = x86_desc_unpack(0x00cf9b000000ffffull, 8);
	CHECK_EQ(back.limit, 0xffffffff);
	CHECK(back.g && back.db && !back.l && back.s && back.type == 11);
	back = x86_desc_unpack(0x00cf1b000000ffffull, 8);   /* P clear */
	CHECK(!back.present && back.unusable);
}

static void test_segments(void)
{
	struct kvm_sregs s = { 0 };
	enum x86_seg seg = X86_SEG__COUNT;

	CHECK_EQ(x86_seg_parse("ds", 2, &seg), 0);
	CHECK_EQ(seg, X86_SEG_DS);
	CHECK_EQ(x86_seg_parse("GS:10", 2, &seg), 0);
	CHECK_EQ(seg, X86_SEG_GS);
	CHECK_EQ(x86_seg_parse("d", 1, &seg), -EINVAL);
	CHECK_EQ(x86_seg_parse("dss", 3, &seg), -EINVAL);
	CHECK_EQ(x86_seg_parse("xs", 2, &seg), -EINVAL);
	for (int i = 0; i < X86_SEG__COUNT; i++) {
		CHECK_EQ(x86_seg_parse(x86_seg_name((enum x86_seg)i), 2, &seg), 0);
		CHECK_EQ(seg, i);
	}
	CHECK_STR(x86_seg_name(X86_SEG__COUNT), "?");

	s.es.base = 0x100;
	s.cs.base = 0x200;
	s.ss.base = 0x300;
	s.ds.base = 0x400;
	s.fs.base = 0x500;
	s.gs.base = 0x600;
	CHECK(x86_seg(&s, X86_SEG_SS) == &s.ss);
	CHECK(x86_seg(&s, X86_SEG_ES) == &s.es);
	CHECK(!x86_code64(&s));
	for (int i = 0; i < X86_SEG__COUNT; i++)
		CHECK_EQ(x86_linear(&s, (enum x86_seg)i, 0x10), 0x100 * (i + 1) + 0x10);
	s.cs.l = 1;                /* L without LMA: still not 64-bit mode */
	CHECK(!x86_code64(&s));
	CHECK_EQ(x86_linear(&s, X86_SEG_CS, 0x10), 0x210);
	s.efer = X86_EFER(LME) | X86_EFER(LMA);
	CHECK(x86_code64(&s));
	CHECK_EQ(x86_linear(&s, X86_SEG_CS, 0x10), 0x10);
	CHECK_EQ(x86_linear(&s, X86_SEG_DS, 0x10), 0x10);
	CHECK_EQ(x86_linear(&s, X86_SEG_ES, 0x10), 0x10);
	CHECK_EQ(x86_linear(&s, X86_SEG_SS, 0x10), 0x10);
	CHECK_EQ(x86_linear(&s, X86_SEG_FS, 0x10), 0x510);
	CHECK_EQ(x86_linear(&s, X86_SEG_GS, 0x10), 0x610);
	s.cs.l = 0;                /* compatibility mode: bases count again */
	CHECK_EQ(x86_linear(&s, X86_SEG_DS, 0x10), 0x410);
}

/* Valid offsets: 0..limit, except expand-down data segments (SDM Vol. 3A 5.3). */
static void test_seg_range(void)
{
	struct kvm_segment up = { .limit = 0xfff, .type = 3, .s = 1, .present = 1 };
	struct kvm_segment down = { .limit = 0xfff, .type = 7, .s = 1, .present = 1, .db = 1 };
	struct kvm_segment code = { .limit = 0xffff, .type = 0xf, .s = 1, .present = 1 };
	uint64_t lo, hi;

	CHECK(x86_seg_range(&up, &lo, &hi) && lo == 0 && hi == 0xfff);
	CHECK(x86_seg_range(&down, &lo, &hi) && lo == 0x1000 && hi == 0xffffffff);
	down.db = 0;
	CHECK(x86_seg_range(&down, &lo, &hi) && lo == 0x1000 && hi == 0xffff);
	down.limit = 0xffff;
	CHECK(!x86_seg_range(&down, &lo, &hi));
	CHECK(x86_seg_range(&code, &lo, &hi) && lo == 0 && hi == 0xffff);  /* conforming code: not expand-down */
}

int main(void)
{
	test_bits();
	test_descriptors();
	test_segments();
	test_seg_range();
	return check_summary();
}
