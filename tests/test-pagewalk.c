/* test-pagewalk.c - the software page walker on hand-built tables, every mode, every stop. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk.h"
#include "testkit.h"

#define MEM_SIZE 0x200000u	/* 2 MiB, like kvmlab's default guest */

static uint8_t *mem;
static struct vmm_mem_view view;

static void reset(void)
{
	memset(mem, 0, MEM_SIZE);
	view.base = mem;
	view.size = MEM_SIZE;
}

/* Check one level's position fields. */
static void check_level(const struct vmm_walk *w, int i, const char *name, uint64_t table,
			unsigned index, unsigned hi, unsigned lo, uint64_t entry, int leaf)
{
	const struct vmm_walk_level *l = &w->lvl[i];

	CHECK_STR(l->name, name);
	CHECK_EQ(l->table, table);
	CHECK_EQ(l->index, index);
	CHECK_EQ(l->bit_hi, hi);
	CHECK_EQ(l->bit_lo, lo);
	CHECK_EQ(l->entry_addr, table + (uint64_t)index * l->entry_size);
	CHECK_EQ(l->entry, entry);
	CHECK_EQ(l->leaf, leaf);
}

/* Check that the walk stopped at level i with status st. */
static void check_stop(const struct vmm_walk *w, enum vmm_walk_status st, int i)
{
	CHECK_EQ(w->status, st);
	CHECK_EQ(w->fail_level, i);
	CHECK_EQ(w->nlevels, i + 1);
}

static void test_mode_select(void)
{
	const uint64_t pg = 1ull << 31, pae = 1u << 5, la57 = 1u << 12, lma = 1u << 10;

	CHECK_EQ(vmm_paging_mode(0x11, pae, lma), VMM_PAGING_NONE);
	CHECK_EQ(vmm_paging_mode(pg | 1, 0x10, 0), VMM_PAGING_32);
	CHECK_EQ(vmm_paging_mode(pg | 1, pae, 0), VMM_PAGING_PAE);
	CHECK_EQ(vmm_paging_mode(pg | 1, pae | la57, 0x100), VMM_PAGING_PAE);
	CHECK_EQ(vmm_paging_mode(pg | 1, pae, lma | 0x100), VMM_PAGING_4LEVEL);
	CHECK_EQ(vmm_paging_mode(pg | 1, pae | la57, lma), VMM_PAGING_5LEVEL);
	CHECK_STR(vmm_paging_name(VMM_PAGING_NONE), "none");
	CHECK_STR(vmm_paging_name(VMM_PAGING_32), "32-bit");
	CHECK_STR(vmm_paging_name(VMM_PAGING_PAE), "PAE");
	CHECK_STR(vmm_paging_name(VMM_PAGING_4LEVEL), "4-level");
	CHECK_STR(vmm_paging_name(VMM_PAGING_5LEVEL), "5-level");
	CHECK_STR(vmm_walk_status_name(VMM_WALK_OK), "ok");
	CHECK_STR(vmm_walk_status_name(VMM_WALK_NOT_PRESENT), "not present");
	CHECK_STR(vmm_walk_status_name(VMM_WALK_RESERVED), "reserved bit set");
	CHECK_STR(vmm_walk_status_name(VMM_WALK_OUTSIDE_MEMORY), "outside guest memory");
	CHECK_STR(vmm_walk_status_name(VMM_WALK_NONCANONICAL), "non-canonical address");
}

static void test_no_paging(void)
{
	struct vmm_walk w;

	reset();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_NONE, 0x1234, NULL, 0x12345678, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.phys, 0x12345678);
	CHECK_EQ(w.nlevels, 0);
	CHECK_EQ(w.fail_level, -1);
	CHECK_EQ(w.page_size, 0);
	CHECK_EQ(w.cr3, 0x1234);
	CHECK_EQ(w.mem_size, MEM_SIZE);
}

/* 32-bit: PD at 0x10000; linear 0x00401234 -> PD[1] -> PT 0x11000 [1] -> 0x55234. */
static void build_32(void)
{
	reset();
	put32(mem, 0x10004, 0x11007);	/* P RW US */
	put32(mem, 0x11004, 0x55003);	/* P RW, supervisor */
}

