/* guestmem.h - safe guest memory access for device code: translate, read, write, bounds-checked. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct vmm_vcpu;

/* Guest virtual (linear) address -> guest physical, through the vCPU's current page tables. */
int vmm_gva_to_gpa(struct vmm_vcpu *vcpu, uint64_t gva, uint64_t *gpa);

/* Copy len bytes at guest virtual gva into buf; -EFAULT if any byte is unmapped or outside memory. */
int vmm_read_gva(struct vmm_vcpu *vcpu, uint64_t gva, void *buf, size_t len);

/* Copy len bytes from buf to guest virtual gva; -EFAULT as for vmm_read_gva. */
/* All or nothing: every page of [gva, gva + len) is checked before a byte is written. */
int vmm_write_gva(struct vmm_vcpu *vcpu, uint64_t gva, const void *buf, size_t len);

/* Read a NUL-terminated string of at most max-1 bytes at gva into buf; its length or -EFAULT/-E2BIG. */
int vmm_read_gstr(struct vmm_vcpu *vcpu, uint64_t gva, char *buf, size_t max);
