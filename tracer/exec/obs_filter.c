/* obs_filter.c - the observer's seccomp filter (see obs_filter.h). */
#include "obs_filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define X32_BIT 0x40000000u

/* System call numbers of the three x86 ABIs (x32: with X32_BIT). */
enum {
	NR64_IOCTL = 16, NR64_CLOSE = 3, NR64_DUP = 32, NR64_DUP2 = 33, NR64_DUP3 = 292,
	NR64_FCNTL = 72, NR64_MMAP = 9, NR_CLOSE_RANGE = 436, NRX32_IOCTL = 514,
	NR32_IOCTL = 54, NR32_CLOSE = 6, NR32_DUP = 41, NR32_DUP2 = 63, NR32_DUP3 = 330,
	NR32_FCNTL = 55, NR32_FCNTL64 = 221, NR32_MMAP2 = 192,
};

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))
#define ARG_HI(i) (ARG_LO(i) + sizeof(uint32_t))
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define TRACE RET(SECCOMP_RET_TRACE)
#define ALLOW RET(SECCOMP_RET_ALLOW)

/* Blocks that test A (the syscall number) and return, or fall through when it differs. */
#define TRACE_IF(nr) JEQ((nr), 0, 1), TRACE
#define IOCTL_IF(nr) JEQ((nr), 0, 5), LD(ARG_LO(1)), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00), \
	JEQ(0xAE00, 0, 1), TRACE, ALLOW
#define FCNTL_IF(nr) JEQ((nr), 0, 5), LD(ARG_LO(1)), JEQ(0 /* F_DUPFD */, 2, 0), \
	JEQ(1030 /* F_DUPFD_CLOEXEC */, 1, 0), ALLOW, TRACE
#define MMAP_IF(nr) JEQ((nr), 0, 7), LD(ARG_LO(3)), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1), \
	JEQ(0, 3, 0), LD(ARG_LO(4)), JEQ(0xffffffffu, 1, 0), TRACE, ALLOW

/* The 64-bit ioctl: KVM_RUN with the cookie passes, other KVM requests stop.  The cookie is
 * in the fourth argument register (r10), which ioctl does not use (KVM_RUN's own argument
 * must be 0). */
#define IOCTL64_IF(nr, lo, hi) JEQ((nr), 0, 12), LD(ARG_LO(1)), JEQ(KVM_RUN_REQ, 0, 5), \
	LD(ARG_LO(3)), JEQ((lo), 0, 3), LD(ARG_HI(3)), JEQ((hi), 0, 1), ALLOW, \
	LD(ARG_LO(1)), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00), JEQ(0xAE00, 0, 1), TRACE, ALLOW
#define KVM_RUN_REQ 0xAE80u

#define ABI64(lo, hi) { \
	LD(offsetof(struct seccomp_data, nr)), \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1), TRACE,  /* x32: all of it */ \
	IOCTL64_IF(NR64_IOCTL, (lo), (hi)), \
	TRACE_IF(NR64_CLOSE), TRACE_IF(NR64_DUP), TRACE_IF(NR64_DUP2), TRACE_IF(NR64_DUP3), \
	TRACE_IF(NR_CLOSE_RANGE), \
	FCNTL_IF(NR64_FCNTL), \
	MMAP_IF(NR64_MMAP), \
	ALLOW, \
}

static const struct sock_filter abi64_shape[] = ABI64(0, 0);

static const struct sock_filter abi32[] = {
	LD(offsetof(struct seccomp_data, nr)),
	IOCTL_IF(NR32_IOCTL),
	TRACE_IF(NR32_CLOSE), TRACE_IF(NR32_DUP), TRACE_IF(NR32_DUP2), TRACE_IF(NR32_DUP3),
	TRACE_IF(NR_CLOSE_RANGE),
	FCNTL_IF(NR32_FCNTL), FCNTL_IF(NR32_FCNTL64),
	MMAP_IF(NR32_MMAP2),
	ALLOW,
};

#define N64 (sizeof(abi64_shape) / sizeof(abi64_shape[0]))
#define N32 (sizeof(abi32) / sizeof(abi32[0]))

