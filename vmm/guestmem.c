/* guestmem.c - guest virtual memory access, every byte checked against guest memory. */
#include "guestmem.h"

#include <errno.h>
#include <string.h>

#include "dirtylog.h"
#include "pagewalk.h"
#include "vcpu.h"
#include "vm.h"

int vmm_gva_to_gpa(struct vmm_vcpu *vcpu, uint64_t gva, uint64_t *gpa)
{
	const struct kvm_sregs *s = &vcpu->sregs;
	struct vmm_mem_view mem = { .base = vcpu->vm->mem, .size = vcpu->vm->mem_size };
	struct vmm_walk w;
	enum vmm_paging p;
	int ret = vmm_vcpu_load(vcpu);

	if (ret < 0)
		return ret;
	p = vmm_paging_mode(s->cr0, s->cr4, s->efer);
	ret = vmm_walk(&mem, p, s->cr3, NULL, gva, &w);
	if (ret < 0)
		return ret;
	if (w.status != VMM_WALK_OK || w.phys >= vcpu->vm->mem_size)
		return -EFAULT;
	*gpa = w.phys;
	return 0;
}

/* Copy page by page: consecutive virtual pages need not be consecutive physically.  A
 * write first checks every page (a pass with write 2 copying nothing), so a range that
 * crosses into unmapped memory leaves the guest untouched rather than half written. */
static int copy_gva(struct vmm_vcpu *vcpu, uint64_t gva, void *buf, size_t len, int write)
{
	uint8_t *p = buf;

	if (write == 1) {
		int ret = copy_gva(vcpu, gva, buf, len, 2);

		if (ret < 0)
			return ret;
	}
	while (len) {
		uint64_t gpa, chunk = 4096 - (gva & 4095);
		uint8_t *host;
		int ret = vmm_gva_to_gpa(vcpu, gva, &gpa);

		if (ret < 0)
			return ret;
		if (chunk > len)
			chunk = len;
		host = vmm_vm_gpa(vcpu->vm, gpa, chunk);
		if (!host)
			return -EFAULT;
		if (write == 1) {
			memcpy(host, p, chunk);
			vmm_dirty_mark(vcpu->vm, gpa, chunk);
		}
		else if (!write)
			memcpy(p, host, chunk);
		p += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int vmm_read_gva(struct vmm_vcpu *vcpu, uint64_t gva, void *buf, size_t len)
{
	return copy_gva(vcpu, gva, buf, len, 0);
}

int vmm_write_gva(struct vmm_vcpu *vcpu, uint64_t gva, const void *buf, size_t len)
{
	return copy_gva(vcpu, gva, (void *)buf, len, 1);
}

int vmm_read_gstr(struct vmm_vcpu *vcpu, uint64_t gva, char *buf, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		int ret = vmm_read_gva(vcpu, gva + i, &buf[i], 1);

		if (ret < 0)
			return ret;
		if (buf[i] == '\0')
			return (int)i;
	}
	if (max)
		buf[max - 1] = '\0';
	return -E2BIG;
}
