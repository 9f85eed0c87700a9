/* sandbox.c - bubblewrap + a uid drop + libseccomp + rlimits around untrusted programs. */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define TMPFS_SIZE "268435456"
#define MAX_ARGS 160

void lab_sandbox_init(struct lab_sandbox *sb, const char *const *argv)
{
	memset(sb, 0, sizeof(*sb));
	sb->argv = argv;
	sb->stdin_fd = sb->stdout_fd = sb->stderr_fd = -1;
}

int lab_sandbox_bind(struct lab_sandbox *sb, const char *path, bool writable)
{
	if (sb->nbinds == LAB_SANDBOX_MAX_BINDS)
		return -E2BIG;
	sb->binds[sb->nbinds++] = (struct lab_sandbox_bind){ .path = path, .writable = writable };
	return 0;
}

int lab_sandbox_pass_fd(struct lab_sandbox *sb, int fd, int *inside)
{
	if (sb->nfds == LAB_SANDBOX_MAX_FDS)
		return -E2BIG;
	*inside = 3 + (int)sb->nfds;
	sb->fds[sb->nfds++] = fd;
	return 0;
}

/* ---- the seccomp filter ------------------------------------------------------ */

static uint8_t *bpf;
static size_t bpf_len;

static const int denied[] = {
	SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(mount), SCMP_SYS(umount2),
	SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(unshare), SCMP_SYS(setns),
	SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key),
	SCMP_SYS(request_key), SCMP_SYS(init_module), SCMP_SYS(finit_module),
	SCMP_SYS(delete_module), SCMP_SYS(userfaultfd), SCMP_SYS(io_uring_setup),
	SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register), SCMP_SYS(open_by_handle_at),
	SCMP_SYS(name_to_handle_at), SCMP_SYS(quotactl), SCMP_SYS(swapon), SCMP_SYS(swapoff),
	SCMP_SYS(reboot), SCMP_SYS(syslog), SCMP_SYS(acct), SCMP_SYS(settimeofday),
	SCMP_SYS(clock_settime), SCMP_SYS(adjtimex), SCMP_SYS(clock_adjtime),
	SCMP_SYS(fanotify_init), SCMP_SYS(vhangup), SCMP_SYS(move_mount), SCMP_SYS(fsopen),
	SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(open_tree), SCMP_SYS(mount_setattr),
	SCMP_SYS(lookup_dcookie),
};

/* Build the filter once and keep its BPF bytes (bwrap --seccomp FD reads them). */
static int build_filter(void)
{
	scmp_filter_ctx ctx;
	struct stat st;
	int fd = -1, ret = 0;
	const uint64_t ns = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
			    CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

	if (bpf)
		return 0;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(denied) / sizeof(*denied) && ret == 0; i++)
		if (denied[i] >= 0)   /* libseccomp gives negative numbers for unknown calls */
			ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
	/* clone3's flags sit in memory a filter cannot read: glibc falls back to clone */
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* clone into a new namespace: one rule per flag (a rule tests (arg & mask) == value) */
	for (uint64_t f = 1; f && ret == 0; f <<= 1)
		if (ns & f)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
					       SCMP_A0(SCMP_CMP_MASKED_EQ, f, f));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_NE, AF_UNIX));
	if (ret == 0) {
		fd = memfd_create("kvmlab-seccomp", MFD_CLOEXEC);
		if (fd < 0)
			ret = -errno;
	}
	if (ret == 0)
		ret = seccomp_export_bpf(ctx, fd);
	if (ret == 0 && fstat(fd, &st) < 0)
		ret = -errno;
	if (ret == 0) {
		bpf = malloc((size_t)st.st_size);
		bpf_len = (size_t)st.st_size;
		if (!bpf)
			ret = -ENOMEM;
		else if (pread(fd, bpf, bpf_len, 0) != (ssize_t)bpf_len)
			ret = -EIO;
		if (ret < 0) {
			free(bpf);
			bpf = NULL;
		}
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
}

/* ---- the bwrap command line --------------------------------------------------- */

struct args {
	const char *v[MAX_ARGS];
	char links[4][PATH_MAX];
	char fdnum[LAB_SANDBOX_MAX_BINDS + 1][12];
	int n;
};

static void add(struct args *a, const char *s)
{
	if (a->n < MAX_ARGS - 1)
		a->v[a->n++] = s;
}

