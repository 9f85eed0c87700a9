/* x86.c - bit names, segment descriptors and segmented addresses (see x86.h). */
#include "x86.h"

#include <errno.h>
#include <stdio.h>
#include <strings.h>

#define X86_NAME(n, b) { (b), #n },
/* In a last-level PT entry bit 7 is PAT; bit 12 then is an ordinary address bit. */
#define X86_NAME_PT(n, b) { (b), (b) == 7 ? "PAT" : #n },

const struct x86_bit x86_cr0_bits[] = { X86_CR0_LIST(X86_NAME) { 0, NULL } };
const struct x86_bit x86_cr4_bits[] = { X86_CR4_LIST(X86_NAME) { 0, NULL } };
const struct x86_bit x86_efer_bits[] = { X86_EFER_LIST(X86_NAME) { 0, NULL } };
const struct x86_bit x86_rflags_bits[] = { X86_RFLAGS_LIST(X86_NAME) { 0, NULL } };
const struct x86_bit x86_pte_bits[] = { X86_PTE_LIST(X86_NAME) { 0, NULL } };
const struct x86_bit x86_pte_bits_pt[] = { X86_PTE_LIST(X86_NAME_PT) { 0, NULL } };

size_t x86_bits_text(uint64_t v, const struct x86_bit *t, char *buf, size_t len)
{
	size_t n = 0;

	if (!buf || len == 0)
		return 0;
	buf[0] = '\0';
	for (; t->name; t++) {
		int k;

		if (!(v >> t->bit & 1))
			continue;
		k = snprintf(buf + n, len - n, "%s%s", n ? " " : "", t->name);
		if (k < 0 || (size_t)k >= len - n) {
			buf[n] = '\0';  /* no room: whole names only */
			break;
		}
		n += (size_t)k;
	}
	return n;
}

/* Descriptor layout: limit 15:0 in bits 0..15, base 23:0 in 16..39, type 40..43, S 44,
 * DPL 45..46, P 47, limit 19:16 in 48..51, AVL 52, L 53, D/B 54, G 55, base 31:24 in 56..63. */
uint64_t x86_desc_pack(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit, base = s->base & 0xffffffffull;

	return (limit & 0xffff) | (base & 0xffffff) << 16 | (uint64_t)(s->type & 15u) << 40 |
	       (uint64_t)(s->s & 1u) << 44 | (uint64_t)(s->dpl & 3u) << 45 |
	       (uint64_t)(s->present & 1u) << 47 | (limit >> 16 & 0xf) << 48 |
	       (uint64_t)(s->avl & 1u) << 52 | (uint64_t)(s->l & 1u) << 53 |
	       (uint64_t)(s->db & 1u) << 54 | (uint64_t)(s->g & 1u) << 55 | (base >> 24) << 56;
}

struct kvm_segment x86_desc_unpack(uint64_t d, uint16_t sel)
{
	uint32_t limit = (uint32_t)((d & 0xffff) | (d >> 32 & 0xf0000));
	struct kvm_segment s = {
		.base = (d >> 16 & 0xffffff) | (d >> 32 & 0xff000000),
		.selector = sel,
		.type = d >> 40 & 15,
		.s = d >> 44 & 1,
		.dpl = d >> 45 & 3,
		.present = d >> 47 & 1,
		.avl = d >> 52 & 1,
		.l = d >> 53 & 1,
		.db = d >> 54 & 1,
		.g = d >> 55 & 1,
	};

	s.limit = s.g ? limit << 12 | 0xfff : limit;
	s.unusable = !s.present;
	return s;
}

unsigned x86_seg_attr(const struct kvm_segment *s)
{
	return (unsigned)(x86_desc_pack(s) >> 40) & 0xf0ffu;
}

static const char seg_names[X86_SEG__COUNT][3] = { "es", "cs", "ss", "ds", "fs", "gs" };

const char *x86_seg_name(enum x86_seg seg)
{
	return (unsigned)seg < X86_SEG__COUNT ? seg_names[seg] : "?";
}

int x86_seg_parse(const char *name, size_t n, enum x86_seg *out)
{
	for (int i = 0; i < X86_SEG__COUNT; i++) {
		if (n == 2 && strncasecmp(name, seg_names[i], 2) == 0) {
			*out = (enum x86_seg)i;
			return 0;
		}
	}
	return -EINVAL;
}

const struct kvm_segment *x86_seg(const struct kvm_sregs *s, enum x86_seg seg)
{
	switch (seg) {
	case X86_SEG_ES: return &s->es;
	case X86_SEG_CS: return &s->cs;
	case X86_SEG_SS: return &s->ss;
	case X86_SEG_FS: return &s->fs;
	case X86_SEG_GS: return &s->gs;
	default: return &s->ds;
	}
}

bool x86_seg_range(const struct kvm_segment *s, uint64_t *lo, uint64_t *hi)
{
	uint64_t top = s->db ? 0xffffffffull : 0xffffull;

	if (!s->s || (s->type & X86_SEG_TYPE_CODE) || !(s->type & X86_SEG_TYPE_DC)) {
		*lo = 0;
		*hi = s->limit;
		return true;
	}
	*lo = (uint64_t)s->limit + 1;
	*hi = top;
	return *lo <= top;
}

bool x86_code64(const struct kvm_sregs *s)
{
	return (s->efer & X86_EFER(LMA)) && s->cs.l;
}

uint64_t x86_seg_base(const struct kvm_sregs *s, enum x86_seg seg)
{
	if (seg != X86_SEG_FS && seg != X86_SEG_GS && x86_code64(s))
		return 0;
	return x86_seg(s, seg)->base;
}

uint64_t x86_linear(const struct kvm_sregs *s, enum x86_seg seg, uint64_t off)
{
	return x86_seg_base(s, seg) + off;
}
