/* mode.c - the five start modes: registers, segments, GDT, page tables and stack.
 *
 * Guest memory layout the VMM uses (N = --mem):
 *
 *   0x0 ........ image (where the ELF or --flat puts it)
 *   ............ free; the stack grows down from stack_top towards the image
 *   stack_top .. = tables_lo: the GDT page, then page tables, up to N (4 KiB aligned)
 *
 * The image must end at least VMM_STACK_MIN below stack_top, or set-up fails.
 */
#include "mode.h"

#include <errno.h>
#include <string.h>

#include "error.h"
#include "loader.h"
#include "vcpu.h"
#include "vm.h"
#include "x86.h"

#define TABLE_FLAGS (X86_PTE(P) | X86_PTE(RW) | X86_PTE(US)) /* 0x07: present, writable, user */
#define LEAF_FLAGS (TABLE_FLAGS | X86_PTE(PS))               /* 0x87: the same, and a large page */

#define PAGE 4096ull
#define MIB2 (2ull << 20)
#define MIB4 (4ull << 20)
#define GIB (1ull << 30)

/* GDT selectors the VMM's GDT provides (also in guests/README.md). */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* Pages of page tables each mode needs for an identity map of mem bytes. */
static uint64_t table_pages(enum vmm_mode mode, bool small, uint64_t mem)
{
	switch (mode) {
	case VMM_MODE_PAGED32:
		return 1;                                   /* one page directory */
	case VMM_MODE_PAE:
		return 1 + div_up(mem, GIB);                /* PDPT + a PD per GiB */
	case VMM_MODE_LONG:
		return 2 + div_up(mem, GIB) + (small ? div_up(mem, MIB2) : 0);
	default:
		return 0;
	}
}

#define TYPE_CODE (X86_SEG_TYPE_CODE | X86_SEG_TYPE_RW | X86_SEG_TYPE_ACCESSED) /* 11: execute/read */
#define TYPE_DATA (X86_SEG_TYPE_RW | X86_SEG_TYPE_ACCESSED)                     /* 3: read/write */

/* Flat segment covering 4 GiB: 32-bit code or data, or (code64) 64-bit code. */
static struct kvm_segment flat_seg(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

/* The GDT: null, then the descriptors of flat_seg() code32 (0x00cf9b000000ffff), data
 * (0x00cf93000000ffff) and code64 (0x00af9b000000ffff), so segment reloads give the same state. */
static void write_gdt(uint64_t *gdt)
{
	struct kvm_segment code32 = flat_seg(SEL_CODE32, TYPE_CODE, false);
	struct kvm_segment data = flat_seg(SEL_DATA, TYPE_DATA, false);
	struct kvm_segment code64 = flat_seg(SEL_CODE64, TYPE_CODE, true);

	gdt[0] = 0;
	gdt[SEL_CODE32 / 8] = x86_desc_pack(&code32);
	gdt[SEL_DATA / 8] = x86_desc_pack(&data);
	gdt[SEL_CODE64 / 8] = x86_desc_pack(&code64);
}

static void set_data_segs(struct kvm_sregs *s, struct kvm_segment seg)
{
	s->ds = s->es = s->fs = s->gs = s->ss = seg;
}

/* real: like kvm-hello-world, but with a stack and any entry below 1 MiB.
 *   CR0 = KVM's reset value 0x60000010 (CD NW ET; PE clear: real mode), CR3 = CR4 = EFER = 0.
 *   CS = the 64 KiB segment holding the entry: base = entry & ~0xFFFF (0 below 64 KiB),
 *        selector = base >> 4, limit 0xFFFF, 16-bit; IP = entry - base.
 *   DS = ES = FS = GS = SS = selector 0, base 0, limit 0xFFFF (the first 64 KiB).
 *   SP = 16 bytes below the lower of 64 KiB and the top of free memory (SS = 0 reaches
 *        only the first 64 KiB). No GDT, no IDT, no page tables. */
static int setup_real(struct kvm_sregs *s, struct kvm_regs *r, const struct vmm_image *img,
		      struct vmm_layout *lay)
{
	struct kvm_segment seg = s->cs;
	uint64_t cs_base = img->entry < 0x10000 ? 0 : (img->entry & ~0xffffull);

	if (img->entry >= 0x100000)
		return vmm_fail(-EINVAL, "entry 0x%llx is above 1 MiB: real mode cannot reach it",
				(unsigned long long)img->entry);
	seg.selector = (uint16_t)(cs_base >> 4);
	seg.base = cs_base;
	s->cs = seg;
	seg.selector = 0;
	seg.base = 0;
	seg.type = TYPE_DATA;
	set_data_segs(s, seg);
	r->rip = img->entry - cs_base;
	r->rsp = lay->stack_top;
	return 0;
}

/* protected: flat 32-bit protected mode, paging off (linear = physical).
 *   CR0 = PE, CR3 = CR4 = EFER = 0.
 *   GDTR = the VMM's GDT (null, 0x08 code32, 0x10 data, 0x18 code64), so the guest can reload
 *        segment registers with the same values.
 *   CS = 0x08: base 0, limit 4 GiB, execute/read, D = 1 (32-bit code), G = 1.
 *   DS = ES = FS = GS = SS = 0x10: base 0, limit 4 GiB, read/write, B = 1.
 *   ESP = the top of free memory (just below the GDT page). */
static void setup_protected(struct vmm_vm *vm, struct kvm_sregs *s, struct kvm_regs *r,
			    const struct vmm_layout *lay)
{
	write_gdt((uint64_t *)(vm->mem + lay->tables_lo));
	s->gdt.base = lay->tables_lo;
	s->gdt.limit = 4 * 8 - 1;
	s->cr0 = X86_CR0(PE);
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
	s->cs = flat_seg(SEL_CODE32, TYPE_CODE, false);
	set_data_segs(s, flat_seg(SEL_DATA, TYPE_DATA, false));
	r->rsp = lay->stack_top;
}

/* What every paging mode adds to CR0: PG (paging; needs PE), MP ET NE (native x87 error
 * reporting), WP (supervisor writes honour read-only pages) and AM, as a modern OS runs. */
#define CR0_PAGING (X86_CR0(PE) | X86_CR0(MP) | X86_CR0(ET) | X86_CR0(NE) | X86_CR0(WP) | \
		    X86_CR0(AM) | X86_CR0(PG))