static void test_32(void)
{
	struct vmm_walk_opts o = { .nxe = false, .pse = true, .maxphyaddr = 36 };
	struct vmm_walk w;
	char f[64];

	build_32();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10018, NULL, 0x00401234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 2);
	CHECK_EQ(w.fail_level, -1);
	check_level(&w, 0, "PD", 0x10000, 1, 31, 22, 0x11007, 0);
	check_level(&w, 1, "PT", 0x11000, 1, 21, 12, 0x55003, 1);
	CHECK_EQ(w.lvl[0].entry_addr, 0x10004);
	CHECK_EQ(w.lvl[1].entry_size, 4);
	CHECK_EQ(w.phys, 0x55234);
	CHECK_EQ(w.page_size, 0x1000);
	CHECK_EQ(w.writable, 1);
	CHECK_EQ(w.user, 0);
	CHECK_EQ(w.nx, 0);

	/* 4 MiB PSE page: linear 0xC0123456 -> PD[768] at 0x10C00. */
	put32(mem, 0x10c00, 0x00800087);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0xc0123456, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 1);
	check_level(&w, 0, "PD", 0x10000, 768, 31, 22, 0x00800087, 1);
	CHECK_EQ(w.lvl[0].entry_addr, 0x10c00);
	CHECK_EQ(w.phys, 0x00923456);
	CHECK_EQ(w.page_size, 0x400000);
	CHECK_EQ(w.user, 1);
	vmm_walk_level_flags(&w, 0, f, sizeof(f));
	CHECK_STR(f, "P RW US PS");

	/* PSE-36: PDE bits 20..13 = 0x12 are physical bits 39..32. */
	put32(mem, 0x10c00, 0x00c24083);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0xc0123456, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.phys, 0x1200d23456ull);
	/* ... but with MAXPHYADDR 36 bits 21..17 are reserved: bit 17 is set. */
	CHECK_EQ(vmm_walk_ex(&view, VMM_PAGING_32, 0x10000, NULL, 0xc0123456, &o, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 0);
	CHECK_EQ(w.reserved, 0x20000);
	/* Bit 21 is always reserved in a 4 MiB PDE. */
	put32(mem, 0x10c00, 0x00e00083);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0xc0123456, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 0);
	CHECK_EQ(w.reserved, 0x200000);
	CHECK_EQ(w.writable, 0);

	/* Without CR4.PSE, PS is ignored: the PDE points to a "table" at 8 MiB, outside memory. */
	put32(mem, 0x10c00, 0x00800087);
	o.pse = false;
	CHECK_EQ(vmm_walk_ex(&view, VMM_PAGING_32, 0x10000, NULL, 0xc0123456, &o, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 1);
	CHECK_EQ(w.lvl[1].table, 0x800000);
	CHECK_EQ(w.lvl[1].entry_addr, 0x800000 + 0x123 * 4);

	/* Not present at each level. */
	put32(mem, 0x11004, 0x55002);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0x00401234, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 1);
	CHECK_EQ(w.lvl[1].entry, 0x55002);
	put32(mem, 0x10004, 0x11006);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0x00401234, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 0);

	/* A 4-byte entry straddling the end of memory. */
	build_32();
	view.size = 0x10006;
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0x00401234, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 0);
	view.size = 0x10008;	/* just fits; the PT at 0x11000 does not */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0x00401234, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 1);

	/* Linear addresses are 32 bits wide. */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0x100000000ull, &w), -EINVAL);
}

/* PAE: PDPT at 0x20020; linear 0x80201234 -> PDPT[2] -> PD 0x21000 [1] -> PT 0x22000 [1]. */
static void build_pae(void)
{
	reset();
	put64(mem, 0x20030, 0x21001);
	put64(mem, 0x21008, 0x22007);
	put64(mem, 0x22008, 0x8000000000066007ull);
	put64(mem, 0x21010, 0x600083);	/* PD[2]: 2 MiB page at 6 MiB */
}

