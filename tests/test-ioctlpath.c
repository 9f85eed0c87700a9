/* test-ioctlpath.c - the text of `kvmlab explain` (tracer/ioctlpath.c): every ioctl
 * kvm-hello-world makes has an entry, each entry names the handler of the file it is made on
 * and the functions the kernel really calls on the way (checked against the facts of the
 * Linux 6.x sources listed here), the request code it prints is <linux/kvm.h>'s, lines fit
 * 88 columns, and every ioctl the decoder knows either has an entry or is found by no name. */
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioctl.h"
#include "ioctlpath.h"
#include "testkit.h"

/* The topic as `kvmlab explain` writes it. */
static char *text_of(const struct ioctlpath *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	CHECK_EQ(ioctlpath_write(f, p), 0);
	fclose(f);
	return buf;
}

/* Every line of text within width columns. */
static void check_width(const char *name, const char *text, size_t width)
{
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		CHECK_MSG(n <= width, "%s: a line of %zu columns: %.*s", name, n, (int)n, l);
		l = nl ? nl + 1 : l + n;
	}
}

struct fact {
	const char *topic;
	const char *needles[8];
};

/* What each entry must say (Linux 6.x: fs/ioctl.c, virt/kvm/kvm_main.c, arch/x86/kvm/). */
static const struct fact facts[] = {
	{ "ioctl", { "fs/ioctl.c", "unlocked_ioctl", "misc_register", "kvm_chardev_ops",
		     "kvm_vm_fops", "kvm_vcpu_fops", "anon_inode_getf", "copy_from_user" } },
	{ "KVM_RUN", { "kvm_vcpu_ioctl", "kvm_arch_vcpu_ioctl_run", "vcpu_run (",
		       "vcpu_enter_guest", "KVM_EXIT_IO", "data_offset = KVM_PIO_PAGE_OFFSET",
		       "KVM_EXIT_HLT", "immediate_exit" } },
	{ "KVM_RUN", { "KVM_RUN, an ioctl on a vCPU fd\nrequest 0x0000ae80: dir none, size 0, "
		       "type 0xAE, nr 0x80\n",
		       "fs/ioctl.c", "vfs_ioctl", "kvm_vcpu_fops", "complete_userspace_io",
		       "arch/x86/kvm/x86.c", "EINTR", "exit=KVM_EXIT_IO" } },
	{ "KVM_GET_API_VERSION", { "kvm_dev_ioctl", "KVM_API_VERSION (12)", "on /dev/kvm", NULL } },
	{ "KVM_CREATE_VM", { "kvm_dev_ioctl_create_vm", "kvm_create_vm", "\"kvm-vm\"",
			     "kvm_vm_fops", NULL } },
	{ "KVM_GET_VCPU_MMAP_SIZE", { "12288", "kvm_vcpu_fault", "pio_data", "0x1000", NULL } },
	{ "KVM_SET_TSS_ADDR", { "kvm_vm_ioctl", "kvm_arch_vm_ioctl", "vmx_set_tss_addr", NULL } },
	{ "KVM_SET_USER_MEMORY_REGION", { "kvm_vm_ioctl", "__kvm_set_memory_region",
					  "userspace_addr", "on a VM fd", NULL } },
	{ "KVM_CREATE_VCPU", { "kvm_vm_ioctl_create_vcpu", "kvm_arch_vcpu_create",
			       "\"kvm-vcpu:N\"", "0xfff0", NULL } },
	{ "KVM_GET_SREGS", { "kvm_vcpu_ioctl", "kvm_arch_vcpu_ioctl_get_sregs", "copy_to_user",
			     NULL } },
	{ "KVM_SET_SREGS", { "kvm_arch_vcpu_ioctl_set_sregs", "kvm_mmu_reset_context", "CR3",
			     NULL } },
	{ "KVM_GET_REGS", { "kvm_arch_vcpu_ioctl_get_regs", "rax=0x2a", NULL } },
	{ "KVM_SET_REGS", { "kvm_arch_vcpu_ioctl_set_regs", "rip=0x0", NULL } },
	{ "KVM_CHECK_EXTENSION", { "kvm_vm_ioctl_check_extension_generic", NULL } },
};

