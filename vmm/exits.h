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
	uint64_t sized[2][3];         /* [0 in, 1 out][access size 1, 2, 4] */
};

#define VMM_PORT_STATS 32   /* ports counted one by one; the rest only in ports_other */

struct vmm_exit_stats {
	uint64_t count[VMM_EXIT__COUNT];
	uint64_t total;
	struct vmm_port_stats ports[VMM_PORT_STATS];   /* in the order first used */
	unsigned nports;
	uint64_t ports_other;         /* IO exits on ports past the first VMM_PORT_STATS */
	uint64_t io_sized[2][3];      /* IO exits on every port: [0 in, 1 out][size 1, 2, 4] */
};

/* Count one IO exit on port, in or out, of size bytes (1, 2 or 4). */
void vmm_exit_count_port(struct vmm_exit_stats *s, uint16_t port, bool in, unsigned size);
/* IO exits so far on port (-1: any), direction dir (-1 any, 0 in, 1 out), access size
 * (0 any, else 1, 2 or 4); -ERANGE when port is one of the ports counted only in ports_other. */
int64_t vmm_exit_io_count(const struct vmm_exit_stats *s, int port, int dir, unsigned size);

/* Short name of an exit kind ("IO in", "HLT", ...). */
const char *vmm_exit_name(enum vmm_exit e);

/* Name of a raw KVM_EXIT_* reason ("KVM_EXIT_IO", ...; "KVM_EXIT_<n>" if unknown). */
const char *vmm_kvm_exit_reason_name(uint32_t reason);