static void test_pae(void)
{
	struct vmm_walk_opts o = { .nxe = false, .pse = true, .maxphyaddr = 52 };
	uint64_t pdptr[4] = { 0, 0, 0x23001, 0 };
	struct vmm_walk w;
	char f[64];

	build_pae();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20038, NULL, 0x80201234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 3);
	check_level(&w, 0, "PDPT", 0x20020, 2, 31, 30, 0x21001, 0);
	check_level(&w, 1, "PD", 0x21000, 1, 29, 21, 0x22007, 0);
	check_level(&w, 2, "PT", 0x22000, 1, 20, 12, 0x8000000000066007ull, 1);
	CHECK_EQ(w.lvl[0].entry_addr, 0x20030);
	CHECK_EQ(w.lvl[2].entry_size, 8);
	CHECK_EQ(w.phys, 0x66234);
	CHECK_EQ(w.page_size, 0x1000);
	CHECK_EQ(w.writable, 1);	/* the PDPTE's bit 1 is not RW */
	CHECK_EQ(w.user, 1);
	CHECK_EQ(w.nx, 1);
	vmm_walk_level_flags(&w, 0, f, sizeof(f));
	CHECK_STR(f, "P");
	vmm_walk_level_flags(&w, 2, f, sizeof(f));
	CHECK_STR(f, "P RW US NX");

	/* Without EFER.NXE bit 63 is reserved. */
	CHECK_EQ(vmm_walk_ex(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &o, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 2);
	CHECK_EQ(w.reserved, 1ull << 63);

	/* 2 MiB page: linear 0x80401234 -> PD[2]. */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80401234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 2);
	check_level(&w, 1, "PD", 0x21000, 2, 29, 21, 0x600083, 1);
	CHECK_EQ(w.phys, 0x601234);
	CHECK_EQ(w.page_size, 0x200000);
	CHECK_EQ(w.user, 0);

	/* Reserved bits: 20..13 in a 2 MiB PDE, 62..52 in PAE (ignored in long mode). */
	put64(mem, 0x21010, 0x602083);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80401234, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 1);
	CHECK_EQ(w.reserved, 0x2000);
	put64(mem, 0x21010, 0x600083 | (1ull << 52));
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80401234, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 1);
	CHECK_EQ(w.reserved, 1ull << 52);

	/* PDPTE reserved bits: 1, 2, 5..8 and 63. */
	put64(mem, 0x20030, 0x21003);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 0);
	CHECK_EQ(w.reserved, 0x2);
	put64(mem, 0x20030, 0x210e5);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	CHECK_EQ(w.reserved, 0xe4);
	put64(mem, 0x20030, 0x8000000000021001ull);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 0);
	CHECK_EQ(w.reserved, 1ull << 63);
	put64(mem, 0x20030, 0x21019);	/* P PWT PCD: fine */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	vmm_walk_level_flags(&w, 0, f, sizeof(f));
	CHECK_STR(f, "P PWT PCD");

	/* PDPTEs from SREGS2 override memory: PD at 0x23000, PD[1] a 2 MiB page at 10 MiB. */
	put64(mem, 0x23008, 0xa00083);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, pdptr, 0x80201234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	check_level(&w, 0, "PDPT", 0x20020, 2, 31, 30, 0x23001, 0);
	check_level(&w, 1, "PD", 0x23000, 1, 29, 21, 0xa00083, 1);
	CHECK_EQ(w.phys, 0xa01234);
	/* ... even with the PDPT itself outside memory. */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0xffffffe0, pdptr, 0x80201234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.lvl[0].table, 0xffffffe0);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0xffffffe0, NULL, 0x80201234, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 0);
	CHECK_EQ(w.lvl[0].entry_addr, 0xfffffff0);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, pdptr, 0x00201234, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 0);
	CHECK_EQ(w.lvl[0].index, 0);

	/* Not present at each level. */
	build_pae();
	put64(mem, 0x22008, 0x66006);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 2);
	put64(mem, 0x21008, 0x22006);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 1);
	put64(mem, 0x20030, 0);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80201234, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 0);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x180000000ull, &w), -EINVAL);
}

/* 4-level: PML4 0x1000 [3] -> PDPT 0x2000 [5] -> PD 0x3000 [7] -> PT 0x4000 [9] -> 0x77abc. */
#define LIN4K 0x18140e09abcull

static void build_4level(void)
{
	reset();
	put64(mem, 0x1018, 0x2007);
	put64(mem, 0x2028, 0x3007);
	put64(mem, 0x3038, 0x4005);	/* P US: not writable */
	put64(mem, 0x4048, 0x8000000000077067ull);
	/* The example of walkfmt: 0x401234 -> 2 MiB page at 4 MiB. */
	put64(mem, 0x1fb000, 0x1fc003);
	put64(mem, 0x1fc000, 0x1fd003);
	put64(mem, 0x1fd010, 0x400083);
}