/* Every 64-bit KVM_RUN passes without a stop (the tracepoints report it, obs_tp.h). */
static const struct sock_filter free_runs[] = {
	LD(offsetof(struct seccomp_data, arch)),
	JEQ(AUDIT_ARCH_X86_64, 0, 5),   /* each jump lands past the ALLOW */
	LD(offsetof(struct seccomp_data, nr)),
	JEQ(NR64_IOCTL, 0, 3),
	LD(ARG_LO(1)),
	JEQ(KVM_RUN_REQ, 0, 1),
	ALLOW,
};
#define FREE_RUNS_LEN (sizeof(free_runs) / sizeof(free_runs[0]))

/* The filter: pre (npre instructions, each falling through or returning) first, then the
 * calls above. */
static int install(const struct sock_filter *pre, size_t npre, uint64_t cookie)
{
	const struct sock_filter abi64[] = ABI64((uint32_t)cookie, (uint32_t)(cookie >> 32));
	struct sock_filter prog[FREE_RUNS_LEN + 2 + N64 + 1 + N32 + 1];
	struct sock_fprog fprog = { .len = (unsigned short)(npre + 2 + N64 + 1 + N32 + 1),
				    .filter = prog };
	size_t n = npre;

	if (npre)
		memcpy(prog, pre, npre * sizeof(*pre));
	prog[n++] = (struct sock_filter)LD(offsetof(struct seccomp_data, arch));
	prog[n++] = (struct sock_filter)JEQ(AUDIT_ARCH_X86_64, 0, N64);
	memcpy(prog + n, abi64, sizeof(abi64));
	n += N64;
	prog[n++] = (struct sock_filter)JEQ(AUDIT_ARCH_I386, 0, N32);
	memcpy(prog + n, abi32, sizeof(abi32));
	n += N32;
	prog[n++] = (struct sock_filter)ALLOW;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		return -errno;
	return 0;
}

int obs_filter_install(uint64_t cookie)
{
	return install(NULL, 0, cookie);
}

int obs_filter_install_free_runs(uint64_t cookie)
{
	return install(free_runs, FREE_RUNS_LEN, cookie);
}

enum obs_sc obs_filter_classify(uint32_t arch, unsigned nr)
{
	if (arch == AUDIT_ARCH_I386) {
		switch (nr) {
		case NR32_IOCTL: return OBS_SC_IOCTL;
		case NR32_CLOSE: return OBS_SC_CLOSE;
		case NR32_DUP: return OBS_SC_DUP;
		case NR32_DUP2: return OBS_SC_DUP2;
		case NR32_DUP3: return OBS_SC_DUP3;
		case NR32_FCNTL: case NR32_FCNTL64: return OBS_SC_FCNTL_DUP;
		case NR32_MMAP2: return OBS_SC_MMAP;
		case NR_CLOSE_RANGE: return OBS_SC_CLOSE_RANGE;
		default: return OBS_SC_OTHER;
		}
	}
	if (arch != AUDIT_ARCH_X86_64)
		return OBS_SC_OTHER;
	if (nr & X32_BIT) {
		nr &= ~X32_BIT;
		if (nr == NRX32_IOCTL)
			return OBS_SC_IOCTL;
		if (nr == NR64_IOCTL)
			return OBS_SC_OTHER;   /* the 64-bit number is not ioctl on x32 */
	}
	switch (nr) {
	case NR64_IOCTL: return OBS_SC_IOCTL;
	case NR64_CLOSE: return OBS_SC_CLOSE;
	case NR64_DUP: return OBS_SC_DUP;
	case NR64_DUP2: return OBS_SC_DUP2;
	case NR64_DUP3: return OBS_SC_DUP3;
	case NR64_FCNTL: return OBS_SC_FCNTL_DUP;
	case NR64_MMAP: return OBS_SC_MMAP;
	case NR_CLOSE_RANGE: return OBS_SC_CLOSE_RANGE;
	default: return OBS_SC_OTHER;
	}
}
