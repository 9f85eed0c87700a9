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
