/* pagewalk.h - a software x86 page walk over guest memory, level by level. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vmm_paging {
	VMM_PAGING_NONE,    /* CR0.PG clear: linear = physical */
	VMM_PAGING_32,      /* 2-level, 4 KiB pages, 4 MiB pages with CR4.PSE */
	VMM_PAGING_PAE,     /* 3-level with PDPTEs, 4 KiB / 2 MiB pages */
	VMM_PAGING_4LEVEL,  /* long mode, 4 KiB / 2 MiB / 1 GiB pages */
	VMM_PAGING_5LEVEL,  /* long mode with CR4.LA57 */
};

enum vmm_walk_status {
	VMM_WALK_OK,
	VMM_WALK_NOT_PRESENT,    /* an entry with P = 0 */
	VMM_WALK_RESERVED,       /* an entry with a reserved bit set */
	VMM_WALK_OUTSIDE_MEMORY, /* a table or entry lies outside guest memory */
	VMM_WALK_NONCANONICAL,   /* the address is not canonical for the paging mode */
};

/* What CR4, EFER and CPUID add to a walk. */
struct vmm_walk_opts {
	bool nxe;             /* EFER.NXE: bit 63 is NX (else reserved) in PAE and long mode */
	bool pse;             /* CR4.PSE: PDE.PS maps a 4 MiB page in 32-bit paging */
	unsigned maxphyaddr;  /* physical-address width, 32..52; 0 means 52 */
	bool wp;              /* CR0.WP: supervisor writes honour read-only pages */
	bool smep, smap;      /* CR4.SMEP, CR4.SMAP */
};

struct vmm_walk_level {
	const char *name;      /* "PML5", "PML4", "PDPT", "PD", "PT" (32-bit: "PD", "PT") */
	uint64_t table;        /* guest physical address of the table */
	unsigned index;        /* entry index in that table */
	unsigned bit_hi, bit_lo; /* linear-address bits the index came from */
	uint64_t entry_addr;   /* guest physical address of the entry */
	uint64_t entry;        /* raw entry (zero-extended for 4-byte entries) */
	unsigned entry_size;   /* 4 or 8 */
	bool leaf;             /* this entry maps the page (PS set, or last level) */
};

struct vmm_walk {
	enum vmm_paging paging;
	uint64_t linear;
	int nlevels;                     /* levels filled in lvl[] */
	struct vmm_walk_level lvl[5];
	enum vmm_walk_status status;
	int fail_level;                  /* index into lvl[] where the walk stopped, -1 if OK
					    (and for NONCANONICAL, which stops before any table) */
	uint64_t phys;                   /* final physical address (status OK; may lie beyond mem_size) */
	uint64_t page_size;              /* 4K, 2M, 4M or 1G (status OK); 0 with no paging */
	bool writable, user, nx;         /* effective permissions over all levels (status OK) */
	uint64_t cr3;                    /* CR3 as given */
	uint64_t mem_size;               /* size of the guest memory walked, to judge phys */
	uint64_t reserved;               /* the reserved bits set in the failing entry (RESERVED) */
	struct vmm_walk_opts opt;        /* the options the walk ran with, to explain its verdict */
	/* The verdict for supervisor (CPL 0-2) accesses (status OK), SDM Vol. 3A 4.6.1:
	 * writes to a read-only page succeed when CR0.WP = 0; with CR4.SMEP a fetch from a user
	 * page faults; with CR4.SMAP a data access to a user page faults unless EFLAGS.AC = 1. */
	bool sup_write, sup_fetch, sup_data;
};

/* Guest physical memory as the walker sees it: a direct view (base), or, when base is NULL,
 * read(ctx, gpa, buf, len) returning 0 or -errno (memory inside another process). */
struct vmm_mem_view {
	const uint8_t *base;
	uint64_t size;
	int (*read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	void *ctx;
};

/* Which paging structure CR0/CR4/EFER select. */
enum vmm_paging vmm_paging_mode(uint64_t cr0, uint64_t cr4, uint64_t efer);

/* Walk linear under cr3; pdptr (4 entries) overrides the PDPTEs in memory for PAE, or NULL.
 * Assumes EFER.NXE = 1, CR4.PSE = 1, CR0.WP = 1, no SMEP/SMAP and MAXPHYADDR 52. 0 when walked (result, even a failed
 * walk, in *w), -EINVAL for bad arguments (a linear address above 4 GiB in 32-bit or PAE). */
int vmm_walk(const struct vmm_mem_view *mem, enum vmm_paging paging, uint64_t cr3,
	     const uint64_t *pdptr, uint64_t linear, struct vmm_walk *w);

/* vmm_walk with explicit NXE, PSE and MAXPHYADDR (opts NULL: as vmm_walk). */
int vmm_walk_ex(const struct vmm_mem_view *mem, enum vmm_paging paging, uint64_t cr3,
		const uint64_t *pdptr, uint64_t linear, const struct vmm_walk_opts *opts,
		struct vmm_walk *w);

/* Options from the guest's CR4 and EFER (MAXPHYADDR 52, CR0.WP set, no SMEP/SMAP). */
void vmm_walk_opts_init(struct vmm_walk_opts *opts, uint64_t cr4, uint64_t efer);

/* Options from the guest's CR0, CR4, EFER and the MAXPHYADDR its CPUID leaf 0x80000008 gives
 * (0: 52). */
void vmm_walk_opts_cpu(struct vmm_walk_opts *opts, uint64_t cr0, uint64_t cr4, uint64_t efer,
		       unsigned maxphyaddr);

/* MAXPHYADDR from CPUID: leaf 0x80000008 EAX[7:0] when the leaf exists (has_leaf), else 36
 * with PAE (leaf 1 EDX bit 6) or 32 (SDM Vol. 3A 4.1.4). */
unsigned vmm_maxphyaddr(bool has_leaf, uint32_t eax_80000008, uint32_t edx_1);

/* Flags of an entry as text ("P RW US PWT PCD A D PS G NX", only the set ones) into buf. */
void vmm_walk_flags(uint64_t entry, enum vmm_paging paging, char *buf, size_t len);

/* Flags of lvl[i] of w, named for its level: bit 7 is PAT in a PT, bit 12 PAT in a large page,
 * a PAE PDPTE shows P PWT PCD only. */
void vmm_walk_level_flags(const struct vmm_walk *w, int i, char *buf, size_t len);

/* One phrase for a status ("not present", "reserved bit set", ...). */
const char *vmm_walk_status_name(enum vmm_walk_status s);

/* Name of a paging mode ("none", "32-bit", "PAE", "4-level", "5-level"). */
const char *vmm_paging_name(enum vmm_paging p);
