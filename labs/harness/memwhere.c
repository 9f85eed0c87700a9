/* memwhere.c - naming the GDT descriptor or page-table entry at a guest physical address. */
#include "memwhere.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pagewalk.h"

#define PAGE 4096u
#define MAX_TABLES 4096u   /* tables visited at the most (the guest's memory is hostile) */

struct ptsearch {
	const struct lab_run *run;
	uint64_t gpa;
	const char *const *names;   /* level names, top first */
	unsigned levels, esize;     /* levels, entry size in bytes */
	bool pse;                   /* 32-bit paging: PDE.PS maps 4 MiB */
	unsigned visited;
	/* found */
	const char *name;
	uint64_t table;
	unsigned index, leaf;
};

static uint64_t entry_at(const struct lab_run *run, uint64_t a, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, run->mem + a, size);
	return v;
}

/* Visit the table at t (level lv), and the tables its present non-leaf entries name. */
static bool search(struct ptsearch *s, uint64_t t, unsigned lv, unsigned nent)
{
	if (lv >= s->levels || s->visited++ >= MAX_TABLES ||
	    t + (uint64_t)nent * s->esize > s->run->mem_size)
		return false;
	if (s->gpa >= t && s->gpa < t + (uint64_t)nent * s->esize) {
		s->name = s->names[lv];
		s->table = t;
		s->index = (unsigned)((s->gpa - t) / s->esize);
		s->leaf = lv + 1 == s->levels;
		return true;
	}
	for (unsigned i = 0; i < nent && lv + 1 < s->levels; i++) {
		uint64_t e = entry_at(s->run, t + (uint64_t)i * s->esize, s->esize);
		bool ps = (e & 0x80) && (s->esize == 8 ? lv + 3 >= s->levels : s->pse);

		if (!(e & 1) || ps)   /* not present, or a large page: no table below */
			continue;
		if (search(s, e & (s->esize == 8 ? 0x000ffffffffff000ull : 0xfffff000ull), lv + 1,
			   PAGE / s->esize))
			return true;
	}
	return false;
}

static const char *const names4[] = { "PML4", "PDPT", "PD", "PT" };
static const char *const names5[] = { "PML5", "PML4", "PDPT", "PD", "PT" };
static const char *const names_pae[] = { "PDPT", "PD", "PT" };
static const char *const names32[] = { "PD", "PT" };

/* A page-table entry at gpa: a sentence, or "" */
static void page_tables(const struct lab_run *run, uint64_t gpa, uint8_t diff, char *buf,
			size_t len)
{
	const struct kvm_sregs *sr = &run->sregs;
	struct ptsearch s = { .run = run, .gpa = gpa, .esize = 8 };
	uint64_t cr3 = sr->cr3, nent = PAGE / 8;
	unsigned off;

	switch (vmm_paging_mode(sr->cr0, sr->cr4, sr->efer)) {
	case VMM_PAGING_4LEVEL: s.names = names4; s.levels = 4; cr3 &= ~0xfffull; break;
	case VMM_PAGING_5LEVEL: s.names = names5; s.levels = 5; cr3 &= ~0xfffull; break;
	case VMM_PAGING_PAE: s.names = names_pae; s.levels = 3; cr3 &= 0xffffffe0u; nent = 4; break;
	case VMM_PAGING_32:
		s.names = names32; s.levels = 2; s.esize = 4; s.pse = sr->cr4 & 0x10;
		cr3 &= 0xfffff000u; nent = PAGE / 4;
		break;
	default: return;
	}
	if (!search(&s, cr3, 0, (unsigned)nent))
		return;
	off = (unsigned)((gpa - s.table) % s.esize);
	snprintf(buf, len, "%s entry %u of the table at 0x%llx (byte %u; the tables the final CR3 "
		 "0x%llx names)", s.name, s.index, (unsigned long long)s.table, off,
		 (unsigned long long)sr->cr3);
	if (off == 0 && (diff & 0x60))   /* Intel SDM Vol. 3A 4.8 */
		snprintf(buf + strlen(buf), len - strlen(buf), ": the CPU set its %s%s%s when a page "
			 "walk used it (Intel SDM Vol. 3A 4.8); preset the bit, or include the table "
			 "in the ranges", diff & 0x20 ? "accessed bit (bit 5)" : "",
			 (diff & 0x60) == 0x60 ? " and " : "",
			 diff & 0x40 ? "dirty bit (bit 6, a write through the page)" : "");
}

/* A GDT descriptor at gpa: a sentence, or "" */
static void gdt(const struct lab_run *run, uint64_t gpa, uint8_t diff, char *buf, size_t len)
{
	const struct kvm_sregs *sr = &run->sregs;
	struct vmm_mem_view mem = { .base = run->mem, .size = run->mem_size };
	enum vmm_paging p = vmm_paging_mode(sr->cr0, sr->cr4, sr->efer);
	uint64_t base = sr->gdt.base, idx;
	struct vmm_walk w;

	if (p != VMM_PAGING_NONE) {   /* GDTR holds a linear address */
		if (vmm_walk(&mem, p, sr->cr3, NULL, base, &w) < 0 || w.status != VMM_WALK_OK)
			return;
		base = w.phys;
	}
	if (gpa < base || gpa > base + sr->gdt.limit)
		return;
	idx = (gpa - base) / 8;
	snprintf(buf, len, "GDT descriptor %llu (selector 0x%llx), byte %llu (the GDT at 0x%llx "
		 "the final GDTR names)", (unsigned long long)idx, (unsigned long long)idx * 8,
		 (unsigned long long)(gpa - base) % 8, (unsigned long long)base);
	if ((gpa - base) % 8 == 5 && diff == 0x01)   /* Intel SDM Vol. 3A 3.4.5 */
		snprintf(buf + strlen(buf), len - strlen(buf), ": the CPU set the descriptor's "
			 "accessed bit (bit 40) when a segment register was loaded with it (Intel SDM "
			 "Vol. 3A 3.4.5); give the descriptor with the bit set, or include the GDT in "
			 "the ranges");
}

void lab_mem_where(const struct lab_run *run, uint64_t gpa, uint8_t before, uint8_t after,
		   char *buf, size_t len)
{
	buf[0] = '\0';
	if (!run->mem || gpa >= run->mem_size)
		return;
	gdt(run, gpa, before ^ after, buf, len);
	if (!buf[0])
		page_tables(run, gpa, before ^ after, buf, len);
}
