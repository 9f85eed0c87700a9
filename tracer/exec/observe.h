/* observe.h - watch another program's KVM ioctls from outside: ptrace with a seccomp filter. */
#pragma once

#include <sched.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exits.h"
#include "kvmdecode.h"
#include "obs_kports.h"

/*
 * The program runs under ptrace; a seccomp filter it cannot remove stops it on every ioctl
 * of KVM's type (0xAE) and on the calls that change which fd is which (close, close_range,
 * dup, dup2, dup3, fcntl F_DUPFD, shared mmap of an fd), for the 64-bit, 32-bit and x32
 * system call ABIs alike, in every thread and child.  Arguments are read from its memory
 * with process_vm_readv; each vCPU's kvm_run page is mapped into kvmlab too (its fd taken
 * with pidfd_getfd), so exits are read where the kernel wrote them.  Nothing in the
 * program can skip this: raw syscalls and static linking go through the same filter.
 *
 * Two ways to see KVM_RUN (obs_mode): stopped like every other KVM ioctl (ptrace; kvmlab and
 * the program are then pinned to one CPU, as a stop that wakes kvmlab on another CPU costs
 * an inter-processor interrupt), or let through the filter and read from the kernel's KVM
 * tracepoints (obs_tp.h), merged in time order with the ioctls ptrace still stops.
 */

enum obs_mode { OBS_MODE_AUTO, OBS_MODE_PTRACE, OBS_MODE_TRACEPOINTS };

/* How a program is being observed (the log's header says it). */
struct obs_how {
	enum obs_mode mode;       /* PTRACE or TRACEPOINTS, as chosen */
	int cpu;                  /* ptrace: the CPU kvmlab and the program are pinned to (-1: none) */
	const char *why;          /* ptrace chosen by auto: why not the tracepoints ("" otherwise) */
	size_t ring_bytes;        /* tracepoints: each CPU's ring */
};

enum obs_kind { OBS_SYSTEM, OBS_VM, OBS_VCPU };

#define OBS_MAX_SLOTS 64

struct obs_slot {
	uint32_t slot, flags;
	uint64_t gpa, size, hva;
};

/* One KVM object of the program: /dev/kvm, a VM or a vCPU. */
struct obs_obj {
	enum obs_kind kind;
	char name[64];            /* "kvm", "vm1", "vm1.vcpu0" ("vm?.vcpu0": VM not seen) */
	pid_t pid;                /* the process it belongs to */
	struct obs_obj *vm;       /* a vCPU's VM (NULL if not seen) */
	int vm_no, vcpu_id;
	/* a VM's memory slots, as the program set them */
	struct obs_slot slots[OBS_MAX_SLOTS];
	int nslots;
	struct obs_kports kports;  /* a VM: the ports KVM answers in the kernel */
	/* a vCPU: kvmlab's own mapping of its kvm_run page and the I/O page after it */
	const uint8_t *run;
	size_t run_len;
	uint64_t prog_run_addr;   /* where the program mapped it (0: not seen) */
	/* a vCPU: CR0 and EFER as the program last set them, and its last exit */
	bool sregs_set;
	uint64_t cr0, efer;
	bool exited;
	uint32_t last_exit;
	/* counts */
	uint64_t runs, guest_ns;
	struct vmm_exit_stats exits;
	struct obs_obj *next;
};

/* One KVM ioctl, when it returned (or when the program died inside it: unfinished). */
struct obs_call {
	pid_t pid, tid;
	int fd;
	struct obs_obj *obj;      /* the fd's object (NULL: a KVM-type request on another fd) */
	struct obs_obj *created;  /* the VM or vCPU it created */
	struct kvmdec_call c;
	uint64_t ns;              /* from the call to its return, seen from outside */
	bool unfinished;
	/* KVM_RUN: the exit, copied from the kvm_run page, and its I/O bytes */
	bool has_exit;
	struct kvm_run run;
	const uint8_t *io;
	size_t io_len;
	uint8_t immediate_exit;   /* as the program set it before the call */
	/* KVM_RUN after an IN exit: the bytes the program put at data_offset as its answer */
	uint8_t in_reply[64];
	size_t in_reply_len;
	bool no_immediate_exit;   /* tracepoints: immediate_exit was not seen at the call */
	const char *note;         /* what the exit's fields could not carry, or why the call is
				   * unfinished (NULL: nothing to say) */
};

enum obs_proc_event { OBS_PROC_START, OBS_PROC_FORK, OBS_PROC_EXEC, OBS_PROC_EXIT };

