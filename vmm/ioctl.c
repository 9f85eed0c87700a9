/* ioctl.c - the one door to KVM: every request is decoded and, on demand, logged. */
#include "ioctl.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"

#define REQ(r) { r, #r }

static const struct {
	unsigned long req;
	const char *name;
} names[] = {
	REQ(KVM_GET_API_VERSION),
	REQ(KVM_CREATE_VM),
	REQ(KVM_CHECK_EXTENSION),
	REQ(KVM_GET_VCPU_MMAP_SIZE),
	REQ(KVM_SET_USER_MEMORY_REGION),
	REQ(KVM_SET_TSS_ADDR),
	REQ(KVM_SET_IDENTITY_MAP_ADDR),
	REQ(KVM_CREATE_VCPU),
	REQ(KVM_RUN),
	REQ(KVM_GET_REGS),
	REQ(KVM_SET_REGS),
	REQ(KVM_GET_SREGS),
	REQ(KVM_SET_SREGS),
	REQ(KVM_GET_SREGS2),
	REQ(KVM_SET_SREGS2),
	REQ(KVM_TRANSLATE),
	REQ(KVM_SET_GUEST_DEBUG),
	REQ(KVM_GET_DEBUGREGS),
	REQ(KVM_SET_DEBUGREGS),
	REQ(KVM_GET_VCPU_EVENTS),
	REQ(KVM_SET_VCPU_EVENTS),
	REQ(KVM_SET_CPUID2),
	REQ(KVM_GET_SUPPORTED_CPUID),
	REQ(KVM_GET_FPU),
	REQ(KVM_SET_FPU),
	REQ(KVM_GET_MSRS),
	REQ(KVM_SET_MSRS),
	REQ(KVM_ENABLE_CAP),
#ifdef KVM_GET_MSR_INDEX_LIST
	REQ(KVM_GET_MSR_INDEX_LIST),
#endif
#ifdef KVM_GET_MSR_FEATURE_INDEX_LIST
	REQ(KVM_GET_MSR_FEATURE_INDEX_LIST),
#endif
#ifdef KVM_GET_EMULATED_CPUID
	REQ(KVM_GET_EMULATED_CPUID),
#endif
#ifdef KVM_GET_CPUID2
	REQ(KVM_GET_CPUID2),
#endif
#ifdef KVM_CREATE_IRQCHIP
	REQ(KVM_CREATE_IRQCHIP),
#endif
#ifdef KVM_IRQ_LINE
	REQ(KVM_IRQ_LINE),
#endif
#ifdef KVM_IRQ_LINE_STATUS
	REQ(KVM_IRQ_LINE_STATUS),
#endif
#ifdef KVM_GET_IRQCHIP
	REQ(KVM_GET_IRQCHIP),
#endif
#ifdef KVM_SET_IRQCHIP
	REQ(KVM_SET_IRQCHIP),
#endif
#ifdef KVM_CREATE_PIT2
	REQ(KVM_CREATE_PIT2),
#endif
#ifdef KVM_GET_PIT2
	REQ(KVM_GET_PIT2),
#endif
#ifdef KVM_SET_PIT2
	REQ(KVM_SET_PIT2),
#endif
#ifdef KVM_IOEVENTFD
	REQ(KVM_IOEVENTFD),
#endif
#ifdef KVM_IRQFD
	REQ(KVM_IRQFD),
#endif
#ifdef KVM_SET_GSI_ROUTING
	REQ(KVM_SET_GSI_ROUTING),
#endif
#ifdef KVM_SIGNAL_MSI
	REQ(KVM_SIGNAL_MSI),
#endif
#ifdef KVM_GET_LAPIC
	REQ(KVM_GET_LAPIC),
#endif
#ifdef KVM_SET_LAPIC
	REQ(KVM_SET_LAPIC),
#endif
#ifdef KVM_INTERRUPT
	REQ(KVM_INTERRUPT),
#endif
#ifdef KVM_NMI
	REQ(KVM_NMI),
#endif
#ifdef KVM_GET_MP_STATE
	REQ(KVM_GET_MP_STATE),
#endif
#ifdef KVM_SET_MP_STATE
	REQ(KVM_SET_MP_STATE),
#endif
#ifdef KVM_GET_CLOCK
	REQ(KVM_GET_CLOCK),
#endif
#ifdef KVM_SET_CLOCK
	REQ(KVM_SET_CLOCK),
#endif
#ifdef KVM_SET_TSC_KHZ
	REQ(KVM_SET_TSC_KHZ),
#endif
#ifdef KVM_GET_TSC_KHZ
	REQ(KVM_GET_TSC_KHZ),
#endif
#ifdef KVM_KVMCLOCK_CTRL
	REQ(KVM_KVMCLOCK_CTRL),
#endif
#ifdef KVM_SET_BOOT_CPU_ID
	REQ(KVM_SET_BOOT_CPU_ID),
#endif
#ifdef KVM_SET_SIGNAL_MASK
	REQ(KVM_SET_SIGNAL_MASK),
#endif
#ifdef KVM_GET_XSAVE
	REQ(KVM_GET_XSAVE),
#endif
#ifdef KVM_SET_XSAVE
	REQ(KVM_SET_XSAVE),
#endif
#ifdef KVM_GET_XSAVE2
	REQ(KVM_GET_XSAVE2),
#endif
#ifdef KVM_GET_XCRS
	REQ(KVM_GET_XCRS),
#endif
#ifdef KVM_SET_XCRS
	REQ(KVM_SET_XCRS),
#endif
#ifdef KVM_X86_SETUP_MCE
	REQ(KVM_X86_SETUP_MCE),
#endif
#ifdef KVM_X86_GET_MCE_CAP_SUPPORTED
	REQ(KVM_X86_GET_MCE_CAP_SUPPORTED),
#endif
#ifdef KVM_X86_SET_MCE
	REQ(KVM_X86_SET_MCE),
#endif
#ifdef KVM_REGISTER_COALESCED_MMIO
	REQ(KVM_REGISTER_COALESCED_MMIO),
#endif
#ifdef KVM_UNREGISTER_COALESCED_MMIO
	REQ(KVM_UNREGISTER_COALESCED_MMIO),
#endif
#ifdef KVM_GET_DIRTY_LOG
	REQ(KVM_GET_DIRTY_LOG),
#endif
#ifdef KVM_CLEAR_DIRTY_LOG
	REQ(KVM_CLEAR_DIRTY_LOG),
#endif
#ifdef KVM_SET_DEVICE_ATTR
	REQ(KVM_SET_DEVICE_ATTR),
#endif
#ifdef KVM_GET_DEVICE_ATTR
	REQ(KVM_GET_DEVICE_ATTR),
#endif
#ifdef KVM_HAS_DEVICE_ATTR
	REQ(KVM_HAS_DEVICE_ATTR),
#endif
#ifdef KVM_CREATE_DEVICE
	REQ(KVM_CREATE_DEVICE),
#endif
#ifdef KVM_GET_STATS_FD
	REQ(KVM_GET_STATS_FD),
#endif
#ifdef KVM_SET_PMU_EVENT_FILTER
	REQ(KVM_SET_PMU_EVENT_FILTER),
#endif
#ifdef KVM_SET_MSR_FILTER
	REQ(KVM_SET_MSR_FILTER),
#endif
#ifdef KVM_X86_SET_MSR_FILTER
	REQ(KVM_X86_SET_MSR_FILTER),
#endif
#ifdef KVM_GET_NESTED_STATE
	REQ(KVM_GET_NESTED_STATE),
#endif
#ifdef KVM_SET_NESTED_STATE
	REQ(KVM_SET_NESTED_STATE),
#endif
#ifdef KVM_SET_USER_MEMORY_REGION2
	REQ(KVM_SET_USER_MEMORY_REGION2),
#endif
#ifdef KVM_REINJECT_CONTROL
	REQ(KVM_REINJECT_CONTROL),
#endif
#ifdef KVM_TPR_ACCESS_REPORTING
	REQ(KVM_TPR_ACCESS_REPORTING),
#endif
#ifdef KVM_SET_VAPIC_ADDR
	REQ(KVM_SET_VAPIC_ADDR),
#endif
#ifdef KVM_PRE_FAULT_MEMORY
	REQ(KVM_PRE_FAULT_MEMORY),
#endif
};

