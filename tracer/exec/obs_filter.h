/* obs_filter.h - the seccomp filter that stops an observed program on the calls kvmlab needs. */
#pragma once

#include <stdint.h>

/* The calls the filter sends to kvmlab, whatever the system call ABI. */
enum obs_sc {
	OBS_SC_OTHER,
	OBS_SC_IOCTL,        /* ioctl with a request of KVM's type 0xAE */
	OBS_SC_CLOSE,
	OBS_SC_CLOSE_RANGE,
	OBS_SC_DUP,
	OBS_SC_DUP2,
	OBS_SC_DUP3,
	OBS_SC_FCNTL_DUP,    /* fcntl F_DUPFD / F_DUPFD_CLOEXEC */
	OBS_SC_MMAP,         /* a shared mapping of an fd (mmap, mmap2) */
};

/*
 * Install the filter in the calling process (after PR_SET_NO_NEW_PRIVS): SECCOMP_RET_TRACE
 * for the calls above on the x86-64, i386 and x32 ABIs, everything else allowed; a 64-bit
 * KVM_RUN whose fourth argument register (r10, unused by ioctl) holds cookie is allowed without a stop: kvmlab
 * single-steps the program's guest with such calls, and the program cannot know the cookie.  Only
 * async-signal-safe calls (it runs between fork and exec); 0 or -errno.
 */
int obs_filter_install(uint64_t cookie);

/* The same filter, but every 64-bit KVM_RUN passes without a stop: kvmlab sees those through
 * the kernel's tracepoints instead (obs_tp.h).  0 or -errno. */
int obs_filter_install_free_runs(uint64_t cookie);

/* Which of the calls a stop is for, from the audit arch and syscall number. */
enum obs_sc obs_filter_classify(uint32_t arch, unsigned nr);