struct obs_sink {
	void (*call)(void *ctx, const struct obs_call *c);
	/* the program mapped a vCPU's kvm_run (len bytes at addr) */
	void (*mapped)(void *ctx, pid_t tid, const struct obs_obj *vcpu, uint64_t addr, uint64_t len);
	/* START/EXEC: what = the program's path; FORK: status = the parent pid; EXIT: the
	 * wait status */
	void (*proc)(void *ctx, enum obs_proc_event ev, pid_t pid, int status, const char *what);
	/* once, before the program starts: how it is observed */
	void (*how)(void *ctx, const struct obs_how *how);
	/* the kernel dropped n tracepoint records (a ring overflowed) around thread tid; or
	 * (tampered not NULL) the recording was changed behind kvmlab's back, as it says */
	void (*lost)(void *ctx, pid_t tid, uint64_t n, const char *tampered);
	void *ctx;
};

struct obs_opts {
	const char *path;         /* the program's file (obs_find_program) */
	char *const *argv;        /* its arguments, argv[0] first */
	unsigned timeout_ms;      /* 0: none; else TERM, and KILL 500 ms later */
	int out_fd, err_fd;       /* > 2: the program's standard output and error go there */
	enum obs_mode mode;       /* AUTO: tracepoints where they can be used, else ptrace */
	unsigned ring_pages;      /* tracepoints: pages per CPU ring (0: the default, 8 MiB) */
	const struct obs_sink *sink;
};

struct obs_result {
	int status;               /* the program's wait status (WIFEXITED / WIFSIGNALED) */
	bool started;             /* the program was executed */
	int exec_errno;           /* !started: why it could not be executed */
	bool timed_out;
	uint64_t kvm_calls;       /* KVM ioctls seen in all processes */
	enum obs_mode mode;       /* how it was observed */
	uint64_t lost;            /* tracepoint records the kernel dropped */
	char tampered[256];       /* "": the tracepoints recorded as set up; else what changed */
	struct obs_obj *objs;     /* every KVM object seen, oldest first (valid until obs_free) */
};

struct obs;

/*
 * The file the program name stands for: name itself if it has a '/', else the first
 * executable file of that name on PATH (as execvp finds it, but never running a file that is
 * not a program through /bin/sh).  0, -ENOENT, or -EACCES (found, not executable).
 */
int obs_find_program(const char *name, char *path, size_t len);

/* Start the program under observation, stopped before its first instruction.  With
 * OBS_MODE_TRACEPOINTS and the tracepoints unusable: -EOPNOTSUPP, the reason in why. */
int obs_start(const struct obs_opts *opts, struct obs **out, char *why, size_t len);

/* Run it to the end (every process of it), feeding the sink; 0 or -errno. */
int obs_run(struct obs *o, struct obs_result *res);

/* ---- holding a vCPU's KVM_RUN (for stepping the program's guest) ---------------------- */

/* Which KVM_RUN obs_pump() stops at: that vCPU, or any vCPU of VM number vm_no (0: any). */
struct obs_want {
	const struct obs_obj *vcpu;
	int vm_no;
};

/* A thread stopped at the entry of a KVM_RUN (a seccomp stop), left for the caller. */
struct obs_hold {
	pid_t tid, pid;
	struct obs_obj *vcpu;
	int fd;                   /* the program's fd for the vCPU */
};

/* Let the program run (once: obs_start leaves it stopped). 0 or -errno. */
int obs_begin(struct obs *o);

/*
 * Serve the program's stops until a thread enters a KVM_RUN that want names (1: it is left
 * stopped and described in *hold; the caller resumes it with ptrace), or until every process
 * of it has ended (0).  want NULL: run to the end.  -errno on failure.
 */
int obs_pump(struct obs *o, const struct obs_want *want, struct obs_hold *hold);

/* A held thread ended while its holder waited for it (a wait status). */
void obs_task_gone(struct obs *o, pid_t tid, int status);

/* The kind of exit a KVM_RUN that returned ret left in r. */
enum vmm_exit obs_exit_kind(const struct kvm_run *r, long ret);

/* The result so far (call once, at the end). */
void obs_end(struct obs *o, struct obs_result *res);

/* The secret value in r10 (ioctl's unused fourth argument) that lets a KVM_RUN through the filter without a stop (only
 * kvmlab's own calls injected into the program use it). */
uint64_t obs_cookie(const struct obs *o);

/* The CPUs kvmlab ran on before it pinned itself and the program to one for ptrace stops. */
const cpu_set_t *obs_cpus(const struct obs *o);

/* Release everything (kills what is still running). */
void obs_free(struct obs *o);
