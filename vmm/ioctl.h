/* ioctl.h - every KVM ioctl goes through here, so --show-ioctls can log it decoded. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vmm_ioctl_info {
	const char *dir;   /* "none", "write", "read", "read/write" (user-space view, _IOC_DIR) */
	unsigned size;     /* _IOC_SIZE: bytes of the argument struct */
	unsigned type;     /* _IOC_TYPE: 0xAE for KVM */
	unsigned nr;       /* _IOC_NR */
};

/* Decode the _IOC fields of a request code. */
void vmm_ioctl_decode(unsigned long req, struct vmm_ioctl_info *out);

/* Name of a KVM request code ("KVM_CREATE_VM"), or NULL if unknown. */
const char *vmm_ioctl_name(unsigned long req);

/* The i-th name of the ioctls kvmlab decodes (0, 1, ...), NULL past the last. */
const char *vmm_ioctl_name_at(size_t i);

/* The request code of a KVM ioctl named as above ("KVM_RUN"), or 0 if unknown. */
unsigned long vmm_ioctl_request(const char *name);

/* ioctl(fd, req, arg), logged at VMM_LOG_IOCTL; returns the result or -errno. */
long vmm_ioctl(int fd, unsigned long req, unsigned long arg);

#define VMM_IOCTL(fd, req, arg) vmm_ioctl((fd), (req), (unsigned long)(arg))
