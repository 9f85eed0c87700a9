/* kvmdecode.h - a KVM ioctl's arguments and a KVM_RUN exit, decoded field by field. */
#pragma once

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "fieldw.h"

/* The most bytes of an argument kvmlab reads from a program (large arrays are cut). */
#define KVMDEC_ARG_MAX (64 * 1024)

/* Name of a KVM_CAP_* number ("KVM_CAP_SYNC_REGS"), or NULL. */
const char *kvmdec_cap_name(uint64_t cap);

/* True if the request's third argument is a pointer to a structure (not a plain value). */
int kvmdec_arg_is_pointer(unsigned long req);

/*
 * The number of bytes of the argument structure, given its first `have` bytes (the fixed
 * header, _IOC_SIZE bytes): larger than the header for the variable-length requests
 * (CPUID2 and MSR lists: the entries the header counts), capped at KVMDEC_ARG_MAX.
 */
size_t kvmdec_arg_size(unsigned long req, const uint8_t *head, size_t have);

/*
 * One ioctl call: the argument as read when the call was made (in) and after it returned
 * (out; NULL when it failed or the request only writes).  Either may be shorter than the
 * structure if the program's memory could not be read; what is missing is said.
 */
struct kvmdec_call {
	unsigned long req;
	uint64_t arg;
	const uint8_t *in;
	size_t in_len;
	const uint8_t *out;
	size_t out_len;
	long ret;             /* the result, or -errno */
};

/* Write the call's argument fields (an "arg" object, or a value). */
void kvmdec_args(struct fieldw *w, const struct kvmdec_call *c);

/* Write the result fields: "ret" or "errno", and what the kernel wrote back. */
void kvmdec_result(struct fieldw *w, const struct kvmdec_call *c);

/*
 * A KVM_RUN exit from a copy of the kvm_run structure, and the I/O data it points to
 * (io_data: the io_len bytes at data_offset, already bounds-checked by the caller; NULL if
 * data_offset is outside the mapping).
 */
void kvmdec_exit(struct fieldw *w, const struct kvm_run *run, const uint8_t *io_data, size_t io_len);

/* Registers and special registers, as in KVM_GET_REGS / KVM_GET_SREGS. */
void kvmdec_regs(struct fieldw *w, const char *key, const struct kvm_regs *r);
void kvmdec_sregs(struct fieldw *w, const char *key, const struct kvm_sregs *s);