static size_t topics(void)
{
	size_t n = 0;

	while (ioctlpath_at(n))
		n++;
	return n;
}

/* The ioctls kvm-hello-world makes, in its order. */
static const unsigned long hello_world[] = {
	KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_SET_TSS_ADDR, KVM_SET_USER_MEMORY_REGION,
	KVM_CREATE_VCPU, KVM_GET_VCPU_MMAP_SIZE, KVM_GET_SREGS, KVM_SET_SREGS, KVM_SET_REGS,
	KVM_RUN, KVM_GET_REGS,
};

int main(void)
{
	size_t known = 0, with = 0;

	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const struct ioctlpath *p = ioctlpath_find(facts[i].topic);
		char *t = p ? text_of(p) : NULL;

		CHECK_MSG(p != NULL, "no entry for %s", facts[i].topic);
		for (size_t k = 0; t && k < 8 && facts[i].needles[k]; k++)
			CHECK_MSG(strstr(t, facts[i].needles[k]) != NULL, "%s does not say \"%s\"",
				  facts[i].topic, facts[i].needles[k]);
		free(t);
	}
	for (size_t i = 0; i < sizeof(hello_world) / sizeof(hello_world[0]); i++) {
		const char *name = vmm_ioctl_name(hello_world[i]);

		CHECK_MSG(name && ioctlpath_find(name), "kvm-hello-world's %s has no entry",
			  name ? name : "(unnamed)");
	}
	/* every entry: its request code is <linux/kvm.h>'s, its lines fit, the common way first */
	for (size_t i = 0; ioctlpath_at(i); i++) {
		const struct ioctlpath *p = ioctlpath_at(i);
		char *t = text_of(p), head[160];
		unsigned long req = vmm_ioctl_request(p->name);

		if (strcmp(p->name, "ioctl") != 0) {
			CHECK_MSG(req != 0, "%s is not a request kvmlab decodes", p->name);
			snprintf(head, sizeof(head), "%s, an ioctl on ", p->name);
			CHECK_MSG(t && strncmp(t, head, strlen(head)) == 0, "%s starts: %.60s", p->name,
				  t ? t : "");
			snprintf(head, sizeof(head), "\nrequest 0x%08lx: dir ", req);
			CHECK_MSG(t && strstr(t, head), "%s: no '%s'", p->name, head + 1);
		}
		CHECK_MSG(t && strstr(t, "1. ioctl(fd, request, arg)") && strstr(t, "2. SYSCALL_DEFINE3"),
			  "%s does not start at ioctl(2)", p->name);
		check_width(p->name, t, 88);
		CHECK(ioctlpath_find(p->name) == p);
		free(t);
	}
	/* names: any case, KVM_ left out; what has no entry is found by no spelling */
	CHECK(ioctlpath_find("kvm_run") == ioctlpath_find("KVM_RUN"));
	CHECK(ioctlpath_find("run") == ioctlpath_find("KVM_RUN"));
	CHECK(ioctlpath_find("Set_Sregs") == ioctlpath_find("KVM_SET_SREGS"));
	CHECK(ioctlpath_find("KVM_") == NULL);
	CHECK(ioctlpath_find("") == NULL);
	CHECK(ioctlpath_find(NULL) == NULL);
	for (size_t i = 0; vmm_ioctl_name_at(i); i++) {
		const char *name = vmm_ioctl_name_at(i);
		const struct ioctlpath *p = ioctlpath_find(name);

		known++;
		if (p) {
			with++;
			CHECK_STR(p->name, name);
		}
		CHECK(vmm_ioctl_request(name) != 0);
	}
	CHECK(known > 40);
	CHECK_EQ(with + 1, topics());   /* every topic but "ioctl" is a decoded ioctl */
	printf("%zu of %zu decoded ioctls have an entry\n", with, known);
	return check_summary();
}
