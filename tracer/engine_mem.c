/* engine_mem.c - guest addresses as the step engine sees them: CS:IP, linear -> physical
 * through the guest's own page tables (with the CPU's PAE PDPTRs for the live state), reads of
 * linear memory, and KVM_TRANSLATE as a cross-check that leaves the guest's tables untouched. */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "pagewalk.h"
#include "vcpu.h"
#include "vm.h"

uint64_t engine_pc(const struct kvm_regs *r, const struct kvm_sregs *s)
{
	return (s->efer & (1u << 10)) && s->cs.l ? r->rip : s->cs.base + r->rip;
}

/* PAE walks use the PDPTRs the CPU loaded (not today's memory) when the state is the live one. */
static const uint64_t *live_pdptrs(struct engine *e, const struct kvm_sregs *s, enum vmm_paging p)
{
	if (p != VMM_PAGING_PAE || memcmp(s, &e->s->vcpu.sregs, sizeof(*s)) != 0)
		return NULL;
	if (e->pdptr_step != e->nsteps + 1) {
		if (vmm_vcpu_pdptrs(&e->s->vcpu, e->pdptr) < 0)
			return NULL;
		e->pdptr_step = e->nsteps + 1;
	}
	return e->pdptr;
}

int engine_walk(struct engine *e, const struct kvm_sregs *s, uint64_t lin, struct vmm_walk *w)
{
	struct vmm_mem_view mem = { e->s->vm.mem, e->s->vm.mem_size };
	struct vmm_walk_opts opts;
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);

	vmm_walk_opts_cpu(&opts, s->cr0, s->cr4, s->efer, e->s->vcpu.maxphyaddr);
	return vmm_walk_ex(&mem, p, s->cr3, live_pdptrs(e, s, p), lin, &opts, w);
}

int engine_lin_to_phys(struct engine *e, const struct kvm_sregs *s, uint64_t lin, uint64_t *gpa)
{
	struct vmm_walk w;

	if (!(s->cr0 & (1ull << 31))) {
		*gpa = lin & 0xffffffffull;
	} else {
		if (engine_walk(e, s, lin, &w) < 0 || w.status != VMM_WALK_OK)
			return -EFAULT;
		*gpa = w.phys;
	}
	return *gpa < e->s->vm.mem_size ? 0 : -EFAULT;
}

size_t engine_read_linear(struct engine *e, const struct kvm_sregs *s, uint64_t lin, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t gpa, chunk = 4096 - ((lin + done) & 4095);
		const uint8_t *src;

		if (chunk > len - done)
			chunk = len - done;
		if (engine_lin_to_phys(e, s, lin + done, &gpa) < 0)
			break;
		src = vmm_vm_gpa(&e->s->vm, gpa, chunk);
		if (!src)
			chunk = e->s->vm.mem_size - gpa;
		memcpy((uint8_t *)buf + done, e->s->vm.mem + gpa, chunk);
		done += chunk;
		if (!src)
			break;
	}
	return done;
}

int engine_translate(struct engine *e, const struct vmm_walk *w, uint64_t lin, uint64_t *gpa, bool *valid)
{
	uint64_t saved[5];
	uint8_t *at[5];
	int ret;

	/* KVM_TRANSLATE sets Accessed bits as it walks: put the entries back as they were. */
	for (int i = 0; i < w->nlevels && i < 5; i++) {
		at[i] = vmm_vm_gpa(&e->s->vm, w->lvl[i].entry_addr, w->lvl[i].entry_size);
		if (at[i])
			memcpy(&saved[i], at[i], w->lvl[i].entry_size);
	}
	ret = vmm_vcpu_translate(&e->s->vcpu, lin, gpa, valid);
	for (int i = 0; i < w->nlevels && i < 5; i++)
		if (at[i])
			memcpy(at[i], &saved[i], w->lvl[i].entry_size);
	return ret;
}
