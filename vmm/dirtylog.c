/* dirtylog.c - the pages a run wrote: KVM's dirty-page log plus kvmlab's own writes. */
#include "dirtylog.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ioctl.h"
#include "vm.h"

#define PAGE 4096u

uint64_t vmm_dirty_pages(const struct vmm_vm *vm)
{
	return (vm->mem_size + PAGE - 1) / PAGE;
}

uint64_t vmm_dirty_words(const struct vmm_vm *vm)
{
	return (vmm_dirty_pages(vm) + 63) / 64;
}

int vmm_dirty_start(struct vmm_vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = 0,
		.memory_size = vm->mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	long ret;

	free(vm->dev_dirty);
	vm->dev_dirty = calloc(vmm_dirty_words(vm), sizeof(uint64_t));
	if (!vm->dev_dirty)
		return vmm_fail(-ENOMEM, "no memory for the dirty-page log");
	ret = VMM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (ret < 0)
		return vmm_fail((int)ret, "this host's KVM cannot log dirty pages "
				"(KVM_MEM_LOG_DIRTY_PAGES): %s", strerror((int)-ret));
	return 0;
}

void vmm_dirty_mark(struct vmm_vm *vm, uint64_t gpa, uint64_t len)
{
	if (!vm->dev_dirty || !len || gpa >= vm->mem_size)
		return;
	if (len > vm->mem_size - gpa)
		len = vm->mem_size - gpa;
	for (uint64_t p = gpa / PAGE; p <= (gpa + len - 1) / PAGE; p++)
		vm->dev_dirty[p / 64] |= 1ull << (p % 64);
}

int vmm_dirty_read(struct vmm_vm *vm, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = 0 };
	uint64_t words = vmm_dirty_words(vm);
	long ret;

	if (!vm->dev_dirty)
		return vmm_fail(-EINVAL, "the dirty-page log was not started");
	memset(bitmap, 0, words * sizeof(uint64_t));
	log.dirty_bitmap = bitmap;
	ret = VMM_IOCTL(vm->vm_fd, KVM_GET_DIRTY_LOG, &log);
	if (ret < 0)
		return vmm_fail((int)ret, "KVM_GET_DIRTY_LOG failed: %s", strerror((int)-ret));
	for (uint64_t i = 0; i < words; i++)
		bitmap[i] |= vm->dev_dirty[i];
	return 0;
}
