/* pagewalk.c - a software x86 page walk over guest memory, level by level.
 *
 * The guest controls every entry, so every read is bounds-checked against the memory view
 * and every address is masked to MAXPHYADDR (at most 52 bits) before use: nothing here can
 * overflow a uint64_t or read outside [base, base + size).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "pagewalk.h"
#include "x86.h"

#define BIT(n) (1ull << (n))
#define BITS(hi, lo) ((~0ull >> (63 - (hi))) & ~(BIT(lo) - 1)) /* bits hi..lo, hi >= lo */

/* One level of a paging structure: its name, the linear bits of its index, whether PS ends it. */
struct level_fmt {
	const char *name;
	unsigned shift, width;  /* index = linear bits shift+width-1 .. shift */
	bool large_ok;          /* PS = 1 maps a page here */
};

static const struct level_fmt fmt_32[] = {
	{ "PD", 22, 10, true },
	{ "PT", 12, 10, false },
};

static const struct level_fmt fmt_pae[] = {
	{ "PDPT", 30, 2, false },
	{ "PD", 21, 9, true },
	{ "PT", 12, 9, false },
};

/* 5-level paging uses all five; 4-level starts at PML4. */
static const struct level_fmt fmt_long[] = {
	{ "PML5", 48, 9, false },
	{ "PML4", 39, 9, false },
	{ "PDPT", 30, 9, true },
	{ "PD", 21, 9, true },
	{ "PT", 12, 9, false },
};

static const struct vmm_walk_opts default_opts = {
	.nxe = true, .pse = true, .maxphyaddr = 52, .wp = true,
};

enum vmm_paging vmm_paging_mode(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	if (!(cr0 & X86_CR0(PG)))
		return VMM_PAGING_NONE;
	if (!(cr4 & X86_CR4(PAE)))
		return VMM_PAGING_32;
	if (!(efer & X86_EFER(LMA)))
		return VMM_PAGING_PAE;
	return (cr4 & X86_CR4(LA57)) ? VMM_PAGING_5LEVEL : VMM_PAGING_4LEVEL;
}

void vmm_walk_opts_cpu(struct vmm_walk_opts *opts, uint64_t cr0, uint64_t cr4, uint64_t efer,
		       unsigned maxphyaddr)
{
	if (!opts)
		return;
	opts->nxe = efer & X86_EFER(NXE);
	opts->pse = cr4 & X86_CR4(PSE);
	opts->maxphyaddr = maxphyaddr ? maxphyaddr : 52;
	opts->wp = cr0 & X86_CR0(WP);
	opts->smep = cr4 & X86_CR4(SMEP);
	opts->smap = cr4 & X86_CR4(SMAP);
}

void vmm_walk_opts_init(struct vmm_walk_opts *opts, uint64_t cr4, uint64_t efer)
{
	vmm_walk_opts_cpu(opts, X86_CR0(WP), cr4, efer, 52);
}

unsigned vmm_maxphyaddr(bool has_leaf, uint32_t eax_80000008, uint32_t edx_1)
{
	unsigned m = eax_80000008 & 0xff;

	if (!has_leaf)
		return edx_1 & BIT(6) ? 36 : 32;
	return m < 32 ? 32 : m > 52 ? 52 : m;
}

/* Read a little-endian entry of size bytes at guest physical addr; -1 if not all inside memory. */
static int read_entry(const struct vmm_mem_view *mem, uint64_t addr, unsigned size, uint64_t *out)
{
	uint64_t v = 0;

	uint8_t b[8];

	if (addr >= mem->size || mem->size - addr < size || size > sizeof(b))
		return -1;
	if (!mem->base) {
		if (mem->read(mem->ctx, addr, b, size) < 0)
			return -1;
	} else {
		memcpy(b, mem->base + addr, size);
	}
	for (unsigned i = size; i-- > 0;)
		v = v << 8 | b[i];
	*out = v;
	return 0;
}

/* Reserved bits of an entry at level lf (large: it maps a page with PS = 1). */
static uint64_t reserved_mask(enum vmm_paging paging, const struct level_fmt *lf, bool large,
			      const struct vmm_walk_opts *o)
{
	unsigned m = o->maxphyaddr;
	uint64_t r = 0;

	if (paging == VMM_PAGING_32) {
		/* PSE-36: PDE bits (M-20)..13 are phys bits (M-1)..32, with M at most 40. */
		if (m > 40)
			m = 40;
		return large ? BITS(21, m - 19) : 0;
	}
	if (paging == VMM_PAGING_PAE) {
		if (m < 63)
			r |= BITS(62, m);
		if (lf == &fmt_pae[0])
			r |= BITS(2, 1) | BITS(8, 5) | X86_PTE(NX);
	} else {
		if (m < 52)
			r |= BITS(51, m);
		if (lf == &fmt_long[0] || lf == &fmt_long[1])
			r |= X86_PTE(PS);
	}
	if (!o->nxe)
		r |= X86_PTE(NX);
	if (large)
		r |= BITS(lf->shift - 1, 13);
	return r;
}

