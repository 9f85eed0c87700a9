/* vcpu.c - one virtual CPU: kvm_run, register access, entering the guest. */
#include "vcpu.h"

#include <cpuid.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "ioctl.h"
#include "log.h"
#include "pagewalk.h"
#include "vm.h"

#define SYNC_WANTED (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)
/* Give the guest the host's basic CPUID leaves, so it may enable long mode itself (WRMSR
 * EFER.LME needs CPUID.80000001h:EDX.LM). Read with the cpuid instruction: asking KVM for
 * KVM_GET_SUPPORTED_CPUID costs 0.4 ms here, a third of a whole hello run. */
static int set_cpuid(struct vmm_vcpu *vcpu)
{
	static const uint32_t leaves[] = { 0, 1, 0x80000000, 0x80000001, 0x80000008 };
	struct {
		struct kvm_cpuid2 head;
		struct kvm_cpuid_entry2 entry[sizeof(leaves) / sizeof(leaves[0])];
	} c = { .head.nent = 0 };
	uint32_t max_basic = __get_cpuid_max(0, NULL), max_ext = __get_cpuid_max(0x80000000, NULL);
	uint32_t eax_80000008 = 0, edx_1 = 0;
	bool has_80000008 = false;
	long ret;

	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		struct kvm_cpuid_entry2 *e = &c.entry[c.head.nent];
		uint32_t leaf = leaves[i];

		if (leaf > (leaf & 0x80000000 ? max_ext : max_basic))
			continue;
		*e = (struct kvm_cpuid_entry2){ .function = leaf };
		__cpuid(leaf, e->eax, e->ebx, e->ecx, e->edx);
		if (leaf == 1)
			edx_1 = e->edx;
		if (leaf == 0x80000008)
			has_80000008 = true, eax_80000008 = e->eax;
		c.head.nent++;
	}
	/* The page walker judges reserved address bits by the width the guest was told. */
	vcpu->maxphyaddr = vmm_maxphyaddr(has_80000008, eax_80000008, edx_1);
	ret = VMM_IOCTL(vcpu->fd, KVM_SET_CPUID2, &c);
	return ret < 0 ? vmm_fail((int)ret, "cannot set the guest's CPUID: %s", strerror((int)-ret)) : 0;
}

int vmm_vcpu_create(struct vmm_vcpu *vcpu, struct vmm_vm *vm)
{
	long ret;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->fd = -1;
	ret = VMM_IOCTL(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (ret < 0)
		return vmm_fail((int)ret, "KVM_CREATE_VCPU failed: %s", strerror((int)-ret));
	vcpu->fd = (int)ret;
	vcpu->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		ret = vmm_fail(-errno, "cannot map the kvm_run area: %s", strerror(errno));
		vmm_vcpu_destroy(vcpu);
		return (int)ret;
	}
	vcpu->sync_regs = (vm->caps & VMM_CAP_SYNC_REGS) != 0;
	ret = set_cpuid(vcpu);
	if (ret < 0) {
		vmm_vcpu_destroy(vcpu);
		return (int)ret;
	}
	ret = VMM_IOCTL(vcpu->fd, KVM_GET_REGS, &vcpu->regs);
	if (ret >= 0)
		ret = VMM_IOCTL(vcpu->fd, KVM_GET_SREGS, &vcpu->sregs);
	if (ret < 0) {
		ret = vmm_fail((int)ret, "cannot read the new vCPU's registers: %s",
			       strerror((int)-ret));
		vmm_vcpu_destroy(vcpu);
	}
	return (int)ret;
}

