/* check_register.c - a register's final value: equal to N, or (value & mask) == expected.
 *
 * Names: rax..r15, eax..edi, r8d..r15d, ax..di, rip/eip/ip, rflags/eflags/flags,
 * cr0 cr2 cr3 cr4 cr8 efer apic_base, gdt.base gdt.limit idt.base idt.limit,
 * and SEG or SEG.FIELD for SEG in cs ds es fs gs ss tr ldt and FIELD in
 * selector base limit type present dpl db s l g avl (SEG alone: the selector).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

struct named {
	const char *name;
	unsigned offset, size;
};

#define R(n, f, sz) { n, offsetof(struct kvm_regs, f), sz }
static const struct named gprs[] = {
	R("rax", rax, 8), R("rbx", rbx, 8), R("rcx", rcx, 8), R("rdx", rdx, 8),
	R("rsi", rsi, 8), R("rdi", rdi, 8), R("rsp", rsp, 8), R("rbp", rbp, 8),
	R("r8", r8, 8), R("r9", r9, 8), R("r10", r10, 8), R("r11", r11, 8),
	R("r12", r12, 8), R("r13", r13, 8), R("r14", r14, 8), R("r15", r15, 8),
	R("rip", rip, 8), R("rflags", rflags, 8),
	R("eax", rax, 4), R("ebx", rbx, 4), R("ecx", rcx, 4), R("edx", rdx, 4),
	R("esi", rsi, 4), R("edi", rdi, 4), R("esp", rsp, 4), R("ebp", rbp, 4),
	R("r8d", r8, 4), R("r9d", r9, 4), R("r10d", r10, 4), R("r11d", r11, 4),
	R("r12d", r12, 4), R("r13d", r13, 4), R("r14d", r14, 4), R("r15d", r15, 4),
	R("eip", rip, 4), R("eflags", rflags, 4),
	R("ax", rax, 2), R("bx", rbx, 2), R("cx", rcx, 2), R("dx", rdx, 2),
	R("si", rsi, 2), R("di", rdi, 2), R("sp", rsp, 2), R("bp", rbp, 2),
	R("ip", rip, 2), R("flags", rflags, 2),
};
#undef R

#define S(n, f, sz) { n, offsetof(struct kvm_sregs, f), sz }
static const struct named sregs[] = {
	S("cr0", cr0, 8), S("cr2", cr2, 8), S("cr3", cr3, 8), S("cr4", cr4, 8),
	S("cr8", cr8, 8), S("efer", efer, 8), S("apic_base", apic_base, 8),
	{ "gdt.base", offsetof(struct kvm_sregs, gdt) + offsetof(struct kvm_dtable, base), 8 },
	{ "gdt.limit", offsetof(struct kvm_sregs, gdt) + offsetof(struct kvm_dtable, limit), 2 },
	{ "idt.base", offsetof(struct kvm_sregs, idt) + offsetof(struct kvm_dtable, base), 8 },
	{ "idt.limit", offsetof(struct kvm_sregs, idt) + offsetof(struct kvm_dtable, limit), 2 },
};
static const struct named segments[] = {
	S("cs", cs, 0), S("ds", ds, 0), S("es", es, 0), S("fs", fs, 0),
	S("gs", gs, 0), S("ss", ss, 0), S("tr", tr, 0), S("ldt", ldt, 0),
};
#undef S

#define F(f) { #f, offsetof(struct kvm_segment, f), sizeof(((struct kvm_segment *)0)->f) }
static const struct named seg_fields[] = {
	F(selector), F(base), F(limit), F(type), F(present), F(dpl), F(db), F(s), F(l),
	F(g), F(avl),
};
#undef F

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct named *lookup(const struct named *t, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len && strncasecmp(t[i].name, name, len) == 0)
			return &t[i];
	return NULL;
}

int lab_register_find(const char *name, struct lab_regref *ref)
{
	const struct named *r, *seg, *field;
	const char *dot;

	if ((r = lookup(gprs, N(gprs), name, strlen(name)))) {
		*ref = (struct lab_regref){ .sregs = false, .offset = r->offset, .size = r->size };
		return 0;
	}
	if ((r = lookup(sregs, N(sregs), name, strlen(name)))) {
		*ref = (struct lab_regref){ .sregs = true, .offset = r->offset, .size = r->size };
		return 0;
	}
	dot = strchr(name, '.');
	seg = lookup(segments, N(segments), name, dot ? (size_t)(dot - name) : strlen(name));
	field = dot ? lookup(seg_fields, N(seg_fields), dot + 1, strlen(dot + 1)) : &seg_fields[0];
	if (!seg || !field)
		return -ENOENT;
	*ref = (struct lab_regref){
		.sregs = true, .offset = seg->offset + field->offset, .size = field->size,
	};
	return 0;
}

uint64_t lab_register_read(const struct lab_regref *ref, const struct kvm_regs *regs,
			   const struct kvm_sregs *sr)
{
	const unsigned char *base = ref->sregs ? (const void *)sr : (const void *)regs;
	uint64_t v = 0;

	memcpy(&v, base + ref->offset, ref->size);  /* x86 is little-endian */
	return v;
}

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_register_spec *s = c->reg;

	(void)lab;
	if (lab_register_find(s->name, &s->ref) < 0)
		return lab_diag_check(d, "register.name", "unknown register '%s'", s->name);
	if (!s->equals == !(s->mask || s->value))
		return lab_diag_check(d, "register", "give equals, or mask and value");
	if (!s->equals && !(s->mask && s->value))
		return lab_diag_check(d, s->mask ? "register.mask" : "register.value",
				      "mask and value go together");
	return 0;
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_register_spec *s = c->reg;
	uint64_t v = lab_register_read(&s->ref, &run->regs, &run->sregs);
	unsigned long long want, mask;

	if (s->equals) {
		want = *s->equals;
		return lab_result_set(r, v == want,
				      lab_strdupf("%s = 0x%llx (%llu)", s->name, want, want),
				      lab_strdupf("%s = 0x%llx (%llu)", s->name,
						  (unsigned long long)v, (unsigned long long)v),
				      lab_strdupf("%s is 0x%llx, not 0x%llx", s->name,
						  (unsigned long long)v, want));
	}
	want = *s->value;
	mask = *s->mask;
	return lab_result_set(r, (v & mask) == want,
			      lab_strdupf("%s & 0x%llx = 0x%llx", s->name, mask, want),
			      lab_strdupf("%s = 0x%llx (& 0x%llx = 0x%llx)", s->name,
					  (unsigned long long)v, mask, v & mask),
			      lab_strdupf("the masked bits of %s are 0x%llx, not 0x%llx", s->name,
					  v & mask, want));
}

const struct lab_check_ops lab_check_register_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
};