/* Physical base of the page a large or last-level entry maps (reserved bits already clear). */
static uint64_t page_base(enum vmm_paging paging, const struct level_fmt *lf, uint64_t entry,
			  unsigned m)
{
	if (paging == VMM_PAGING_32 && lf->shift == 22)
		return (entry & BITS(31, 22)) | ((entry >> 13) & 0xff) << 32;
	if (paging == VMM_PAGING_32)
		return entry & BITS(31, 12);
	return entry & BITS(m - 1, lf->shift);
}

/* Record where and why the walk stopped; returns 0 (the walk itself was performed). */
static int stop(struct vmm_walk *w, int i, enum vmm_walk_status status)
{
	w->status = status;
	w->fail_level = i;
	w->writable = w->user = w->nx = false;
	w->sup_write = w->sup_fetch = w->sup_data = false;
	return 0;
}

/* Non-zero when linear is a sign-extension of its bit (bits - 1). */
static bool canonical(uint64_t linear, unsigned bits)
{
	uint64_t top = linear >> (bits - 1);

	return top == 0 || top == (~0ull >> (bits - 1));
}

static int check_args(const struct vmm_mem_view *mem, enum vmm_paging paging, uint64_t linear,
		      const struct vmm_walk_opts *o, struct vmm_walk *w)
{
	if (!mem || !w || (!mem->base && !mem->read && mem->size))
		return vmm_fail(-EINVAL, "page walk: no memory view or result");
	if ((int)paging < (int)VMM_PAGING_NONE || (int)paging > (int)VMM_PAGING_5LEVEL)
		return vmm_fail(-EINVAL, "page walk: unknown paging mode %d", (int)paging);
	if (o->maxphyaddr < 32 || o->maxphyaddr > 52)
		return vmm_fail(-EINVAL, "page walk: MAXPHYADDR %u not in 32..52", o->maxphyaddr);
	if ((paging == VMM_PAGING_32 || paging == VMM_PAGING_PAE) && linear > UINT32_MAX)
		return vmm_fail(-EINVAL, "page walk: linear 0x%llx above 4 GiB in %s paging",
				(unsigned long long)linear, vmm_paging_name(paging));
	return 0;
}

int vmm_walk_ex(const struct vmm_mem_view *mem, enum vmm_paging paging, uint64_t cr3,
		const uint64_t *pdptr, uint64_t linear, const struct vmm_walk_opts *opts,
		struct vmm_walk *w)
{
	struct vmm_walk_opts o = opts ? *opts : default_opts;
	const struct level_fmt *fmt;
	unsigned size = 8, n;
	uint64_t table;
	int err;

	if (o.maxphyaddr == 0)
		o.maxphyaddr = 52;
	err = check_args(mem, paging, linear, &o, w);
	if (err)
		return err;
	memset(w, 0, sizeof(*w));
	w->paging = paging;
	w->linear = linear;
	w->cr3 = cr3;
	w->mem_size = mem->size;
	w->fail_level = -1;
	w->writable = w->user = true;
	w->opt = o;

	switch (paging) {
	case VMM_PAGING_NONE:
		w->phys = linear;
		w->sup_write = w->sup_fetch = w->sup_data = true;
		return 0;
	case VMM_PAGING_32:
		fmt = fmt_32, n = 2, size = 4, table = cr3 & BITS(31, 12);
		break;
	case VMM_PAGING_PAE:
		fmt = fmt_pae, n = 3, table = cr3 & BITS(31, 5);
		break;
	case VMM_PAGING_4LEVEL:
		fmt = fmt_long + 1, n = 4, table = cr3 & BITS(o.maxphyaddr - 1, 12);
		if (!canonical(linear, 48))
			return stop(w, -1, VMM_WALK_NONCANONICAL);
		break;
	default:
		fmt = fmt_long, n = 5, table = cr3 & BITS(o.maxphyaddr - 1, 12);
		if (!canonical(linear, 57))
			return stop(w, -1, VMM_WALK_NONCANONICAL);
		break;
	}