/* paged32: protected, plus 32-bit paging with 4 MiB pages.
 *   CR4 = PSE (a PDE with PS maps 4 MiB), CR3 = one page directory, CR0 |= CR0_PAGING.
 *   PDE[i] = i * 4 MiB | P RW US PS (0x87): an identity map of all guest memory. */
static void setup_paged32(struct vmm_vm *vm, struct kvm_sregs *s, uint64_t pd)
{
	uint32_t *pde = (uint32_t *)(vm->mem + pd);

	for (uint64_t i = 0; i < div_up(vm->mem_size, MIB4); i++)
		pde[i] = (uint32_t)(i * MIB4 | LEAF_FLAGS);
	s->cr3 = pd;
	s->cr4 = X86_CR4(PSE);
	s->cr0 |= CR0_PAGING;
}

/* pae: protected, plus PAE paging with 2 MiB pages.
 *   CR4 = PAE (64-bit entries, 3 levels), CR3 = the PDPT (32-byte aligned), CR0 |= CR0_PAGING.
 *   PDPTE[g] = PD | P (0x1: RW and US are reserved in PAE PDPTEs), one PD per GiB;
 *   PDE[i] = address | P RW US PS (0x87): an identity map of all guest memory. */
static void setup_pae(struct vmm_vm *vm, struct kvm_sregs *s, uint64_t pdpt)
{
	uint64_t *pdpte = (uint64_t *)(vm->mem + pdpt);

	for (uint64_t g = 0; g < div_up(vm->mem_size, GIB); g++) {
		uint64_t pd = pdpt + PAGE * (1 + g);
		uint64_t *pde = (uint64_t *)(vm->mem + pd);

		pdpte[g] = pd | X86_PTE(P);
		for (uint64_t i = 0; i < 512 && g * GIB + i * MIB2 < vm->mem_size; i++)
			pde[i] = (g * GIB + i * MIB2) | LEAF_FLAGS;
	}
	s->cr3 = pdpt;
	s->cr4 = X86_CR4(PAE);
	s->cr0 |= CR0_PAGING;
}

/* long: protected, plus 4-level paging and a 64-bit code segment.
 *   CR4 = PAE (required for long mode), CR3 = the PML4, CR0 |= CR0_PAGING,
 *   EFER = LME | LMA (LME asks for long mode, LMA says it is active: VMX needs both when the
 *        state comes from user space).
 *   CS = 0x18: L = 1, D = 0 (64-bit code); data segments stay 0x10 (ignored in 64-bit mode).
 *   PML4[0] -> PDPT -> one PD per GiB; tables | P RW US (0x7); 2 MiB leaves | 0x87, or with
 *   small pages one PT per 2 MiB with 4 KiB leaves | 0x7: an identity map of all memory. */
