/* paging.h - the addresses and page-table bits of lab 03-paging (given). */
#ifndef LAB03_PAGING_H
#define LAB03_PAGING_H

#include <stdint.h>

/* What your page tables must map (4 KiB pages): */
#define VA_RW      0x400000ull   /* -> PA_RW, present and writable */
#define PA_RW      0x200000ull
#define VA_RO      0x600000ull   /* -> PA_RO, present and read-only */
#define PA_RO      0x201000ull
#define VA_ABSENT  0x800000ull   /* not present */
/* ... and the first 2 MiB identity mapped: code, data, your tables and the stack. */

/* Bits of a 4-level page-table entry (PML4E, PDPTE, PDE, PTE). */
#define PTE_P      0x001ull      /* present */
#define PTE_RW     0x002ull      /* writable (when clear: read-only) */
#define PTE_US     0x004ull      /* user-accessible (not needed here: the guest runs in ring 0) */
#define PTE_A      0x020ull      /* accessed: the CPU sets it on first use */
#define PTE_D      0x040ull      /* dirty (leaf entries): the CPU sets it on first write */
#define PTE_PS     0x080ull      /* in a PDE: this entry maps a 2 MiB page itself */
#define PTE_ADDR   0x000ffffffffff000ull   /* the physical-address bits of an entry */

/* Yours, in paging.c: build the tables and load CR3. */
void setup_paging(void);

#endif
