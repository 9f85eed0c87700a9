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

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_US 0x4ull
#define PTE_PS 0x80ull
#define TABLE_FLAGS (PTE_P | PTE_RW | PTE_US)   /* 0x07: present, writable, user */
#define LEAF_FLAGS (TABLE_FLAGS | PTE_PS)      /* 0x87: the same, and a large page */

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

/* Flat segment covering 4 GiB: type 11 = code execute/read accessed, 3 = data read/write accessed. */
static struct kvm_segment flat_seg(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

/* GDT descriptors matching flat_seg(): null, code32, data, code64. */
static void write_gdt(uint64_t *gdt)
{
	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffull; /* 0x08: base 0, limit 4G, code, D=1 */
	gdt[2] = 0x00cf93000000ffffull; /* 0x10: base 0, limit 4G, data, B=1 */
	gdt[3] = 0x00af9b000000ffffull; /* 0x18: base 0, limit 4G, code, L=1 */
}

static void set_data_segs(struct kvm_sregs *s, struct kvm_segment seg)
{
	s->ds = s->es = s->fs = s->gs = s->ss = seg;
}

/* CS=0 style real mode (like kvm-hello-world), with the entry reachable from CS:IP. */
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
	seg.type = 3;
	set_data_segs(s, seg);
	r->rip = img->entry - cs_base;
	if (lay->stack_top > 0x10000)
		lay->stack_top = 0x10000;
	r->rsp = (lay->stack_top - 0x10) & 0xffff;  /* SS = 0: the stack lives below 64 KiB */
	lay->stack_top = r->rsp;
	return 0;
}

static void setup_paged32(struct vmm_vm *vm, struct kvm_sregs *s, uint64_t pd)
{
	uint32_t *pde = (uint32_t *)(vm->mem + pd);

	/* One 4 MiB PSE page per 4 MiB of memory: PDE[i] = i*4M | P RW US PS. */
	for (uint64_t i = 0; i < div_up(vm->mem_size, MIB4); i++)
		pde[i] = (uint32_t)(i * MIB4 | LEAF_FLAGS);
	s->cr3 = pd;
	s->cr4 = CR4_PSE;
}

static void setup_pae(struct vmm_vm *vm, struct kvm_sregs *s, uint64_t pdpt)
{
	uint64_t *pdpte = (uint64_t *)(vm->mem + pdpt);

	/* PDPTEs take only P (bits 1, 2 are reserved in PAE); each PD maps 1 GiB in 2 MiB pages. */
	for (uint64_t g = 0; g < div_up(vm->mem_size, GIB); g++) {
		uint64_t pd = pdpt + PAGE * (1 + g);
		uint64_t *pde = (uint64_t *)(vm->mem + pd);

		pdpte[g] = pd | PTE_P;
		for (uint64_t i = 0; i < 512 && g * GIB + i * MIB2 < vm->mem_size; i++)
			pde[i] = (g * GIB + i * MIB2) | LEAF_FLAGS;
	}
	s->cr3 = pdpt;
	s->cr4 = CR4_PAE;
}

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
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;  /* VMX needs LMA as well as LME when set from user space */
}

int vmm_mode_setup(struct vmm_vcpu *vcpu, enum vmm_mode mode, const struct vmm_image *img,
		   bool small_pages, struct vmm_layout *lay)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_sregs *s = &vcpu->sregs;
	struct kvm_regs *r = &vcpu->regs;
	uint64_t ntab = mode == VMM_MODE_REAL ? 0 : 1 + table_pages(mode, small_pages, vm->mem_size);
	uint64_t gdt, tables;
	int ret;

	if ((unsigned)mode >= VMM_MODE__COUNT)
		return vmm_fail(-EINVAL, "unknown mode %d", mode);
	if (ntab * PAGE + VMM_STACK_MIN > vm->mem_size)
		return vmm_fail(-ENOMEM, "%llu KiB of guest memory cannot hold %s mode's %llu pages "
				"of tables and a stack: use a larger --mem",
				(unsigned long long)vm->mem_size >> 10, vmm_mode_name(mode),
				(unsigned long long)ntab);
	memset(lay, 0, sizeof(*lay));
	lay->tables_lo = vm->mem_size - ntab * PAGE;
	lay->tables_hi = ntab ? vm->mem_size : lay->tables_lo;
	lay->stack_top = lay->tables_lo;
	gdt = lay->tables_lo;
	tables = gdt + PAGE;

	ret = vmm_vcpu_load(vcpu);
	if (ret < 0)
		return ret;
	memset(r, 0, sizeof(*r));
	r->rflags = 0x2;        /* bit 1 is always set; interrupts off */
	r->rip = img->entry;

	if (mode == VMM_MODE_REAL) {
		ret = setup_real(s, r, img, lay);
		if (ret < 0)
			return ret;
	} else {
		memset(vm->mem + lay->tables_lo, 0, ntab * PAGE);
		write_gdt((uint64_t *)(vm->mem + gdt));
		s->gdt.base = gdt;
		s->gdt.limit = 4 * 8 - 1;
		s->cr0 = CR0_PE;
		s->cr4 = 0;
		s->efer = 0;
		s->cs = flat_seg(SEL_CODE32, 11, false);
		set_data_segs(s, flat_seg(SEL_DATA, 3, false));
		r->rsp = lay->stack_top;
	}
	switch (mode) {
	case VMM_MODE_PAGED32:
		setup_paged32(vm, s, tables);
		break;
	case VMM_MODE_PAE:
		setup_pae(vm, s, tables);
		break;
	case VMM_MODE_LONG:
		setup_long(vm, s, tables, small_pages);
		s->cs = flat_seg(SEL_CODE64, 11, true);
		break;
	default:
		break;
	}
	if (mode >= VMM_MODE_PAGED32)
		s->cr0 |= CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;

	lay->stack_lo = lay->stack_top - VMM_STACK_MIN;
	if (img->hi > lay->stack_lo && img->lo < lay->tables_hi)
		return vmm_fail(-ENOSPC, "the image (0x%llx-0x%llx) overlaps the stack and tables the "
				"VMM needs at 0x%llx-0x%llx in %s mode: use a larger --mem",
				(unsigned long long)img->lo, (unsigned long long)img->hi - 1,
				(unsigned long long)lay->stack_lo,
				(unsigned long long)(lay->tables_hi > lay->stack_top ?
						     lay->tables_hi : lay->stack_top) - 1,
				vmm_mode_name(mode));
	ret = vmm_vcpu_store_sregs(vcpu);
	if (ret == 0)
		ret = vmm_vcpu_store_regs(vcpu);
	return ret;
}