static void test_4level(void)
{
	struct vmm_walk_opts o = { .nxe = true, .pse = true, .maxphyaddr = 40 };
	struct vmm_walk w;
	char f[64];

	build_4level();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1018, NULL, LIN4K, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 4);
	check_level(&w, 0, "PML4", 0x1000, 3, 47, 39, 0x2007, 0);
	check_level(&w, 1, "PDPT", 0x2000, 5, 38, 30, 0x3007, 0);
	check_level(&w, 2, "PD", 0x3000, 7, 29, 21, 0x4005, 0);
	check_level(&w, 3, "PT", 0x4000, 9, 20, 12, 0x8000000000077067ull, 1);
	CHECK_EQ(w.lvl[3].entry_addr, 0x4048);
	CHECK_EQ(w.phys, 0x77abc);
	CHECK_EQ(w.page_size, 0x1000);
	CHECK_EQ(w.writable, 0);	/* the PD entry clears RW */
	CHECK_EQ(w.user, 1);
	CHECK_EQ(w.nx, 1);
	vmm_walk_level_flags(&w, 3, f, sizeof(f));
	CHECK_STR(f, "P RW US A D NX");

	/* PTE bit 7 is PAT; an ignored bit 52 is fine in long mode. */
	put64(mem, 0x4048, 0x00100000000770e7ull);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.phys, 0x77abc);
	CHECK_EQ(w.nx, 0);
	vmm_walk_level_flags(&w, 3, f, sizeof(f));
	CHECK_STR(f, "P RW US A D PAT");

	/* Reserved bits above MAXPHYADDR (40): bit 45. */
	put64(mem, 0x4048, 0x0000200000077067ull);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.phys, 0x200000077abcull);
	CHECK_EQ(vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &o, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 3);
	CHECK_EQ(w.reserved, 1ull << 45);
	/* NX without EFER.NXE. */
	o.maxphyaddr = 0;
	o.nxe = false;
	put64(mem, 0x4048, 0x8000000000077067ull);
	CHECK_EQ(vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &o, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 3);
	CHECK_EQ(w.reserved, 1ull << 63);
	/* PS in a PML4E is reserved. */
	put64(mem, 0x1018, 0x2087);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 0);
	CHECK_EQ(w.reserved, 0x80);

	/* Not present at each level. */
	for (int i = 3; i >= 0; i--) {
		static const uint64_t at[] = { 0x1018, 0x2028, 0x3038, 0x4048 };

		build_4level();
		put64(mem, at[i], 0x7000);
		CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &w), 0);
		check_stop(&w, VMM_WALK_NOT_PRESENT, i);
		CHECK_EQ(w.lvl[i].entry, 0x7000);
		CHECK_EQ(w.lvl[i].entry_addr, at[i]);
	}

	/* 2 MiB page, with the walkfmt example's values. */
	build_4level();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1fb000, NULL, 0x401234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 3);
	check_level(&w, 2, "PD", 0x1fd000, 2, 29, 21, 0x400083, 1);
	CHECK_EQ(w.lvl[2].entry_addr, 0x1fd010);
	CHECK_EQ(w.phys, 0x401234);
	CHECK_EQ(w.page_size, 0x200000);
	CHECK_EQ(w.writable, 1);
	CHECK_EQ(w.user, 0);
	CHECK_EQ(w.nx, 0);
	/* Bit 12 of a 2 MiB PDE is PAT, not an address bit. */
	put64(mem, 0x1fd010, 0x401083);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1fb000, NULL, 0x401234, &w), 0);
	CHECK_EQ(w.phys, 0x401234);
	vmm_walk_level_flags(&w, 2, f, sizeof(f));
	CHECK_STR(f, "P RW PS PAT");

	/* 1 GiB page at 5 GiB (beyond memory: the walk is still OK). */
	put64(mem, 0x1000, 0x2003);	/* PML4 0x1000 [0] -> PDPT 0x2000 */
	put64(mem, 0x2008, 0x140000083ull);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x40123456, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 2);
	check_level(&w, 1, "PDPT", 0x2000, 1, 38, 30, 0x140000083ull, 1);
	CHECK_EQ(w.phys, 0x140123456ull);
	CHECK_EQ(w.page_size, 0x40000000);
	put64(mem, 0x2008, 0x140002083ull);	/* bit 13: reserved in a 1 GiB PDPTE */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x40123456, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 1);
	CHECK_EQ(w.reserved, 0x2000);

	/* Canonical: the upper half is fine, the hole is not. */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0xffff800000001000ull, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 0);
	CHECK_EQ(w.lvl[0].index, 256);
	CHECK_EQ(w.lvl[0].entry_addr, 0x1800);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x0000800000000000ull, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_NONCANONICAL);
	CHECK_EQ(w.nlevels, 0);
	CHECK_EQ(w.fail_level, -1);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0xffff7fffffffffffull, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_NONCANONICAL);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x00007fffffffffffull, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_NOT_PRESENT);

	/* Outside memory: CR3 beyond the end, an entry pointing past it, an entry straddling it. */
	build_4level();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x400000, NULL, LIN4K, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 0);
	CHECK_EQ(w.lvl[0].entry_addr, 0x400018);
	CHECK_EQ(w.lvl[0].entry, 0);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, ~0ull, NULL, LIN4K, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 0);
	CHECK_EQ(w.lvl[0].table, 0x000ffffffffff000ull);
	put64(mem, 0x3038, 0x7ff007);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 3);
	CHECK_EQ(w.lvl[3].table, 0x7ff000);
	put64(mem, 0x3038, 0xfffffffffffff007ull);	/* every address bit set: no overflow */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, LIN4K, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 3);
	CHECK_EQ(w.lvl[3].table, 0x000ffffffffff000ull);
	CHECK_EQ(w.lvl[3].entry_addr, 0x000ffffffffff048ull);
	build_4level();
	view.size = 0x1fd014;
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1fb000, NULL, 0x401234, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 2);
	view.size = 0x1fd018;
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1fb000, NULL, 0x401234, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
}