static void setup_long(struct vmm_vm *vm, struct kvm_sregs *s, uint64_t pml4, bool small)
{
	uint64_t pdpt = pml4 + PAGE, ngib = div_up(vm->mem_size, GIB);
	uint64_t *pml4e = (uint64_t *)(vm->mem + pml4), *pdpte = (uint64_t *)(vm->mem + pdpt);
	uint64_t pt = pdpt + PAGE * (1 + ngib);

	pml4e[0] = pdpt | TABLE_FLAGS;
	for (uint64_t g = 0; g < ngib; g++) {
		uint64_t pd = pdpt + PAGE * (1 + g);
		uint64_t *pde = (uint64_t *)(vm->mem + pd);

		pdpte[g] = pd | TABLE_FLAGS;
		for (uint64_t i = 0; i < 512 && g * GIB + i * MIB2 < vm->mem_size; i++) {
			uint64_t base = g * GIB + i * MIB2;

			if (!small) {
				pde[i] = base | LEAF_FLAGS;
				continue;
			}
			pde[i] = pt | TABLE_FLAGS;
			for (uint64_t k = 0; k < 512; k++)
				((uint64_t *)(vm->mem + pt))[k] = (base + k * PAGE) | TABLE_FLAGS;
			pt += PAGE;
		}
	}
	s->cr3 = pml4;
	s->cr4 = X86_CR4(PAE);
	s->cr0 |= CR0_PAGING;
	s->efer = X86_EFER(LME) | X86_EFER(LMA);
	s->cs = flat_seg(SEL_CODE64, TYPE_CODE, true);
}

/* Where the VMM's pages and the stack go; fails, before anything is written, if the image is there. */
static int plan_layout(const struct vmm_vm *vm, enum vmm_mode mode, bool small_pages,
		       const struct vmm_image *img, struct vmm_layout *lay)
{
	uint64_t ntab = mode == VMM_MODE_REAL ? 0 : 1 + table_pages(mode, small_pages, vm->mem_size);

	if (ntab * PAGE + VMM_STACK_MIN > vm->mem_size)
		return vmm_fail(-ENOMEM, "%llu KiB of guest memory cannot hold %s mode's %llu pages "
				"of tables and a stack: use a larger --mem",
				(unsigned long long)vm->mem_size >> 10, vmm_mode_name(mode),
				(unsigned long long)ntab);
	memset(lay, 0, sizeof(*lay));
	lay->tables_lo = vm->mem_size - ntab * PAGE;
	lay->tables_hi = vm->mem_size;
	lay->stack_top = lay->tables_lo;
	if (mode == VMM_MODE_REAL)
		lay->stack_top = (lay->stack_top < 0x10000 ? lay->stack_top : 0x10000) - 0x10;
	lay->stack_lo = lay->stack_top - VMM_STACK_MIN;
	if (img->hi > lay->stack_lo && img->lo < (ntab ? lay->tables_hi : lay->stack_top))
		return vmm_fail(-ENOSPC, "the image (0x%llx-0x%llx) overlaps the stack and tables the "
				"VMM needs at 0x%llx-0x%llx in %s mode: use a larger --mem",
				(unsigned long long)img->lo, (unsigned long long)img->hi - 1,
				(unsigned long long)lay->stack_lo,
				(unsigned long long)(ntab ? lay->tables_hi : lay->stack_top) - 1,
				vmm_mode_name(mode));
	if (!ntab)
		lay->tables_lo = lay->tables_hi = 0;
	return 0;
}

int vmm_mode_setup(struct vmm_vcpu *vcpu, enum vmm_mode mode, const struct vmm_image *img,
		   bool small_pages, struct vmm_layout *lay)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_sregs *s = &vcpu->sregs;
	struct kvm_regs *r = &vcpu->regs;
	uint64_t tables;
	int ret;

	if ((unsigned)mode >= VMM_MODE__COUNT)
		return vmm_fail(-EINVAL, "unknown mode %d", mode);
	ret = plan_layout(vm, mode, small_pages, img, lay);
	if (ret == 0)
		ret = vmm_vcpu_load(vcpu);
	if (ret < 0)
		return ret;
	memset(r, 0, sizeof(*r));
	r->rflags = X86_RFLAGS_FIXED;  /* IF clear: no interrupts */
	r->rip = img->entry;
	if (mode == VMM_MODE_REAL) {
		ret = setup_real(s, r, img, lay);
		if (ret < 0)
			return ret;
	} else {
		memset(vm->mem + lay->tables_lo, 0, lay->tables_hi - lay->tables_lo);
		setup_protected(vm, s, r, lay);
	}
	tables = lay->tables_lo + PAGE;  /* after the GDT page */
	if (mode == VMM_MODE_PAGED32)
		setup_paged32(vm, s, tables);
	else if (mode == VMM_MODE_PAE)
		setup_pae(vm, s, tables);
	else if (mode == VMM_MODE_LONG)
		setup_long(vm, s, tables, small_pages);
	ret = vmm_vcpu_store_sregs(vcpu);
	if (ret == 0)
		ret = vmm_vcpu_store_regs(vcpu);
	return ret;
}
