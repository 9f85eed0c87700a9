/* exits.h - VM exit kinds as kvmlab counts and names them. */
#pragma once

#include <stdbool.h>
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

/* IO exits on one port, as KVM reported them (one per KVM_EXIT_IO, whatever its count). */
struct vmm_port_stats {
	uint16_t port;
	uint64_t in, out;
};

#define VMM_PORT_STATS 32   /* ports counted one by one; the rest only in ports_other */

struct vmm_exit_stats {
	uint64_t count[VMM_EXIT__COUNT];
	uint64_t total;
	struct vmm_port_stats ports[VMM_PORT_STATS];   /* in the order first used */
	unsigned nports;
	uint64_t ports_other;         /* IO exits on ports past the first VMM_PORT_STATS */
};

/* Count one IO exit on port. */
void vmm_exit_count_port(struct vmm_exit_stats *s, uint16_t port, bool in);
/* IO exits on port in one direction so far. */
uint64_t vmm_exit_port_count(const struct vmm_exit_stats *s, uint16_t port, bool in);

/* Short name of an exit kind ("IO in", "HLT", ...). */
const char *vmm_exit_name(enum vmm_exit e);

/* Name of a raw KVM_EXIT_* reason ("KVM_EXIT_IO", ...; "KVM_EXIT_<n>" if unknown). */
const char *vmm_kvm_exit_reason_name(uint32_t reason);