/* 5-level: PML5 0x5000 [1] -> PML4 0x6000 [0] -> PDPT 0x7000 [0] -> PD 0x8000 [2] (2 MiB). */
#define LIN5 0x0001000000401234ull

static void test_5level(void)
{
	struct vmm_walk w;

	reset();
	put64(mem, 0x5008, 0x6007);
	put64(mem, 0x6000, 0x7007);
	put64(mem, 0x7000, 0x8007);
	put64(mem, 0x8010, 0x400087);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_5LEVEL, 0x5000, NULL, LIN5, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_OK);
	CHECK_EQ(w.nlevels, 4);
	check_level(&w, 0, "PML5", 0x5000, 1, 56, 48, 0x6007, 0);
	check_level(&w, 1, "PML4", 0x6000, 0, 47, 39, 0x7007, 0);
	check_level(&w, 2, "PDPT", 0x7000, 0, 38, 30, 0x8007, 0);
	check_level(&w, 3, "PD", 0x8000, 2, 29, 21, 0x400087, 1);
	CHECK_EQ(w.phys, 0x401234);
	CHECK_EQ(w.page_size, 0x200000);
	CHECK_EQ(w.user, 1);
	CHECK_EQ(w.writable, 1);

	/* The same address is not canonical with 4 levels. */
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x6000, NULL, LIN5, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_NONCANONICAL);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_5LEVEL, 0x5000, NULL, 0x0100000000000000ull, &w), 0);
	CHECK_EQ(w.status, VMM_WALK_NONCANONICAL);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_5LEVEL, 0x5000, NULL, 0xff00000000000000ull, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 0);
	CHECK_EQ(w.lvl[0].index, 256);

	/* PS in a PML5E is reserved; not present at the PML5. */
	put64(mem, 0x5008, 0x6087);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_5LEVEL, 0x5000, NULL, LIN5, &w), 0);
	check_stop(&w, VMM_WALK_RESERVED, 0);
	CHECK_EQ(w.reserved, 0x80);
	put64(mem, 0x5008, 0x6006);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_5LEVEL, 0x5000, NULL, LIN5, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 0);
	put64(mem, 0x5008, 0x6007);
	put64(mem, 0x8010, 0x400086);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_5LEVEL, 0x5000, NULL, LIN5, &w), 0);
	check_stop(&w, VMM_WALK_NOT_PRESENT, 3);
}

