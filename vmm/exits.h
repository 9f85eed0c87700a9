/* exits.h - VM exit kinds as kvmlab counts and names them. */
#pragma once

#include <stdint.h>

enum vmm_exit {
	VMM_EXIT_IO_IN,
	VMM_EXIT_IO_OUT,
	VMM_EXIT_MMIO_READ,
	VMM_EXIT_MMIO_WRITE,
	VMM_EXIT_HLT,
	VMM_EXIT_DEBUG,
	VMM_EXIT_SHUTDOWN,
	VMM_EXIT_FAIL_ENTRY,
	VMM_EXIT_INTERNAL_ERROR,
	VMM_EXIT_INTR,          /* KVM_RUN interrupted by a signal (timer, immediate_exit) */
	VMM_EXIT_OTHER,
	VMM_EXIT__COUNT,
};

struct vmm_exit_stats {
	uint64_t count[VMM_EXIT__COUNT];
	uint64_t total;
};

/* Short name of an exit kind ("IO in", "HLT", ...). */
const char *vmm_exit_name(enum vmm_exit e);

/* Name of a raw KVM_EXIT_* reason ("KVM_EXIT_IO", ...; "KVM_EXIT_<n>" if unknown). */
const char *vmm_kvm_exit_reason_name(uint32_t reason);
