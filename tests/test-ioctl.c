/* test-ioctl.c - decoding KVM request codes (the _IOC fields) and the ioctl log line.
 *
 * Every request code comes from <linux/kvm.h>, so the expectations are the kernel's
 * own: the direction, argument size, type (0xAE) and number the macros encode.  A few
 * are also checked against their literal values, which anyone can confirm with
 * `printf '%x' ...` from strace output.  No /dev/kvm needed: the logged call uses fd -1.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "testkit.h"
#include "ioctl.h"
#include "log.h"

#define CHECK_DECODE(req, dir_, size_, nr_)                                               \
	do {                                                                               \
		struct vmm_ioctl_info i_;                                                  \
		memset(&i_, 0x5a, sizeof(i_));                                             \
		vmm_ioctl_decode((req), &i_);                                              \
		CHECK_STR(i_.dir, (dir_));                                                 \
		CHECK_EQ(i_.size, (size_));                                                \
		CHECK_EQ(i_.type, 0xAE);                                                   \
		CHECK_EQ(i_.nr, (nr_));                                                    \
		CHECK_STR(vmm_ioctl_name(req), #req);                                      \
	} while (0)

static void test_decode(void)
{
	/* _IO: no argument struct. */
	CHECK_DECODE(KVM_GET_API_VERSION, "none", 0, 0x00);
	CHECK_DECODE(KVM_CREATE_VM, "none", 0, 0x01);
	CHECK_DECODE(KVM_CHECK_EXTENSION, "none", 0, 0x03);
	CHECK_DECODE(KVM_GET_VCPU_MMAP_SIZE, "none", 0, 0x04);
	CHECK_DECODE(KVM_CREATE_VCPU, "none", 0, 0x41);
	CHECK_DECODE(KVM_SET_TSS_ADDR, "none", 0, 0x47);
	CHECK_DECODE(KVM_RUN, "none", 0, 0x80);
	/* _IOR: the kernel writes the struct, user space reads it. */
	CHECK_DECODE(KVM_GET_REGS, "read", sizeof(struct kvm_regs), 0x81);
	CHECK_DECODE(KVM_GET_SREGS, "read", sizeof(struct kvm_sregs), 0x83);
	CHECK_DECODE(KVM_GET_VCPU_EVENTS, "read", sizeof(struct kvm_vcpu_events), 0x9f);
	/* _IOW: user space writes the struct. */
	CHECK_DECODE(KVM_SET_USER_MEMORY_REGION, "write", 32, 0x46);
	CHECK_DECODE(KVM_SET_REGS, "write", sizeof(struct kvm_regs), 0x82);
	CHECK_DECODE(KVM_SET_SREGS, "write", sizeof(struct kvm_sregs), 0x84);
	CHECK_DECODE(KVM_SET_GUEST_DEBUG, "write", sizeof(struct kvm_guest_debug), 0x9b);
	CHECK_DECODE(KVM_SET_CPUID2, "write", sizeof(struct kvm_cpuid2), 0x90);
	/* _IOWR: both. */
	CHECK_DECODE(KVM_TRANSLATE, "read/write", sizeof(struct kvm_translation), 0x85);
	CHECK_DECODE(KVM_GET_SUPPORTED_CPUID, "read/write", sizeof(struct kvm_cpuid2), 0x05);

	/* The same codes as literals (x86-64 <asm-generic/ioctl.h> layout). */
	CHECK_EQ(KVM_CREATE_VM, 0xae01);
	CHECK_EQ(KVM_RUN, 0xae80);
	CHECK_EQ(KVM_GET_REGS, 0x8090ae81);
	CHECK_EQ(KVM_SET_USER_MEMORY_REGION, 0x4020ae46);
	CHECK_EQ(KVM_TRANSLATE, 0xc018ae85);
	CHECK_EQ(sizeof(struct kvm_regs), 144);
	CHECK_EQ(sizeof(struct kvm_userspace_memory_region), 32);
	CHECK_EQ(sizeof(struct kvm_translation), 24);
}

