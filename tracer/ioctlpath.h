/* ioctlpath.h - how Linux serves a KVM ioctl, from ioctl(2) to KVM's handler and back, step
 * by step with the kernel function and source file of each step (Linux 6.x) and what kvmlab
 * shows of it: the text of `kvmlab explain`. */
#pragma once

#include <stdio.h>

/* Which file the ioctl is made on: the handler that file's file_operations name. */
enum ioctlpath_fd {
	IOCTLPATH_NONE,     /* the general topic: no particular file */
	IOCTLPATH_SYSTEM,   /* /dev/kvm: kvm_chardev_ops, kvm_dev_ioctl */
	IOCTLPATH_VM,       /* a VM fd: kvm_vm_fops, kvm_vm_ioctl */
	IOCTLPATH_VCPU,     /* a vCPU fd: kvm_vcpu_fops, kvm_vcpu_ioctl */
};

/* One step of the path: the function, its file, what it does, what kvmlab shows (or NULL). */
struct ioctlpath_step {
	const char *func;
	const char *file;
	const char *what;
	const char *shows;
};

/* One topic: "ioctl" (the general path) or a KVM ioctl by name. */
struct ioctlpath {
	const char *name;
	enum ioctlpath_fd fd;
	const char *summary;                 /* what the call is for, in a sentence or two */
	const struct ioctlpath_step *steps;  /* after the common ones; ends with func NULL */
	const char *returns;                 /* what the program gets back */
	const char *shows;                   /* the lines of kvmlab that show it */
};

/* The topic named name (case-insensitive, "KVM_" may be left out), or NULL. */
const struct ioctlpath *ioctlpath_find(const char *name);

/* The i-th topic (0, 1, ...), NULL past the last. */
const struct ioctlpath *ioctlpath_at(size_t i);

/* Write the topic as text: the request code's fields (a KVM ioctl), the common steps from
 * ioctl(2) to the file's handler, the topic's own steps, the result and what kvmlab shows.
 * 0, or -EIO when f could not be written. */
int ioctlpath_write(FILE *f, const struct ioctlpath *p);
