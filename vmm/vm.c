/* vm.c - /dev/kvm, the VM and its guest memory. */
#include "vm.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "ioctl.h"

/* Where Intel's real-mode emulation keeps its TSS: three pages just below 4 GiB, outside RAM. */
#define TSS_ADDR 0xfffbd000ul

static int open_dev(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		return vmm_fail(-ENOENT, "%s does not exist: this machine has no KVM "
				"(load the kvm module, or enable nested virtualization)", dev);
	case EACCES:
	case EPERM:
		return vmm_fail(-EACCES, "no permission to open %s: run as root, or add "
				"yourself to its group (ls -l %s; usermod -aG kvm $USER)", dev, dev);
	default:
		return vmm_fail(-errno, "cannot open %s: %s", dev, strerror(errno));
	}
}

static void probe_caps(struct vmm_vm *vm)
{
	static const struct {
		long cap;
		unsigned bit;
	} caps[] = {
		{ KVM_CAP_SYNC_REGS, VMM_CAP_SYNC_REGS },
		{ KVM_CAP_SET_GUEST_DEBUG, VMM_CAP_GUEST_DEBUG },
		{ KVM_CAP_IMMEDIATE_EXIT, VMM_CAP_IMMEDIATE_EXIT },
		{ KVM_CAP_SREGS2, VMM_CAP_SREGS2 },
		{ KVM_CAP_SET_TSS_ADDR, VMM_CAP_TSS_ADDR },
		{ KVM_CAP_READONLY_MEM, VMM_CAP_READONLY_MEM },
	};
	long dbg;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (VMM_IOCTL(vm->vm_fd, KVM_CHECK_EXTENSION, caps[i].cap) > 0)
			vm->caps |= caps[i].bit;
	dbg = VMM_IOCTL(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	if (dbg > 0) {
		vm->guestdbg = (unsigned)dbg;
		if (dbg & KVM_GUESTDBG_BLOCKIRQ)
			vm->caps |= VMM_CAP_BLOCKIRQ;
	}
}

int vmm_vm_create(struct vmm_vm *vm, const char *dev, uint64_t mem_size)
{
	struct kvm_userspace_memory_region region;
	long ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = -1;
	if (mem_size < VMM_MEM_MIN || mem_size > VMM_MEM_MAX || mem_size % 4096)
		return vmm_fail(-EINVAL, "--mem: guest memory of %llu bytes is not a multiple of 4 KiB "
				"from 64K to 4G", (unsigned long long)mem_size);
	ret = open_dev(dev ? dev : "/dev/kvm");
	if (ret < 0)
		return (int)ret;
	vm->kvm_fd = (int)ret;

	ret = VMM_IOCTL(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret == -ENOTTY || ret == -EINVAL) {
		ret = vmm_fail(-ENODEV, "%s is not a KVM device (it does not answer KVM_GET_API_VERSION)",
			       dev ? dev : "/dev/kvm");
		goto fail;
	}
	if (ret != KVM_API_VERSION) {
		ret = vmm_fail(ret < 0 ? (int)ret : -ENOTSUP,
			       "KVM API version %ld, expected %d", ret, KVM_API_VERSION);
		goto fail;
	}
	vm->api_version = (int)ret;

	ret = VMM_IOCTL(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (ret < 0) {
		ret = vmm_fail((int)ret, "KVM_CREATE_VM failed: %s", strerror((int)-ret));
		goto fail;
	}
	vm->vm_fd = (int)ret;
	probe_caps(vm);

	if (vm->caps & VMM_CAP_TSS_ADDR) {
		ret = VMM_IOCTL(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR);
		if (ret < 0) {
			ret = vmm_fail((int)ret, "KVM_SET_TSS_ADDR failed: %s", strerror((int)-ret));
			goto fail;
		}
	}

	ret = VMM_IOCTL(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret <= 0) {
		ret = vmm_fail(ret < 0 ? (int)ret : -EINVAL, "KVM_GET_VCPU_MMAP_SIZE failed");
		goto fail;
	}
	vm->run_size = (int)ret;

	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		ret = vmm_fail(-errno, "cannot map %llu bytes of guest memory: %s",
			       (unsigned long long)mem_size, strerror(errno));
		goto fail;
	}
	vm->mem_size = mem_size;

	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	ret = VMM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (ret < 0) {
		ret = vmm_fail((int)ret, "KVM_SET_USER_MEMORY_REGION failed: %s", strerror((int)-ret));
		goto fail;
	}
	return 0;

fail:
	vmm_vm_destroy(vm);
	return (int)ret;
}

void vmm_vm_destroy(struct vmm_vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm->dev_dirty);
	vm->dev_dirty = NULL;
	vm->mem = NULL;
	vm->vm_fd = vm->kvm_fd = -1;
}

void *vmm_vm_gpa(const struct vmm_vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return vm->mem + gpa;
}

int vmm_parse_size(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	default: break;
	}
	if ((*end == 'i' || *end == 'I') && shift)
		end++;
	if ((*end == 'B' || *end == 'b') && shift)
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int vmm_vm_clock(const struct vmm_vm *vm, uint64_t *ns)
{
	struct kvm_clock_data c = { 0 };
	long ret = VMM_IOCTL(vm->vm_fd, KVM_GET_CLOCK, &c);

	if (ret < 0)
		return vmm_fail((int)ret, "KVM_GET_CLOCK failed: %s", strerror((int)-ret));
	*ns = c.clock;
	return 0;
}