static void test_decode_raw(void)
{
	struct vmm_ioctl_info i;

	/* A request from no header at all: fields straight from the bits. */
	vmm_ioctl_decode(0xc1234567ul, &i);  /* dir 3, size 0x123, type 0x45, nr 0x67 */
	CHECK_STR(i.dir, "read/write");
	CHECK_EQ(i.size, 0x123);
	CHECK_EQ(i.type, 0x45);
	CHECK_EQ(i.nr, 0x67);
	vmm_ioctl_decode(0, &i);
	CHECK_STR(i.dir, "none");
	CHECK_EQ(i.size, 0);
	CHECK_EQ(i.type, 0);
	CHECK_EQ(i.nr, 0);
	/* Largest size the 14-bit field holds. */
	vmm_ioctl_decode(_IOC(_IOC_READ, 0xAE, 0xff, 0x3fff), &i);
	CHECK_STR(i.dir, "read");
	CHECK_EQ(i.size, 0x3fff);
	CHECK_EQ(i.nr, 0xff);
}

static void test_names(void)
{
	CHECK_STR(vmm_ioctl_name(KVM_SET_SREGS2), "KVM_SET_SREGS2");
	CHECK_STR(vmm_ioctl_name(KVM_ENABLE_CAP), "KVM_ENABLE_CAP");
	CHECK(vmm_ioctl_name(0) == NULL);
	CHECK(vmm_ioctl_name(0xdeadbeef) == NULL);
	/* Same nr, other direction: a different request, not a match. */
	CHECK(vmm_ioctl_name(_IO(0xAE, 0x81)) == NULL);
	CHECK(vmm_ioctl_name(_IOR(0xAE, 0x01, int)) == NULL);
}

static char logged[1024];
static int nlogged;

static void capture(enum vmm_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level == VMM_LOG_IOCTL) {
		snprintf(logged, sizeof(logged), "%s", msg);
		nlogged++;
	}
}

static void test_log_line(void)
{
	struct kvm_regs regs;

	vmm_log_set_sink(capture, NULL);

	/* Logging off: the call still happens and fails, nothing is logged. */
	vmm_log_enable(VMM_LOG_IOCTL, 0);
	CHECK_EQ(vmm_ioctl(-1, KVM_CREATE_VM, 0), (unsigned long long)(long)-EBADF);
	CHECK_EQ(nlogged, 0);

	vmm_log_enable(VMM_LOG_IOCTL, 1);
	CHECK_EQ(VMM_IOCTL(-1, KVM_CREATE_VM, 0), (unsigned long long)(long)-EBADF);
	CHECK_EQ(nlogged, 1);
	CHECK_CONTAINS(logged, "KVM_CREATE_VM");
	CHECK_CONTAINS(logged, "req=0x0000ae01");
	CHECK_CONTAINS(logged, "dir=none");
	CHECK_CONTAINS(logged, "size=0 ");
	CHECK_CONTAINS(logged, "type=0xAE");
	CHECK_CONTAINS(logged, "nr=0x01");
	CHECK_CONTAINS(logged, "-> -9");
	CHECK_CONTAINS(logged, strerror(EBADF));

	CHECK_EQ(VMM_IOCTL(-1, KVM_GET_REGS, &regs), (unsigned long long)(long)-EBADF);
	CHECK_CONTAINS(logged, "KVM_GET_REGS");
	CHECK_CONTAINS(logged, "dir=read ");
	CHECK_CONTAINS(logged, "size=144 ");
	CHECK_CONTAINS(logged, "nr=0x81");

	CHECK_EQ(VMM_IOCTL(-1, 0xc1234567ul, 0), (unsigned long long)(long)-EBADF);
	CHECK_CONTAINS(logged, "(unknown)");
	CHECK_CONTAINS(logged, "dir=read/write");
	CHECK_CONTAINS(logged, "type=0x45");
	CHECK_EQ(nlogged, 3);

	vmm_log_enable(VMM_LOG_IOCTL, 0);
	vmm_log_set_sink(NULL, NULL);
}

int main(void)
{
	test_decode();
	test_decode_raw();
	test_names();
	test_log_line();
	return check_summary();
}