/* /bin, /lib, /lib64, /sbin: symlinks into /usr on merged-/usr systems, else bound. */
static void system_dirs(struct args *a)
{
	static const char *const dirs[] = { "/bin", "/lib", "/lib64", "/sbin" };
	struct stat st;

	add(a, "--ro-bind");
	add(a, "/usr");
	add(a, "/usr");
	for (int i = 0; i < 4; i++) {
		ssize_t n;

		if (lstat(dirs[i], &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(dirs[i], a->links[i], sizeof(a->links[i]) - 1);
			if (n <= 0)
				continue;
			a->links[i][n] = '\0';
			add(a, "--symlink");
			add(a, a->links[i]);
			add(a, dirs[i]);
		} else if (S_ISDIR(st.st_mode)) {
			add(a, "--ro-bind");
			add(a, dirs[i]);
			add(a, dirs[i]);
		}
	}
}

/* first: the descriptor number the first bind's O_PATH descriptor has inside bwrap (the
 * grader opens every bound path itself, so the unprivileged uid never has to walk the
 * grader's folders); the seccomp program's descriptor follows the binds. */
static int build_args(const struct lab_sandbox *sb, struct args *a, int first)
{
	add(a, "bwrap");
	add(a, "--unshare-all");          /* user, ipc, pid, net, uts, cgroup */
	add(a, "--die-with-parent");
	add(a, "--new-session");          /* no TIOCSTI into the grader's terminal */
	add(a, "--cap-drop");
	add(a, "ALL");
	add(a, "--clearenv");
	add(a, "--setenv");
	add(a, "PATH");
	add(a, "/usr/bin:/bin");
	add(a, "--setenv");
	add(a, "HOME");
	add(a, "/tmp");
	add(a, "--setenv");
	add(a, "LC_ALL");
	add(a, "C");
	system_dirs(a);
	add(a, "--proc");
	add(a, "/proc");
	add(a, "--dev");
	add(a, "/dev");
	if (sb->kvm_node) {
		add(a, "--dev-bind");
		add(a, sb->kvm_node);
		add(a, "/dev/kvm");
	}
	add(a, "--size");
	add(a, TMPFS_SIZE);
	add(a, "--tmpfs");
	add(a, "/tmp");
	for (unsigned i = 0; i <= sb->nbinds; i++)
		snprintf(a->fdnum[i], sizeof(a->fdnum[i]), "%d", first + (int)i);
	for (unsigned i = 0; i < sb->nbinds; i++) {
		add(a, sb->binds[i].writable ? "--bind-fd" : "--ro-bind-fd");
		add(a, a->fdnum[i]);
		add(a, sb->binds[i].path);
	}
	if (sb->pid1)
		add(a, "--as-pid-1");
	add(a, "--chdir");
	add(a, sb->cwd ? sb->cwd : "/tmp");
	add(a, "--seccomp");
	add(a, a->fdnum[sb->nbinds]);
	add(a, "--");
	for (int i = 0; sb->argv[i]; i++)
		add(a, sb->argv[i]);
	a->v[a->n] = NULL;
	return a->n >= MAX_ARGS - 1 ? -E2BIG : 0;
}

/* ---- the uid ------------------------------------------------------------------ */

static unsigned seq;

uid_t lab_sandbox_new_uid(void)
{
	if (geteuid() != 0)
		return 0;
	return LAB_SANDBOX_UID_BASE + ((((unsigned)getpid() & 0x3fffff) << 6) | (seq++ & 63));
}

static uid_t chown_uid;   /* nftw passes no context */

static int chown_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, chown_uid, chown_uid) < 0 ? -1 : 0;
}

int lab_sandbox_chown_tree(const char *path, uid_t uid)
{
	if (!uid)
		return 0;
	chown_uid = uid;
	return nftw(path, chown_entry, 16, FTW_PHYS) < 0 ? -errno : 0;
}