	for (unsigned i = 0; i < n; i++) {
		const struct level_fmt *lf = &fmt[i];
		struct vmm_walk_level *l = &w->lvl[i];
		bool pdpte = paging == VMM_PAGING_PAE && i == 0;
		uint64_t e;
		bool large;

		w->nlevels = (int)i + 1;
		l->name = lf->name;
		l->table = table;
		l->index = (unsigned)(linear >> lf->shift) & ((1u << lf->width) - 1);
		l->bit_hi = lf->shift + lf->width - 1;
		l->bit_lo = lf->shift;
		l->entry_size = size;
		l->entry_addr = table + (uint64_t)l->index * size;
		if (pdpte && pdptr)
			e = pdptr[l->index];
		else if (read_entry(mem, l->entry_addr, size, &e) < 0)
			return stop(w, (int)i, VMM_WALK_OUTSIDE_MEMORY);
		l->entry = e;
		if (!(e & X86_PTE(P)))
			return stop(w, (int)i, VMM_WALK_NOT_PRESENT);
		large = lf->large_ok && (e & X86_PTE(PS)) && (paging != VMM_PAGING_32 || o.pse);
		w->reserved = e & reserved_mask(paging, lf, large, &o);
		if (w->reserved)
			return stop(w, (int)i, VMM_WALK_RESERVED);
		if (!pdpte) {	/* PAE PDPTEs carry no permissions */
			w->writable &= !!(e & X86_PTE(RW));
			w->user &= !!(e & X86_PTE(US));
			w->nx |= size == 8 && (e & X86_PTE(NX));
		}
		if (large || i == n - 1) {
			l->leaf = true;
			w->sup_write = w->writable || !o.wp;
			w->sup_fetch = !w->nx && !(o.smep && w->user);
			w->sup_data = !(o.smap && w->user);
			w->page_size = BIT(lf->shift);
			w->phys = page_base(paging, lf, e, o.maxphyaddr) | (linear & (w->page_size - 1));
			return 0;
		}
		table = size == 4 ? e & BITS(31, 12) : e & BITS(o.maxphyaddr - 1, 12);
	}
	return 0;	/* not reached: the last level is always a leaf */
}

int vmm_walk(const struct vmm_mem_view *mem, enum vmm_paging paging, uint64_t cr3,
	     const uint64_t *pdptr, uint64_t linear, struct vmm_walk *w)
{
	return vmm_walk_ex(mem, paging, cr3, pdptr, linear, NULL, w);
}

/* Names of the bits of entry that are set and in show; pt: a last-level PT entry (bit 7 is PAT). */
static void flags_text(uint64_t entry, uint64_t show, bool pt, char *buf, size_t len)
{
	x86_bits_text(entry & show, pt ? x86_pte_bits_pt : x86_pte_bits, buf, len);
}

void vmm_walk_flags(uint64_t entry, enum vmm_paging paging, char *buf, size_t len)
{
	bool wide = paging == VMM_PAGING_PAE || paging == VMM_PAGING_4LEVEL ||
		    paging == VMM_PAGING_5LEVEL;

	flags_text(entry, BITS(8, 0) | (wide ? X86_PTE(NX) : 0), false, buf, len);
}

void vmm_walk_level_flags(const struct vmm_walk *w, int i, char *buf, size_t len)
{
	const struct vmm_walk_level *l;
	uint64_t show = BITS(8, 0);
	bool pt;

	if (buf && len)
		buf[0] = '\0';
	if (!w || i < 0 || i >= w->nlevels || i >= 5 || !w->lvl[i].name)
		return;
	l = &w->lvl[i];
	if (w->paging == VMM_PAGING_PAE && i == 0) {
		flags_text(l->entry, X86_PTE(P) | X86_PTE(PWT) | X86_PTE(PCD), false, buf, len);
		return;
	}
	pt = strcmp(l->name, "PT") == 0;
	if (l->entry_size == 8)
		show |= X86_PTE(NX);
	if (l->leaf && !pt)
		show |= X86_PTE(PAT);
	flags_text(l->entry, show, pt, buf, len);
}

const char *vmm_walk_status_name(enum vmm_walk_status s)
{
	switch (s) {
	case VMM_WALK_OK: return "ok";
	case VMM_WALK_NOT_PRESENT: return "not present";
	case VMM_WALK_RESERVED: return "reserved bit set";
	case VMM_WALK_OUTSIDE_MEMORY: return "outside guest memory";
	case VMM_WALK_NONCANONICAL: return "non-canonical address";
	}
	return "unknown";
}

const char *vmm_paging_name(enum vmm_paging p)
{
	switch (p) {
	case VMM_PAGING_NONE: return "none";
	case VMM_PAGING_32: return "32-bit";
	case VMM_PAGING_PAE: return "PAE";
	case VMM_PAGING_4LEVEL: return "4-level";
	case VMM_PAGING_5LEVEL: return "5-level";
	}
	return "unknown";
}