void vmm_vcpu_destroy(struct vmm_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, (size_t)vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

int vmm_vcpu_load(struct vmm_vcpu *vcpu)
{
	long ret;

	if (vcpu->synced) {
		memcpy(&vcpu->regs, &vcpu->run->s.regs.regs, sizeof(vcpu->regs));
		memcpy(&vcpu->sregs, &vcpu->run->s.regs.sregs, sizeof(vcpu->sregs));
		return 0;
	}
	ret = VMM_IOCTL(vcpu->fd, KVM_GET_REGS, &vcpu->regs);
	if (ret >= 0)
		ret = VMM_IOCTL(vcpu->fd, KVM_GET_SREGS, &vcpu->sregs);
	return ret < 0 ? vmm_fail((int)ret, "cannot read vCPU registers: %s", strerror((int)-ret)) : 0;
}

/* Write src back: into the kvm_run page for the next KVM_RUN when synced (no ioctl), else by ioctl. */
static int store(struct vmm_vcpu *vcpu, void *sync_area, const void *src, size_t len, uint64_t dirty,
		 unsigned long req, const char *name)
{
	long ret;

	if (vcpu->synced) {
		memcpy(sync_area, src, len);
		vcpu->run->kvm_dirty_regs |= dirty;
		return 0;
	}
	ret = vmm_ioctl(vcpu->fd, req, (unsigned long)src);
	return ret < 0 ? vmm_fail((int)ret, "%s failed: %s", name, strerror((int)-ret)) : 0;
}

int vmm_vcpu_store_regs(struct vmm_vcpu *vcpu)
{
	return store(vcpu, &vcpu->run->s.regs.regs, &vcpu->regs, sizeof(vcpu->regs), KVM_SYNC_X86_REGS,
		     KVM_SET_REGS, "KVM_SET_REGS");
}

int vmm_vcpu_store_sregs(struct vmm_vcpu *vcpu)
{
	return store(vcpu, &vcpu->run->s.regs.sregs, &vcpu->sregs, sizeof(vcpu->sregs),
		     KVM_SYNC_X86_SREGS, KVM_SET_SREGS, "KVM_SET_SREGS");
}

/* Dispatch one KVM_EXIT_IO (count may exceed 1 for string I/O) to the port bus. */
static int dispatch_io(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vmm_vm *vm = vcpu->vm;
	bool in = run->io.direction == KVM_EXIT_IO_IN;
	unsigned size = run->io.size;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	struct vmm_pio_dev *dev;

	/* KVM fills io; still, never let its numbers walk us out of the kvm_run page. */
	if ((size != 1 && size != 2 && size != 4) ||
	    run->io.data_offset + (uint64_t)size * run->io.count > (uint64_t)vm->run_size)
		return vmm_fail(-EPROTO, "malformed IO exit: size %u count %u offset %llu", size,
				run->io.count, (unsigned long long)run->io.data_offset);
	dev = vmm_pio_find(&vm->pio, run->io.port);
	if (dev && dev->exit)
		return dev->exit(dev, vcpu, run->io.port, in, data, size, run->io.count);
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		int ret;

		if (!dev) {
			if (in)
				memset(data, 0xff, size);
			continue;
		}
		ret = dev->io(dev, vcpu, run->io.port, in, data, size);
		if (ret < 0)
			return ret;
	}
	if (!dev && vcpu->last_port_warned != run->io.port + 1u) {
		vcpu->last_port_warned = run->io.port + 1u;
		vmm_debug("%s port 0x%x: no device there (%s)", in ? "IN from" : "OUT to",
			  run->io.port, in ? "reads as 0xff" : "write ignored");
	}
	return 0;
}

static enum vmm_exit classify(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return run->io.direction == KVM_EXIT_IO_IN ? VMM_EXIT_IO_IN : VMM_EXIT_IO_OUT;
	case KVM_EXIT_MMIO:
		return run->mmio.is_write ? VMM_EXIT_MMIO_WRITE : VMM_EXIT_MMIO_READ;
	case KVM_EXIT_HLT:
		return VMM_EXIT_HLT;
	case KVM_EXIT_DEBUG:
		return VMM_EXIT_DEBUG;
	case KVM_EXIT_SHUTDOWN:
		return VMM_EXIT_SHUTDOWN;
	case KVM_EXIT_FAIL_ENTRY:
		return VMM_EXIT_FAIL_ENTRY;
	case KVM_EXIT_INTERNAL_ERROR:
		return VMM_EXIT_INTERNAL_ERROR;
	case KVM_EXIT_INTR:
		return VMM_EXIT_INTR;
	default:
		return VMM_EXIT_OTHER;
	}
}

