/* vm.h - one KVM virtual machine: the /dev/kvm handle, the VM and its guest memory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pio.h"

/* Capabilities the project uses, probed once at VM creation. */
enum vmm_cap {
	VMM_CAP_SYNC_REGS = 1u << 0,
	VMM_CAP_GUEST_DEBUG = 1u << 1,
	VMM_CAP_BLOCKIRQ = 1u << 2,
	VMM_CAP_IMMEDIATE_EXIT = 1u << 3,
	VMM_CAP_SREGS2 = 1u << 4,
	VMM_CAP_TSS_ADDR = 1u << 5,
	VMM_CAP_READONLY_MEM = 1u << 6,
};

struct vmm_vm {
	int kvm_fd;            /* /dev/kvm */
	int vm_fd;             /* from KVM_CREATE_VM */
	int api_version;       /* KVM_GET_API_VERSION (always 12) */
	int run_size;          /* KVM_GET_VCPU_MMAP_SIZE */
	unsigned caps;         /* enum vmm_cap bits */
	unsigned guestdbg;     /* KVM_CAP_SET_GUEST_DEBUG2 flags (0 if unknown) */
	uint8_t *mem;          /* host mapping of guest physical 0 .. mem_size */
	uint64_t mem_size;
	struct vmm_pio_bus pio; /* port-I/O devices */
	uint64_t *dev_dirty;   /* pages kvmlab wrote itself, once vmm_dirty_start() ran (dirtylog.h) */
};

/* Smallest and largest guest memory sizes accepted. */
#define VMM_MEM_MIN (64u << 10)
#define VMM_MEM_MAX (4ull << 30)
#define VMM_MEM_DEFAULT (2u << 20)

/* Open dev (NULL: /dev/kvm), create a VM with mem_size bytes of zeroed guest memory at GPA 0. */
int vmm_vm_create(struct vmm_vm *vm, const char *dev, uint64_t mem_size);

/* Release everything vmm_vm_create() made (safe on a zeroed or half-made vm). */
void vmm_vm_destroy(struct vmm_vm *vm);

/* Host pointer to [gpa, gpa+len) if it lies wholly in guest memory, else NULL. */
void *vmm_vm_gpa(const struct vmm_vm *vm, uint64_t gpa, uint64_t len);

/* The VM's clock (KVM_GET_CLOCK) in nanoseconds into *ns: 0 or -errno. */
int vmm_vm_clock(const struct vmm_vm *vm, uint64_t *ns);

/* Parse a memory size such as "2M", "512K", "1G" or "65536" into *out; -EINVAL on bad text. */
int vmm_parse_size(const char *text, uint64_t *out);
