/* vcpu.h - one virtual CPU: its fd, the shared kvm_run area and register access. */
#pragma once

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "exits.h"

struct vmm_vm;

struct vmm_vcpu {
	struct vmm_vm *vm;
	int fd;
	struct kvm_run *run;
	bool sync_regs;          /* registers travel in run->s.regs (KVM_CAP_SYNC_REGS) */
	bool synced;             /* run->s.regs holds the state of the last exit */
	struct kvm_regs regs;    /* valid after vmm_vcpu_load() */
	struct kvm_sregs sregs;  /* valid after vmm_vcpu_load() */
	struct vmm_exit_stats stats;
	uint64_t last_port_warned;
	unsigned maxphyaddr;     /* physical-address width the guest's CPUID gives (0x80000008) */
};

/* Create vCPU 0 of vm and map its kvm_run area; use SYNC_REGS when the host has it. */
int vmm_vcpu_create(struct vmm_vcpu *vcpu, struct vmm_vm *vm);

/* Unmap and close (safe on a zeroed vcpu). */
void vmm_vcpu_destroy(struct vmm_vcpu *vcpu);

/* Refresh vcpu->regs and vcpu->sregs from the last exit (no ioctl with SYNC_REGS). */
int vmm_vcpu_load(struct vmm_vcpu *vcpu);

/* Write vcpu->regs back to the vCPU (deferred to the next KVM_RUN with SYNC_REGS). */
int vmm_vcpu_store_regs(struct vmm_vcpu *vcpu);

/* Write vcpu->sregs back to the vCPU (deferred to the next KVM_RUN with SYNC_REGS). */
int vmm_vcpu_store_sregs(struct vmm_vcpu *vcpu);

/* One KVM_RUN; on return *kind says what ended it (IO is already dispatched to the bus). */
int vmm_vcpu_enter(struct vmm_vcpu *vcpu, enum vmm_exit *kind);

/* KVM's own translation of a linear address (a cross-check: it sets Accessed bits). */
int vmm_vcpu_translate(struct vmm_vcpu *vcpu, uint64_t lin, uint64_t *gpa, bool *valid);

/* The PAE PDPTRs the CPU loaded at the last CR3 write (KVM_GET_SREGS2); -ENOTSUP/-ENODATA if none. */
int vmm_vcpu_pdptrs(struct vmm_vcpu *vcpu, uint64_t pdptr[4]);

/* Let KVM finish a pending IO/MMIO instruction without running the guest further. */
int vmm_vcpu_complete_io(struct vmm_vcpu *vcpu);

/* Set KVM_SET_GUEST_DEBUG control flags (KVM_GUESTDBG_*) and debug registers (NULL: none). */
int vmm_vcpu_set_debug(struct vmm_vcpu *vcpu, uint32_t control, const uint64_t dr[8]);
