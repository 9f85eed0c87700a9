/* paging.c - lab 03-paging: build your own 4-level page tables and load CR3.
 *
 * kvmlab started the guest in long mode with ITS page tables (an identity
 * map of all guest memory, at the top of memory).  setup_paging() must build
 * a new set of tables here, in the guest's .bss, and switch CR3 to them, so
 * that afterwards:
 *
 *   virtual              physical             permissions
 *   0x000000-0x1fffff    0x000000-0x1fffff    present, writable (code, data, tables, stack)
 *   0x400000 (4 KiB)     0x200000             present, writable
 *   0x600000 (4 KiB)     0x201000             present, READ-ONLY
 *   0x800000             -                    not present (nor anything else)
 *
 * The constants are in paging.h.  fixed.c calls setup_paging(), then reads
 * 0x600000 and writes and reads 0x400000 through your mappings.
 *
 * A virtual address splits into 9-bit indexes, one per level:
 *   PML4: bits 47..39   PDPT: bits 38..30   PD: bits 29..21   PT: bits 20..12
 * Each entry = physical address of the next table (or of the page) | flags.
 */
#include "paging.h"

#define TABLE_ENTRIES 512

/* Zero at start (every entry "not present"), 4 KiB aligned as the CPU requires.
 * The guest runs identity mapped, so a table's address is also its physical address. */
static uint64_t pml4[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pdpt[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pd[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pt_rw[TABLE_ENTRIES] __attribute__((aligned(4096)));
static uint64_t pt_ro[TABLE_ENTRIES] __attribute__((aligned(4096)));

static inline void write_cr3(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

void setup_paging(void)
{
	/* TODO 1: PML4[0] -> pdpt and PDPT[0] -> pd (present, writable). */

	/* TODO 2: PD[0]: the first 2 MiB identity mapped with one 2 MiB page
	 * (PTE_PS).  Without it, the next instruction after CR3 is loaded faults. */

	/* TODO 3: 0x400000 -> 0x200000, writable: which PD entry covers 0x400000?
	 * Point it to pt_rw, and fill the right entry of pt_rw. */

	/* TODO 4: 0x600000 -> 0x201000, read-only, through pt_ro. */

	/* TODO 5: load CR3 with the physical address of pml4. */
	(void)pml4;
	(void)pdpt;
	(void)pd;
	(void)pt_rw;
	(void)pt_ro;
}
