/* x86.h - the architectural bits kvmlab reads and writes, declared once: CR0, CR4, EFER,
 * RFLAGS and page-table-entry bits (masks and names from one list each), segment descriptors,
 * and SEG:OFF -> linear. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(name, bit) for every bit kvmlab names, in bit order. */
#define X86_CR0_LIST(X) X(PE, 0) X(MP, 1) X(EM, 2) X(TS, 3) X(ET, 4) X(NE, 5) X(WP, 16) \
	X(AM, 18) X(NW, 29) X(CD, 30) X(PG, 31)
#define X86_CR4_LIST(X) X(VME, 0) X(PVI, 1) X(TSD, 2) X(DE, 3) X(PSE, 4) X(PAE, 5) X(MCE, 6) \
	X(PGE, 7) X(PCE, 8) X(OSFXSR, 9) X(OSXMMEXCPT, 10) X(UMIP, 11) X(LA57, 12) X(VMXE, 13) \
	X(SMXE, 14) X(FSGSBASE, 16) X(PCIDE, 17) X(OSXSAVE, 18) X(SMEP, 20) X(SMAP, 21) X(PKE, 22) \
	X(CET, 23)
#define X86_EFER_LIST(X) X(SCE, 0) X(LME, 8) X(LMA, 10) X(NXE, 11) X(SVME, 12) X(LMSLE, 13) \
	X(FFXSR, 14) X(TCE, 15)
#define X86_RFLAGS_LIST(X) X(CF, 0) X(PF, 2) X(AF, 4) X(ZF, 6) X(SF, 7) X(TF, 8) X(IF, 9) \
	X(DF, 10) X(OF, 11) X(NT, 14) X(RF, 16) X(VM, 17) X(AC, 18) X(VIF, 19) X(VIP, 20) X(ID, 21)
/* Paging-structure entries; bit 7 is PAT (not PS) in a last-level PT entry, bit 12 PAT in a
 * large-page entry. */
#define X86_PTE_LIST(X) X(P, 0) X(RW, 1) X(US, 2) X(PWT, 3) X(PCD, 4) X(A, 5) X(D, 6) X(PS, 7) \
	X(G, 8) X(PAT, 12) X(NX, 63)

#define X86_BIT_ENUM_CR0(n, b) X86_CR0_BIT_##n = (b),
#define X86_BIT_ENUM_CR4(n, b) X86_CR4_BIT_##n = (b),
#define X86_BIT_ENUM_EFER(n, b) X86_EFER_BIT_##n = (b),
#define X86_BIT_ENUM_RFLAGS(n, b) X86_RFLAGS_BIT_##n = (b),
#define X86_BIT_ENUM_PTE(n, b) X86_PTE_BIT_##n = (b),
enum { X86_CR0_LIST(X86_BIT_ENUM_CR0) };
enum { X86_CR4_LIST(X86_BIT_ENUM_CR4) };
enum { X86_EFER_LIST(X86_BIT_ENUM_EFER) };
enum { X86_RFLAGS_LIST(X86_BIT_ENUM_RFLAGS) };
enum { X86_PTE_LIST(X86_BIT_ENUM_PTE) };

/* Masks: X86_CR0(PG) is 1ull << 31, X86_EFER(LMA) 1ull << 10, X86_PTE(NX) 1ull << 63. */
#define X86_CR0(n) (1ull << X86_CR0_BIT_##n)
#define X86_CR4(n) (1ull << X86_CR4_BIT_##n)
#define X86_EFER(n) (1ull << X86_EFER_BIT_##n)
#define X86_RFLAGS(n) (1ull << X86_RFLAGS_BIT_##n)
#define X86_PTE(n) (1ull << X86_PTE_BIT_##n)

/* RFLAGS bit 1 reads as 1 always. */
#define X86_RFLAGS_FIXED 0x2ull

/* A named bit; tables end with a NULL name. */
struct x86_bit {
	uint8_t bit;
	const char *name;
};

extern const struct x86_bit x86_cr0_bits[], x86_cr4_bits[], x86_efer_bits[], x86_rflags_bits[],
	x86_pte_bits[], x86_pte_bits_pt[];

/* Names of the set bits of v from table t, space-separated ("PE ET PG"), whole names only;
 * the length written (NUL-terminated when len > 0). */
size_t x86_bits_text(uint64_t v, const struct x86_bit *t, char *buf, size_t len);

/* Segment descriptor type field (S = 1): code or data, and what each may do. */
#define X86_SEG_TYPE_ACCESSED 0x1u
#define X86_SEG_TYPE_RW 0x2u        /* code: readable; data: writable */
#define X86_SEG_TYPE_DC 0x4u        /* code: conforming; data: expands down */
#define X86_SEG_TYPE_CODE 0x8u

/* The 8-byte GDT/LDT descriptor that loads as s (base, limit, type, S, DPL, P, AVL, L, D/B, G). */
uint64_t x86_desc_pack(const struct kvm_segment *s);

/* The segment register a descriptor d loads with selector sel (the inverse of x86_desc_pack). */
struct kvm_segment x86_desc_unpack(uint64_t d, uint16_t sel);

/* The access-rights word: descriptor bits 40..55 without limit 19:16 (0xc09b: a 32-bit code segment). */
unsigned x86_seg_attr(const struct kvm_segment *s);

/* Segment registers in hardware order (the sreg field of an instruction). */
enum x86_seg { X86_SEG_ES, X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_FS, X86_SEG_GS, X86_SEG__COUNT };

/* "es", "cs", "ss", "ds", "fs", "gs". */
const char *x86_seg_name(enum x86_seg seg);

/* The segment register named by the n characters at name (any case); -EINVAL if none. */
int x86_seg_parse(const char *name, size_t n, enum x86_seg *out);

/* The state of one segment register. */
const struct kvm_segment *x86_seg(const struct kvm_sregs *s, enum x86_seg seg);

/* The offsets segment s allows, lo..hi (SDM Vol. 3A 5.3): 0..limit, but for an expand-down data
 * segment limit+1 .. 0xFFFF (B = 0) or 0xFFFFFFFF (B = 1). False when no offset is valid. */
bool x86_seg_range(const struct kvm_segment *s, uint64_t *lo, uint64_t *hi);

/* True in 64-bit mode (EFER.LMA and CS.L), where only the FS and GS bases count. */
bool x86_code64(const struct kvm_sregs *s);

/* The base a segment adds to an offset: 0 for ES/CS/SS/DS in 64-bit mode. */
uint64_t x86_seg_base(const struct kvm_sregs *s, enum x86_seg seg);

/* SEG:OFF -> linear address: the segment's base (as x86_seg_base) plus off. */
uint64_t x86_linear(const struct kvm_sregs *s, enum x86_seg seg, uint64_t off);