int lab_sandbox_kvm_node(const char *dir, uid_t uid, const char *dev, char *path, size_t len)
{
	struct stat st;

	if (stat(dev, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENODEV;
	if (!uid) {
		snprintf(path, len, "%s", dev);
		return 0;
	}
	if ((size_t)snprintf(path, len, "%s/kvm", dir) >= len)
		return -ENAMETOOLONG;
	if (mknod(path, S_IFCHR | 0600, st.st_rdev) < 0 && errno != EEXIST)
		return -errno;
	if (lchown(path, uid, uid) < 0 || chmod(path, 0600) < 0)
		return -errno;
	return 0;
}

/* ---- spawning ------------------------------------------------------------------ */

static void set_limit(int res, uint64_t v)
{
	struct rlimit r = { v, v };

	if (v)
		setrlimit(res, &r);
}

/* In the child: descriptors 0, 1, 2, 3.. as asked, then the nextra of extra (for bwrap),
 * everything else closed. */
static int arrange_fds(const struct lab_sandbox *sb, const int *extra, unsigned nextra)
{
	int want[3 + LAB_SANDBOX_MAX_FDS + LAB_SANDBOX_MAX_BINDS + 1], n = 0;
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		return -1;
	want[n++] = sb->stdin_fd >= 0 ? sb->stdin_fd : null;
	want[n++] = sb->stdout_fd >= 0 ? sb->stdout_fd : null;
	want[n++] = sb->stderr_fd >= 0 ? sb->stderr_fd : null;
	for (unsigned i = 0; i < sb->nfds; i++)
		want[n++] = sb->fds[i];
	for (unsigned i = 0; i < nextra; i++)
		want[n++] = extra[i];
	/* first move everything out of the way, then into place */
	for (int i = 0; i < n; i++) {
		want[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 64);
		if (want[i] < 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		if (dup2(want[i], i) < 0)
			return -1;
	return (int)syscall(SYS_close_range, (unsigned)n, ~0u, 0) < 0 ? -1 : 0;
}

/* What a sandbox needs ready before its process changes uid: the bwrap command line, the
 * O_PATH descriptors of its binds and the pipe holding the filter. */
struct prepared {
	struct args *a;
	int extra[LAB_SANDBOX_MAX_BINDS + 1];
	unsigned nextra;
	int filt;                 /* read end of the filter's pipe, -1: none */
	uid_t uid;                /* 0: keep the grader's */
};

static void prepared_release(struct prepared *p)
{
	for (unsigned i = 0; i < p->nextra; i++)
		if (p->extra[i] != p->filt)
			close(p->extra[i]);
	if (p->filt >= 0)
		close(p->filt);
	free(p->a);
	p->a = NULL;
	p->nextra = 0;
	p->filt = -1;
}

static int prepare(const struct lab_sandbox *sb, struct prepared *p)
{
	int filt[2], ret = 0;

	memset(p, 0, sizeof(*p));
	p->filt = -1;
	if (!sb->off && geteuid() == 0)
		p->uid = sb->uid ? sb->uid : lab_sandbox_new_uid();
	if (sb->off)
		return 0;
	ret = build_filter();
	if (ret < 0)
		return ret;
	p->a = calloc(1, sizeof(*p->a));
	if (!p->a)
		return -ENOMEM;
	if (pipe2(filt, O_CLOEXEC) < 0) {
		ret = -errno;
		goto fail;
	}
	p->filt = filt[0];
	if (bpf_len > 65536 || write(filt[1], bpf, bpf_len) != (ssize_t)bpf_len)
		ret = -EIO;
	close(filt[1]);
	for (unsigned i = 0; i < sb->nbinds && ret == 0; i++) {
		p->extra[p->nextra] = open(sb->binds[i].path, O_PATH | O_CLOEXEC);
		if (p->extra[p->nextra] < 0)
			ret = -errno;
		else
			p->nextra++;
	}
	if (ret == 0) {
		p->extra[p->nextra++] = p->filt;
		ret = build_args(sb, p->a, 3 + (int)sb->nfds);
	}
	if (ret == 0)
		return 0;
fail:
	prepared_release(p);
	return ret;
}

/* The sandboxed side, in the process that becomes the sandbox: descriptors, limits, the
 * uid, death with its parent, then bwrap (or the program itself with sandboxing off).
 * Returns only on failure: 127 when the exec failed, 126 before, with errno set. */
static int enter(const struct lab_sandbox *sb, const struct prepared *p, pid_t parent)
{
	if (arrange_fds(sb, p->extra, p->nextra) < 0)
		return 126;
	set_limit(RLIMIT_CPU, sb->cpu_s);
	set_limit(RLIMIT_AS, sb->mem);
	set_limit(RLIMIT_FSIZE, sb->fsize);
	set_limit(RLIMIT_CORE, 0);
	if (p->uid) {
		if (sb->nproc)
			set_limit(RLIMIT_NPROC, sb->nproc);
		if (setgroups(0, NULL) < 0 || setresgid(p->uid, p->uid, p->uid) < 0 ||
		    setresuid(p->uid, p->uid, p->uid) < 0)
			return 126;
		/* the uid change made it non-dumpable, which hides /proc/self/fd from
		 * bwrap's --bind-fd; exec resets it for the sandboxed program */
		prctl(PR_SET_DUMPABLE, 1);
	}
	/* after the uid change, which clears it: die with the parent */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		errno = ESRCH;
		return 126;
	}
	if (sb->off) {
		if (sb->cwd && chdir(sb->cwd) < 0)
			return 126;
		execvp(sb->argv[0], (char *const *)sb->argv);
	} else {
		execvp("bwrap", (char *const *)p->a->v);
	}
	return 127;
}

int lab_sandbox_spawn(const struct lab_sandbox *sb, pid_t *pid)
{
	struct prepared p;
	pid_t parent = getpid(), child;
	int ret = prepare(sb, &p);

	if (ret < 0)
		return ret;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		ret = -errno;
	} else if (child == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		setpgid(0, 0);
		_exit(enter(sb, &p, parent));
	} else {
		*pid = child;
	}
	prepared_release(&p);
	return ret;
}

int lab_sandbox_exec(const struct lab_sandbox *sb)
{
	struct prepared p;
	int ret = prepare(sb, &p);

	if (ret < 0)
		return ret;
	fflush(NULL);
	enter(sb, &p, getppid());
	ret = -errno;
	free(p.a);   /* its descriptors were moved: nothing else to release */
	return ret;
}

void lab_sandbox_kill(pid_t pid, bool off)
{
	if (pid <= 0)
		return;
	if (off)
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);   /* bwrap: --die-with-parent takes the namespace with it */
}

int lab_sandbox_wait(pid_t pid, bool off, unsigned timeout_ms, int *status, bool *timed_out)
{
	double end = vmm_clock_ms() + timeout_ms;

	*timed_out = false;
	for (;;) {
		pid_t w = waitpid(pid, status, timeout_ms ? WNOHANG : 0);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (timeout_ms && w == 0) {
			if (vmm_clock_ms() >= end && !*timed_out) {
				*timed_out = true;
				lab_sandbox_kill(pid, off);
			}
			/* a short sleep: a pidfd would do without it, the cost is a few ms */
			poll(NULL, 0, 2);
		}
	}
	if (off)
		kill(-pid, SIGKILL);   /* anything it left in its process group */
	return 0;
}

int lab_sandbox_describe(int status, bool off, char *buf, size_t len)
{
	int sig = 0;

	if (WIFSIGNALED(status))
		sig = WTERMSIG(status);
	else if (!off && WIFEXITED(status) && WEXITSTATUS(status) > 128 &&
		 WEXITSTATUS(status) < 128 + 65)
		sig = WEXITSTATUS(status) - 128;
	if (!sig) {
		snprintf(buf, len, "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return 0;
	}
	snprintf(buf, len, "killed by signal %d (%s)%s", sig, strsignal(sig),
		 sig == SIGXCPU ? ": CPU time limit" : sig == SIGXFSZ ? ": file size limit" : "");
	return sig;
}

/* ---- probing -------------------------------------------------------------------- */

static int probed = 1;   /* 1: not yet */
static char probe_why[256];

int lab_sandbox_probe(char *why, size_t len)
{
	static const char *const argv[] = { "/usr/bin/true", NULL };
	struct lab_sandbox sb;
	int err[2], status = 0;
	bool to;
	pid_t pid;

	if (probed <= 0)
		goto done;
	probed = build_filter();
	if (probed < 0) {
		snprintf(probe_why, sizeof(probe_why), "libseccomp cannot build the filter: %s",
			 strerror(-probed));
		goto done;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		probed = -errno;
		snprintf(probe_why, sizeof(probe_why), "pipe: %s", strerror(errno));
		goto done;
	}
	lab_sandbox_init(&sb, argv);
	sb.stderr_fd = err[1];
	probed = lab_sandbox_spawn(&sb, &pid);
	close(err[1]);
	if (probed == 0)
		probed = lab_sandbox_wait(pid, false, 10000, &status, &to);
	if (probed == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		char msg[200] = "";
		ssize_t n = read(err[0], msg, sizeof(msg) - 1);

		msg[n > 0 ? n : 0] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		probed = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EPERM;
		snprintf(probe_why, sizeof(probe_why), "%s", probed == -ENOENT ?
			 "bubblewrap (bwrap) is not installed" : msg[0] ? msg :
			 "bubblewrap could not create the namespaces");
	} else if (probed < 0) {
		snprintf(probe_why, sizeof(probe_why), "cannot start bubblewrap: %s",
			 strerror(-probed));
	}
	close(err[0]);
done:
	if (why)
		snprintf(why, len, "%s", probed < 0 ? probe_why : "");
	return probed;
}

/* ---- temporary folders ------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int lab_rmtree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

int lab_sandbox_sweep(const char *tmpdir, const char *prefix)
{
	size_t pl = strlen(prefix);
	struct dirent *e;
	int removed = 0;
	DIR *d = opendir(tmpdir);

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX], keep[PATH_MAX + 16], *end;
		struct stat st;
		long pid;

		if (strncmp(e->d_name, prefix, pl) != 0 || e->d_name[pl] != '-')
			continue;
		pid = strtol(e->d_name + pl + 1, &end, 10);
		if (pid <= 0 || *end != '-' || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		snprintf(keep, sizeof(keep), "%s/.kvmlab-keep", path);
		/* ours, or given to a sandbox's uid by us (root) */
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || access(keep, F_OK) == 0 ||
		    (st.st_uid != geteuid() && !(geteuid() == 0 && st.st_uid >= LAB_SANDBOX_UID_BASE)))
			continue;
		if (lab_rmtree(path) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
