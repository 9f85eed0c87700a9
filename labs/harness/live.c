/* live.c - the live values answers checks compare with, and the ones the harness reads itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "ioctl.h"
#include "live.h"
#include "vm.h"

const struct lab_live_name lab_live_names[] = {
	{ "api_version", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "what KVM_GET_API_VERSION returns" },
	{ "vcpu_mmap_size", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "what KVM_GET_VCPU_MMAP_SIZE returns on this machine (bytes to mmap for kvm_run)" },
	{ "ioctl_dir", LAB_LIVE_DIR, LAB_LIVE_ARG_IOCTL,
	  "the direction field (_IOC_DIR) of %s's request code" },
	{ "ioctl_size", LAB_LIVE_NUMBER, LAB_LIVE_ARG_IOCTL,
	  "the size field (_IOC_SIZE) of %s's request code" },
	{ "ioctl_nr", LAB_LIVE_NUMBER, LAB_LIVE_ARG_IOCTL,
	  "the number field (_IOC_NR) of %s's request code" },
	{ "ioctl_type", LAB_LIVE_NUMBER, LAB_LIVE_ARG_IOCTL,
	  "the type field (_IOC_TYPE) of %s's request code" },
	{ "ioctl_code", LAB_LIVE_NUMBER, LAB_LIVE_ARG_IOCTL, "%s's request code" },
	{ "guest_mem_size", LAB_LIVE_NUMBER, LAB_LIVE_ARG_NONE,
	  "kvmlab's default guest memory size, in bytes" },
	{ "guest_entry", LAB_LIVE_NUMBER, LAB_LIVE_ARG_GUEST,
	  "the guest physical address where the %s guest starts (its entry point)" },
	{ "first_ioctls", LAB_LIVE_LIST, LAB_LIVE_ARG_COUNT,
	  "the first %s ioctls kvmlab makes to run hello, in order" },
	{ "ioctl_count", LAB_LIVE_NUMBER, LAB_LIVE_ARG_IOCTL,
	  "how many times kvmlab calls %s to run hello" },
	{ NULL, 0, 0, NULL },
};

static lab_live_fn provider = lab_live_builtin;

int lab_live_find(const char *name)
{
	for (int i = 0; lab_live_names[i].name; i++)
		if (strcmp(lab_live_names[i].name, name) == 0)
			return i;
	return -1;
}

void lab_live_set(lab_live_fn fn)
{
	provider = fn ? fn : lab_live_builtin;
}

lab_live_fn lab_live(void)
{
	return provider;
}

/* One ioctl on /dev/kvm itself (no VM): its result, or -errno with a message. */
static long system_ioctl(unsigned long req, const char *what, char *err, size_t errlen)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long ret;

	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open /dev/kvm to read %s: %s", what, strerror(e));
		return -e;
	}
	ret = vmm_ioctl(fd, req, 0);
	close(fd);
	if (ret < 0)
		snprintf(err, errlen, "%s on /dev/kvm failed: %s", what, strerror((int)-ret));
	return ret;
}

int lab_live_builtin(const char *name, const char *arg, char *out, size_t len, char *err,
		     size_t errlen)
{
	struct vmm_ioctl_info info;
	unsigned long req;
	long v;

	if (strcmp(name, "api_version") == 0 || strcmp(name, "vcpu_mmap_size") == 0) {
		bool api = name[0] == 'a';

		v = system_ioctl(api ? KVM_GET_API_VERSION : KVM_GET_VCPU_MMAP_SIZE,
				 api ? "KVM_GET_API_VERSION" : "KVM_GET_VCPU_MMAP_SIZE", err, errlen);
		if (v < 0)
			return (int)v;
		snprintf(out, len, "%ld", v);
		return 0;
	}
	if (strcmp(name, "guest_mem_size") == 0) {
		snprintf(out, len, "%llu", (unsigned long long)VMM_MEM_DEFAULT);
		return 0;
	}
	if (strncmp(name, "ioctl_", 6) == 0 && strcmp(name, "ioctl_count") != 0) {
		req = vmm_ioctl_request(arg);
		if (!req) {
			snprintf(err, errlen, "unknown ioctl '%s'", arg ? arg : "");
			return -EINVAL;
		}
		vmm_ioctl_decode(req, &info);
		if (strcmp(name, "ioctl_dir") == 0)
			snprintf(out, len, "%s", info.dir);
		else if (strcmp(name, "ioctl_size") == 0)
			snprintf(out, len, "%u", info.size);
		else if (strcmp(name, "ioctl_nr") == 0)
			snprintf(out, len, "%u", info.nr);
		else if (strcmp(name, "ioctl_type") == 0)
			snprintf(out, len, "%u", info.type);
		else
			snprintf(out, len, "%lu", req);
		return 0;
	}
	snprintf(err, errlen, "live value '%s' needs the grader (it runs a guest)", name);
	return -ENOTSUP;
}
