/* tvcpu.h - the vCPU the step engine drives: kvmlab's own, or one living inside another program.
 *
 * The engine, the explanations, the TUI and the lab runner reach a vCPU only through this
 * interface, so a vCPU of kvmlab's VMM (tvcpu_local.c) and one inside a program run under
 * `kvmlab exec` are traced, shown and graded by the same code.  An implementation fills the
 * ops table and the fields below; every op returns 0 or a negative errno (vmm_fail() says why).
 */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>

#include "exits.h"

struct tvcpu;

struct tvcpu_ops {
	/* One KVM_RUN; *kind says what ended it.  Port I/O and MMIO exits have already been
	 * served by whoever owns the VMM (kvmlab's device bus, or the traced program). */
	int (*enter)(struct tvcpu *c, enum vmm_exit *kind);
	/* Let a pending IO/MMIO instruction complete without running the guest further. */
	int (*complete_io)(struct tvcpu *c);
	/* Refresh c->regs and c->sregs from the last exit. */
	int (*load)(struct tvcpu *c);
	/* Write c->regs (c->sregs) back to the vCPU before the next entry. */
	int (*store_regs)(struct tvcpu *c);
	int (*store_sregs)(struct tvcpu *c);
	/* KVM_SET_GUEST_DEBUG with control flags (KVM_GUESTDBG_*) and debug registers (NULL: none). */
	int (*set_debug)(struct tvcpu *c, uint32_t control, const uint64_t dr[8]);
	/* KVM_TRANSLATE of a linear address (a cross-check: KVM sets Accessed bits as it walks). */
	int (*translate)(struct tvcpu *c, uint64_t lin, uint64_t *gpa, bool *valid);
	/* The PAE PDPTRs the CPU loaded at the last CR3 write; -ENOTSUP/-ENODATA if unknown. */
	int (*pdptrs)(struct tvcpu *c, uint64_t pdptr[4]);
	/* Guest physical memory, for implementations without a direct view (mem == NULL). */
	int (*mem_read)(struct tvcpu *c, uint64_t gpa, void *buf, size_t len);
	int (*mem_write)(struct tvcpu *c, uint64_t gpa, const void *buf, size_t len);
	/* Arm (ms > 0) or disarm (0) the wall-clock limit; when it expires the running KVM_RUN
	 * returns with VMM_EXIT_INTR and timed_out() turns true. */
	int (*arm_timeout)(struct tvcpu *c, unsigned ms);
	bool (*timed_out)(struct tvcpu *c);
};

struct tvcpu {
	const struct tvcpu_ops *ops;
	void *impl;                    /* the implementation's own state */
	struct kvm_regs regs;          /* the state after the last load() */
	struct kvm_sregs sregs;
	const struct kvm_run *run;     /* the last exit (KVM's page or a copy of it) */
	uint8_t *mem;                  /* direct view of guest physical 0..mem_size, or NULL */
	uint64_t mem_size;             /* bytes of guest physical memory from 0 */
	unsigned caps;                 /* VMM_CAP_* bits of the VM */
	unsigned maxphyaddr;           /* the guest's physical-address width (CPUID 0x80000008); 0: 52 */
	struct vmm_exit_stats *stats;  /* exits counted by kind */
};

/* Guest physical [gpa, gpa+len) into buf; -EFAULT if any of it lies outside guest memory. */
static inline int tvcpu_read(struct tvcpu *c, uint64_t gpa, void *buf, size_t len)
{
	if (gpa > c->mem_size || c->mem_size - gpa < len)
		return -EFAULT;
	if (!c->mem)
		return c->ops->mem_read(c, gpa, buf, len);
	memcpy(buf, c->mem + gpa, len);
	return 0;
}

/* buf into guest physical [gpa, gpa+len); -EFAULT if any of it lies outside guest memory. */
static inline int tvcpu_write(struct tvcpu *c, uint64_t gpa, const void *buf, size_t len)
{
	if (gpa > c->mem_size || c->mem_size - gpa < len)
		return -EFAULT;
	if (!c->mem)
		return c->ops->mem_write(c, gpa, buf, len);
	memcpy(c->mem + gpa, buf, len);
	return 0;
}

/* tvcpu_read with a void * context (c), as struct vmm_mem_view's read takes it. */
static inline int tvcpu_read_view(void *c, uint64_t gpa, void *buf, size_t len)
{
	return tvcpu_read(c, gpa, buf, len);
}

struct vmm_vcpu;

/* Wrap kvmlab's own vcpu (and its VM's memory and capabilities) as c. */
void tvcpu_local_init(struct tvcpu *c, struct vmm_vcpu *vcpu);

/* Make c reach guest memory through mem_read/mem_write only, as a foreign vCPU does
 * (KVMLAB_TVCPU_INDIRECT=1: the tests check the trace stays the same). */
void tvcpu_local_indirect(struct tvcpu *c);