void vmm_ioctl_decode(unsigned long req, struct vmm_ioctl_info *out)
{
	static const char *const dirs[] = {
		[_IOC_NONE] = "none",
		[_IOC_WRITE] = "write",
		[_IOC_READ] = "read",
		[_IOC_READ | _IOC_WRITE] = "read/write",
	};

	out->dir = dirs[_IOC_DIR(req) & 3];
	out->size = _IOC_SIZE(req);
	out->type = _IOC_TYPE(req);
	out->nr = _IOC_NR(req);
}

const char *vmm_ioctl_name(unsigned long req)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].req == req)
			return names[i].name;
	return NULL;
}

const char *vmm_ioctl_name_at(size_t i)
{
	return i < sizeof(names) / sizeof(names[0]) ? names[i].name : NULL;
}

unsigned long vmm_ioctl_request(const char *name)
{
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].req;
	return 0;
}

long vmm_ioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret = ioctl(fd, req, arg);
	int err = errno;

	if (vmm_log_enabled(VMM_LOG_IOCTL)) {
		struct vmm_ioctl_info i;
		const char *name = vmm_ioctl_name(req);

		vmm_ioctl_decode(req, &i);
		vmm_logf(VMM_LOG_IOCTL, "%-26s req=0x%08lx dir=%-10s size=%-4u type=0x%02X nr=0x%02X -> %ld%s%s",
			 name ? name : "(unknown)", req, i.dir, i.size, i.type, i.nr,
			 ret < 0 ? -(long)err : ret, ret < 0 ? " " : "", ret < 0 ? strerror(err) : "");
	}
	return ret < 0 ? -err : ret;
}
