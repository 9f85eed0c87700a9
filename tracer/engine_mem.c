/* engine_mem.c - guest addresses as the step engine sees them: CS:IP, linear -> physical
 * through the guest's own page tables (with the CPU's PAE PDPTRs for the live state), reads of
 * linear memory, and KVM_TRANSLATE as a cross-check that leaves the guest's tables untouched. */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "linread.h"
#include "pagewalk.h"
#include "x86.h"

uint64_t engine_pc(const struct kvm_regs *r, const struct kvm_sregs *s)
{
	return x86_linear(s, X86_SEG_CS, r->rip);
}

/* PAE walks use the PDPTRs the CPU loaded (not today's memory) when the state is the live one. */
static const uint64_t *live_pdptrs(struct engine *e, const struct kvm_sregs *s, enum vmm_paging p)
{
	if (p != VMM_PAGING_PAE || memcmp(s, &e->cpu->sregs, sizeof(*s)) != 0)
		return NULL;
	if (e->pdptr_step != e->nsteps + 1) {
		if (e->cpu->ops->pdptrs(e->cpu, e->pdptr) < 0)
			return NULL;
		e->pdptr_step = e->nsteps + 1;
	}
	return e->pdptr;
}

int engine_walk(struct engine *e, const struct kvm_sregs *s, uint64_t lin, struct vmm_walk *w)
{
	struct vmm_mem_view mem = { .base = e->cpu->mem, .size = e->cpu->mem_size, .read = tvcpu_read_view, .ctx = e->cpu };
	struct vmm_walk_opts opts;
	enum vmm_paging p = vmm_paging_mode(s->cr0, s->cr4, s->efer);

	vmm_walk_opts_cpu(&opts, s->cr0, s->cr4, s->efer, e->cpu->maxphyaddr);
	return vmm_walk_ex(&mem, p, s->cr3, live_pdptrs(e, s, p), lin, &opts, w);
}

static int engine_lr_walk(const struct linread *r, uint64_t lin, struct vmm_walk *w)
{
	return engine_walk(r->ctx, r->s, lin, w);
}

static int engine_lr_read(const struct linread *r, uint64_t gpa, void *buf, size_t len)
{
	return tvcpu_read(((struct engine *)r->ctx)->cpu, gpa, buf, len);
}

static struct linread engine_linread(struct engine *e, const struct kvm_sregs *s)
{
	return (struct linread){ .s = s, .mem_size = e->cpu->mem_size, .walk = engine_lr_walk,
				 .read = engine_lr_read, .ctx = e };
}

int engine_lin_to_phys(struct engine *e, const struct kvm_sregs *s, uint64_t lin, uint64_t *gpa)
{
	struct linread r = engine_linread(e, s);

	return linread_to_phys(&r, lin, gpa);
}

size_t engine_read_linear(struct engine *e, const struct kvm_sregs *s, uint64_t lin, void *buf, size_t len)
{
	struct linread r = engine_linread(e, s);

	return linread_read(&r, lin, buf, len);
}

int engine_translate(struct engine *e, const struct vmm_walk *w, uint64_t lin, uint64_t *gpa, bool *valid)
{
	uint64_t saved[5];
	bool have[5];
	int ret;

	/* KVM_TRANSLATE sets Accessed bits as it walks: put the entries back as they were. */
	for (int i = 0; i < w->nlevels && i < 5; i++)
		have[i] = tvcpu_read(e->cpu, w->lvl[i].entry_addr, &saved[i], w->lvl[i].entry_size) == 0;
	ret = e->cpu->ops->translate(e->cpu, lin, gpa, valid);
	for (int i = 0; i < w->nlevels && i < 5; i++)
		if (have[i])
			tvcpu_write(e->cpu, w->lvl[i].entry_addr, &saved[i], w->lvl[i].entry_size);
	return ret;
}
