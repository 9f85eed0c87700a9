/* sandbox.h - run untrusted programs (the compiler on a submission, a student's handlers,
 * a student's hypervisor) in a sandbox made of well-kept tools: bubblewrap for the
 * namespaces and the mount view, libseccomp for the system-call filter.
 *
 * What a sandboxed program gets (lab_sandbox_spawn):
 *  - a uid of its own: when the grader runs as root it first drops to an unprivileged uid
 *    no other process uses (lab_sandbox_new_uid), no groups, then enters
 *    bwrap's user namespace (bwrap started by root with --uid maps back to root: measured);
 *  - its own PID, IPC, UTS, network (none) and cgroup namespaces; killing the process
 *    lab_sandbox_spawn returns kills the whole tree (bwrap --die-with-parent, and pid 1's
 *    death ends the namespace); the same happens when the grader dies (PR_SET_PDEATHSIG);
 *  - a mount view: /usr read-only (with /bin, /lib, /lib64, /sbin), a fresh /proc, a
 *    minimal /dev (null, zero, full, random, urandom, tty; /dev/kvm only when the caller
 *    names a node for it: lab_sandbox_kvm_node), a private /tmp (tmpfs, 256 MiB), and only
 *    the folders the caller binds, at the same paths;
 *  - no inherited file descriptors but 0 (/dev/null unless given), 1, 2 and the caller's
 *    list, renumbered 3, 4, ... (an already-open /dev/kvm, a socket to the grader);
 *  - limits: CPU seconds, address space, file size, processes (per uid: its own);
 *  - an empty environment but PATH, HOME=/tmp, LC_ALL=C;
 *  - a seccomp filter that refuses (EPERM) ptrace, process_vm_*, mount and namespace
 *    calls, kernel modules, kexec, bpf, perf, keyrings, userfaultfd, io_uring, TIOCSTI,
 *    sockets other than AF_UNIX, clone into new namespaces.
 *
 * With sandboxing off (the instructor's explicit --no-sandbox, or a student's own
 * machine without bwrap for `kvmlab lab run`), the same call runs the program with only
 * the limits, the closed descriptors and its own process group.
 *
 * Functions return 0 or -errno; nothing here prints or exits the process.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAB_SANDBOX_UID_BASE 0x40000000u   /* + pid: a uid nothing else runs as */
#define LAB_SANDBOX_MAX_FDS 4
#define LAB_SANDBOX_MAX_BINDS 16

struct lab_sandbox_bind {
	const char *path;         /* bound at the same path inside */
	bool writable;
};

struct lab_sandbox {
	const char *const *argv;  /* argv[0]: an absolute path, or a name looked up in PATH */
	const char *cwd;          /* working folder inside (NULL: /tmp) */
	struct lab_sandbox_bind binds[LAB_SANDBOX_MAX_BINDS];
	unsigned nbinds;
	int fds[LAB_SANDBOX_MAX_FDS];   /* passed as 3, 4, ... in this order */
	unsigned nfds;
	int stdin_fd;             /* -1: /dev/null */
	int stdout_fd;            /* -1: /dev/null */
	int stderr_fd;            /* -1: /dev/null */
	unsigned cpu_s;           /* RLIMIT_CPU; 0: none */
	uint64_t mem;             /* RLIMIT_AS in bytes; 0: none */
	uint64_t fsize;           /* RLIMIT_FSIZE in bytes; 0: none */
	unsigned nproc;           /* RLIMIT_NPROC for its uid (only when it has a uid of its own) */
	uid_t uid;                /* when the grader is root: the uid to run as (0: a fresh one) */
	bool off;                 /* no namespaces: limits and descriptors only (--no-sandbox) */
	const char *kvm_node;     /* a KVM device node bound at /dev/kvm inside (NULL: none) */
	bool pid1;                /* the program is its PID namespace's process 1: no process
				   * of bwrap's (outside the seccomp filter) shares the namespace
				   * for the program to write into through /proc/1/mem */
};

/* A uid no other process runs as (LAB_SANDBOX_UID_BASE + pid and a sequence number), or 0
 * when the grader is not root (the sandbox then keeps the grader's uid). */
uid_t lab_sandbox_new_uid(void);
/* Give a folder tree to uid (no-op for 0), so the sandbox can write where it is bound. */
int lab_sandbox_chown_tree(const char *path, uid_t uid);

/* A lab_sandbox with the defaults: standard streams to /dev/null, no limits. */
void lab_sandbox_init(struct lab_sandbox *sb, const char *const *argv);
/* Add a folder (or file) bound at the same path; -E2BIG when full. */
int lab_sandbox_bind(struct lab_sandbox *sb, const char *path, bool writable);
/* Pass fd into the sandbox; *inside receives its number there.  -E2BIG when full. */
int lab_sandbox_pass_fd(struct lab_sandbox *sb, int fd, int *inside);

/*
 * Can this host sandbox?  0, or -errno with the reason in why: bwrap missing, user
 * namespaces refused (bwrap's own message), libseccomp unusable.  The answer is
 * measured once (a trivial program run in a sandbox) and remembered.
 */
int lab_sandbox_probe(char *why, size_t len);

/*
 * A KVM device node the sandbox's uid may open, for kvm_node: with a uid of its own (the
 * grader is root), a private node dir/kvm of dev's device number, owned by uid, mode 0600
 * (the host's /dev/kvm stays as it is); with uid 0 (no uid change), dev itself.  The path
 * goes into path.  0 or -errno (-ENODEV: dev is not a character device).
 */
int lab_sandbox_kvm_node(const char *dir, uid_t uid, const char *dev, char *path, size_t len);

/* Start the program; *pid is the process to wait for and to kill.  0 or -errno. */
int lab_sandbox_spawn(const struct lab_sandbox *sb, pid_t *pid);

/* Become the sandboxed program in this very process (for a process that another one
 * started and watches, such as kvmlab exec's program: kvmlab-sandbox).  Standard streams
 * are taken from sb as in lab_sandbox_spawn; the process dies with its parent.  Returns
 * only on failure, -errno (the descriptors may already have been rearranged). */
int lab_sandbox_exec(const struct lab_sandbox *sb);

/* Kill everything the sandbox started (the tree, and the namespace). */
void lab_sandbox_kill(pid_t pid, bool off);

/*
 * Wait for pid at most timeout_ms (0: no limit), killing the tree on time-out.  *status
 * gets the wait status of the sandbox's own process; *timed_out says it was killed here.
 * 0 or -errno.
 */
int lab_sandbox_wait(pid_t pid, bool off, unsigned timeout_ms, int *status, bool *timed_out);

/*
 * How a sandboxed program ended, in words, from lab_sandbox_wait's status ("exit status 1",
 * "killed by signal 11 (Segmentation fault)", "killed by signal 24 (CPU time limit
 * exceeded): CPU time limit").  bwrap reports a program killed by signal N as status
 * 128 + N; that is decoded too.  Returns the signal number, or 0 for a normal exit.
 */
int lab_sandbox_describe(int status, bool off, char *buf, size_t len);

/* Remove the grader's temporary folders (PREFIX-PID-*) whose grading process is gone;
 * a folder holding a file named .kvmlab-keep stays.  Returns how many it removed. */
int lab_sandbox_sweep(const char *tmpdir, const char *prefix);

/* Remove a folder tree without following symlinks; 0 or -errno. */
int lab_rmtree(const char *path);