int vmm_vcpu_enter(struct vmm_vcpu *vcpu, enum vmm_exit *kind)
{
	struct kvm_run *run = vcpu->run;
	long ret;

	*kind = VMM_EXIT_OTHER;
	if (vcpu->sync_regs)
		run->kvm_valid_regs = SYNC_WANTED;
	ret = VMM_IOCTL(vcpu->fd, KVM_RUN, 0);
	run->kvm_dirty_regs = 0;
	vcpu->synced = vcpu->sync_regs;
	if (ret < 0) {
		if (ret != -EINTR && ret != -EAGAIN)
			return vmm_fail((int)ret, "KVM_RUN failed: %s", strerror((int)-ret));
		run->immediate_exit = 0;
		run->exit_reason = KVM_EXIT_INTR;
	}
	*kind = classify(vcpu);
	vcpu->stats.count[*kind]++;
	if (*kind == VMM_EXIT_IO_IN || *kind == VMM_EXIT_IO_OUT)
		vmm_exit_count_port(&vcpu->stats, run->io.port, *kind == VMM_EXIT_IO_IN,
				    run->io.size);
	if (*kind != VMM_EXIT_INTR && *kind != VMM_EXIT_DEBUG)
		vcpu->stats.total++;  /* debugger traps and signals are not the guest's exits */
	if (*kind == VMM_EXIT_MMIO_READ)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	if (*kind == VMM_EXIT_IO_IN || *kind == VMM_EXIT_IO_OUT)
		return dispatch_io(vcpu);
	return 0;
}

int vmm_vcpu_set_debug(struct vmm_vcpu *vcpu, uint32_t control, const uint64_t dr[8])
{
	struct kvm_guest_debug dbg = { .control = control };
	long ret;

	if (dr)
		memcpy(dbg.arch.debugreg, dr, sizeof(dbg.arch.debugreg));
	ret = VMM_IOCTL(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg);
	return ret < 0 ? vmm_fail((int)ret, "KVM_SET_GUEST_DEBUG failed: %s", strerror((int)-ret)) : 0;
}

int vmm_vcpu_complete_io(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	long ret;

	/* KVM finishes the pending IN/OUT/MMIO (RIP, RAX) and returns EINTR without running on. */
	run->immediate_exit = 1;
	if (vcpu->sync_regs)
		run->kvm_valid_regs = SYNC_WANTED;
	ret = VMM_IOCTL(vcpu->fd, KVM_RUN, 0);
	run->immediate_exit = 0;
	run->kvm_dirty_regs = 0;
	vcpu->synced = vcpu->sync_regs;
	if (ret < 0 && ret != -EINTR && ret != -EAGAIN)
		return vmm_fail((int)ret, "KVM_RUN (completing I/O) failed: %s", strerror((int)-ret));
	return 0;
}

int vmm_vcpu_translate(struct vmm_vcpu *vcpu, uint64_t lin, uint64_t *gpa, bool *valid)
{
	struct kvm_translation t = { .linear_address = lin };
	long ret = VMM_IOCTL(vcpu->fd, KVM_TRANSLATE, &t);

	if (ret < 0)
		return vmm_fail((int)ret, "KVM_TRANSLATE failed: %s", strerror((int)-ret));
	*gpa = t.physical_address;
	*valid = t.valid;
	return 0;
}

int vmm_vcpu_pdptrs(struct vmm_vcpu *vcpu, uint64_t pdptr[4])
{
	struct kvm_sregs2 s2;
	long ret;

	if (!(vcpu->vm->caps & VMM_CAP_SREGS2))
		return -ENOTSUP;
	ret = VMM_IOCTL(vcpu->fd, KVM_GET_SREGS2, &s2);
	if (ret < 0)
		return vmm_fail((int)ret, "KVM_GET_SREGS2 failed: %s", strerror((int)-ret));
	if (!(s2.flags & KVM_SREGS2_FLAGS_PDPTRS_VALID))
		return -ENODATA;
	memcpy(pdptr, s2.pdptrs, sizeof(s2.pdptrs));
	return 0;
}
