/* paging.c - reference solution of lab 03-paging: 4-level page tables of our own.
 *
 * The map built here:
 *
 *   virtual              physical             how
 *   0x000000-0x1fffff    0x000000-0x1fffff    one 2 MiB page (PD[0], PS set): code, data, stack
 *   0x400000             0x200000             4 KiB page, writable   (PD[2] -> pt_rw[0])
 *   0x600000             0x201000             4 KiB page, read-only  (PD[3] -> pt_ro[0])
 *   everything else      -                    not present (0x800000 is PD[4]: zero)
 *
 * A virtual address splits into 9-bit indexes, one per level:
 *   PML4 index = bits 47..39, PDPT = 38..30, PD = 29..21, PT = 20..12, offset = 11..0.
 * All our addresses are below 1 GiB, so they share PML4[0] and PDPT[0] and
 * differ in the PD index: 0x400000 >> 21 = 2, 0x600000 >> 21 = 3.
 *
 * Permissions combine over the levels: a page is writable only if RW is set
 * in every entry on the way, so the upper levels get RW and the leaf decides.
 */
#include "paging.h"

#define TABLE_ENTRIES 512

/* In .bss: zero at start (every entry "not present"), 4 KiB aligned as the CPU requires. */
static uint64_t pml4[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pt_rw[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pt_ro[TABLE_ENTRIES] __attribute__((aligned(4096)));

/* Index of va in the table at level (4 = PML4 ... 1 = PT). */
static unsigned index_of(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & (TABLE_ENTRIES - 1);
}

/* The physical address of one of our tables: the guest runs identity mapped,
 * so it is the same number as its virtual address. */
static uint64_t phys(const uint64_t *table)
{
	return (uint64_t)(uintptr_t)table;
}

/* An entry pointing to the next-level table: present and writable, the leaf decides. */
static uint64_t table_entry(const uint64_t *next)
{
	return phys(next) | PTE_P | PTE_RW | PTE_A;
}

static inline void write_cr3(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

void setup_paging(void)
{
	/* The top two levels: one entry each, covering the first 512 GiB and 1 GiB. */
	pml4[index_of(0, 4)] = table_entry(pdpt);
	pdpt[index_of(0, 3)] = table_entry(pd);

	/* 0 - 2 MiB: identity, one 2 MiB page (PS in the PD entry ends the walk there).
	 * A and D are preset so the CPU need not write them back. */
	pd[index_of(0, 2)] = 0 | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS;

	/* 0x400000 -> 0x200000, writable. */
	pd[index_of(VA_RW, 2)] = table_entry(pt_rw);
	pt_rw[index_of(VA_RW, 1)] = PA_RW | PTE_P | PTE_RW | PTE_A | PTE_D;

	/* 0x600000 -> 0x201000, read-only: RW clear in the leaf (CR0.WP is set,
	 * so even ring 0 cannot write through this mapping). */
	pd[index_of(VA_RO, 2)] = table_entry(pt_ro);
	pt_ro[index_of(VA_RO, 1)] = PA_RO | PTE_P | PTE_A;

	/* 0x800000 (PD[4]) stays zero: not present. */

	/* Switch: from the next instruction on, every address goes through our
	 * tables (and the TLB entries of kvmlab's tables are flushed). */
	write_cr3(phys(pml4));
}
