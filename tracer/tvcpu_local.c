/* tvcpu_local.c - kvmlab's own vCPU as the engine's tvcpu: every op is one vmm_vcpu call. */
#include "tvcpu.h"

#include "run.h"
#include "vcpu.h"
#include "vm.h"

static struct vmm_vcpu *vcpu_of(struct tvcpu *c)
{
	return c->impl;
}

static int local_load(struct tvcpu *c)
{
	struct vmm_vcpu *v = vcpu_of(c);
	int ret = vmm_vcpu_load(v);

	if (ret == 0) {
		c->regs = v->regs;
		c->sregs = v->sregs;
	}
	return ret;
}

static int local_enter(struct tvcpu *c, enum vmm_exit *kind)
{
	return vmm_vcpu_enter(vcpu_of(c), kind);
}

static int local_complete_io(struct tvcpu *c)
{
	return vmm_vcpu_complete_io(vcpu_of(c));
}

static int local_store_regs(struct tvcpu *c)
{
	vcpu_of(c)->regs = c->regs;
	return vmm_vcpu_store_regs(vcpu_of(c));
}

static int local_store_sregs(struct tvcpu *c)
{
	vcpu_of(c)->sregs = c->sregs;
	return vmm_vcpu_store_sregs(vcpu_of(c));
}

static int local_set_debug(struct tvcpu *c, uint32_t control, const uint64_t dr[8])
{
	return vmm_vcpu_set_debug(vcpu_of(c), control, dr);
}

static int local_translate(struct tvcpu *c, uint64_t lin, uint64_t *gpa, bool *valid)
{
	return vmm_vcpu_translate(vcpu_of(c), lin, gpa, valid);
}

static int local_pdptrs(struct tvcpu *c, uint64_t pdptr[4])
{
	return vmm_vcpu_pdptrs(vcpu_of(c), pdptr);
}

static int local_arm_timeout(struct tvcpu *c, unsigned ms)
{
	return vmm_timer_arm(vcpu_of(c), ms);
}

static bool local_timed_out(struct tvcpu *c)
{
	(void)c;
	return vmm_timer_expired() != 0;
}

/* Guest memory through the ops, as for a vCPU in another process (tvcpu_local_indirect). */
static int local_mem_read(struct tvcpu *c, uint64_t gpa, void *buf, size_t len)
{
	const uint8_t *p = vmm_vm_gpa(vcpu_of(c)->vm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int local_mem_write(struct tvcpu *c, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *p = vmm_vm_gpa(vcpu_of(c)->vm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static const struct tvcpu_ops local_ops = {
	.enter = local_enter,
	.complete_io = local_complete_io,
	.load = local_load,
	.store_regs = local_store_regs,
	.store_sregs = local_store_sregs,
	.set_debug = local_set_debug,
	.translate = local_translate,
	.pdptrs = local_pdptrs,
	.arm_timeout = local_arm_timeout,
	.timed_out = local_timed_out,
	.mem_read = local_mem_read,
	.mem_write = local_mem_write,
};

void tvcpu_local_init(struct tvcpu *c, struct vmm_vcpu *vcpu)
{
	*c = (struct tvcpu){
		.ops = &local_ops,
		.impl = vcpu,
		.regs = vcpu->regs,
		.sregs = vcpu->sregs,
		.run = vcpu->run,
		.mem = vcpu->vm->mem,
		.mem_size = vcpu->vm->mem_size,
		.caps = vcpu->vm->caps,
		.maxphyaddr = vcpu->maxphyaddr,
		.stats = &vcpu->stats,
	};
}

void tvcpu_local_indirect(struct tvcpu *c)
{
	c->mem = NULL;
}