static void test_flags_and_args(void)
{
	struct vmm_mem_view empty = { .size = 0 }, bad = { .size = 4096 };
	struct vmm_walk_opts o = { .nxe = true, .pse = true, .maxphyaddr = 60 };
	struct vmm_walk w;
	char f[64];

	vmm_walk_flags(0x8000000000000163ull, VMM_PAGING_4LEVEL, f, sizeof(f));
	CHECK_STR(f, "P RW A D G NX");
	vmm_walk_flags(0x8000000000000163ull, VMM_PAGING_32, f, sizeof(f));
	CHECK_STR(f, "P RW A D G");
	vmm_walk_flags(0x1ff, VMM_PAGING_PAE, f, sizeof(f));
	CHECK_STR(f, "P RW US PWT PCD A D PS G");
	vmm_walk_flags(0, VMM_PAGING_PAE, f, sizeof(f));
	CHECK_STR(f, "");
	vmm_walk_flags(0x7, VMM_PAGING_PAE, f, 5);
	CHECK_STR(f, "P RW");
	vmm_walk_flags(0x7, VMM_PAGING_PAE, f, 4);
	CHECK_STR(f, "P");
	vmm_walk_flags(0x7, VMM_PAGING_PAE, NULL, 0);	/* must not crash */

	vmm_walk_opts_init(&o, 0x10, 1u << 11);
	CHECK_EQ(o.pse, 1);
	CHECK_EQ(o.nxe, 1);
	CHECK_EQ(o.maxphyaddr, 52);
	vmm_walk_opts_init(&o, 0x20, 1u << 10);
	CHECK_EQ(o.pse, 0);
	CHECK_EQ(o.nxe, 0);

	reset();
	CHECK_EQ(vmm_walk(NULL, VMM_PAGING_32, 0, NULL, 0, &w), -EINVAL);
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_32, 0, NULL, 0, NULL), -EINVAL);
	CHECK_EQ(vmm_walk(&bad, VMM_PAGING_32, 0, NULL, 0, &w), -EINVAL);
	CHECK_EQ(vmm_walk(&view, (enum vmm_paging)99, 0, NULL, 0, &w), -EINVAL);
	o.maxphyaddr = 60;
	CHECK_EQ(vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0, NULL, 0, &o, &w), -EINVAL);
	CHECK_EQ(vmm_walk(&empty, VMM_PAGING_4LEVEL, 0, NULL, 0, &w), 0);
	check_stop(&w, VMM_WALK_OUTSIDE_MEMORY, 0);
}

/* Random tables and addresses: the walker must stay inside memory and keep its invariants. */
static void test_random(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, bad = 0;
	struct vmm_walk w;

	reset();
	view.size = 0x10000;
	for (int round = 0; round < 200000; round++) {
		enum vmm_paging p = (enum vmm_paging)(round % 5);
		uint64_t pdptr[4], lin, cr3;

		for (int k = 0; k < 16; k++) {	/* scribble over the tables */
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			mem[x % 0x10000] = (uint8_t)(x >> 24);
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		lin = (p == VMM_PAGING_32 || p == VMM_PAGING_PAE) ? (uint32_t)x : x;
		cr3 = (x >> 17) & 0x1ffff;
		for (int k = 0; k < 4; k++)
			pdptr[k] = x * (unsigned)(k + 1) | 1;
		if (vmm_walk(&view, p, cr3, round & 1 ? pdptr : NULL, lin, &w) != 0 ||
		    w.nlevels < 0 || w.nlevels > 5 || w.fail_level >= w.nlevels ||
		    (w.status == VMM_WALK_OK) != (w.fail_level == -1 &&
						  w.status != VMM_WALK_NONCANONICAL) ||
		    (w.status == VMM_WALK_OK && p != VMM_PAGING_NONE &&
		     !w.lvl[w.nlevels - 1].leaf))
			bad++;
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	mem = calloc(1, MEM_SIZE);
	if (!mem) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	test_mode_select();
	test_no_paging();
	test_32();
	test_pae();
	test_4level();
	test_5level();
	test_flags_and_args();
	test_random();
	free(mem);
	return check_summary();
}
