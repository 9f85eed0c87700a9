/* unpacker.c - a submission's archive unpacked outside the grader's process: kvmlab-unpack
 * (unpackhost.c) in the sandbox of student code, or, with the sandbox turned off by the
 * instructor, a forked child with limits (subarchive.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "copytree.h"
#include "runner.h"
#include "sandbox.h"
#include "subarchive.h"

/* kvmlab-unpack (unpackhost.c), found as kvmlab-handlers is (runner.h). */
static const char *helper(void)
{
	static char path[PATH_MAX + 64];

	if (!path[0])
		lab_runner_helper("kvmlab-unpack", path, sizeof(path));
	return path;
}

/* "RET BYTES MEMBERS\nREASON" from fd (the unpacker's standard output) once it has ended. */
static int result(int fd, struct lab_archive_stats *st, char *err, size_t errlen)
{
	char res[1024];
	unsigned long long bytes = 0;
	unsigned members = 0;
	size_t len = 0;
	ssize_t n;
	int ret = 0, pos = 0;

	while (len < sizeof(res) - 1 && (n = read(fd, res + len, sizeof(res) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	res[len] = '\0';
	if (sscanf(res, "%d %llu %u\n%n", &ret, &bytes, &members, &pos) < 3 || pos <= 0) {
		snprintf(err, errlen, "the archive is refused: the unpacking process gave no result");
		return -EINVAL;
	}
	st->bytes = bytes;
	st->members = members;
	snprintf(err, errlen, "%s", res + pos);
	return ret > 0 ? -EINVAL : ret;
}

/* How the unpacker ended, when it was not a normal exit: a refusal in words. */
static int ended(bool late, int signo, const char *how, const struct lab_archive_limits *lim,
		 char *err, size_t errlen)
{
	if (late) {
		snprintf(err, errlen, "the archive is refused: unpacking it took longer than %u s",
			 lim->timeout_s);
		return -ETIMEDOUT;
	}
	snprintf(err, errlen, "the archive is refused: unpacking it was stopped (%s)%s", how,
		 signo == SIGXCPU ? ", its CPU time limit" : "");
	return -EINVAL;
}

/* Can others walk down to path (every folder on the way o+x)? */
static bool walkable(const char *path)
{
	char p[PATH_MAX];
	struct stat sb;

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + strlen(p); s > p; s = strrchr(p, '/')) {
		*s = '\0';
		if (stat(p[0] ? p : "/", &sb) < 0 || !(sb.st_mode & S_IXOTH))
			return false;
		if (!strchr(p, '/'))
			break;
	}
	return stat(path, &sb) == 0 && (sb.st_mode & S_IXOTH);
}

/* TMPDIR/kvmlab-unpack-PID-XXXXXX (or in /tmp), for the sandbox's uid to write in. */
static int work_dir(char *work, size_t len, char *err, size_t errlen)
{
	static bool swept;
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp || !walkable(tmp))
		tmp = "/tmp";
	if (!swept) {   /* what unpackers killed with their grader left */
		lab_sandbox_sweep(tmp, "kvmlab-unpack");
		swept = true;
	}
	snprintf(work, len, "%.3900s/kvmlab-unpack-%d-XXXXXX", tmp, (int)getpid());
	if (!mkdtemp(work) || chmod(work, 0755) < 0) {
		int ret = -errno;

		snprintf(err, errlen, "cannot make a folder to unpack in (%s): %s", work,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

static int run_sandboxed(const char *archive, const char *dest,
			 const struct lab_archive_limits *lim, struct lab_archive_stats *st,
			 char *err, size_t errlen);

static int sandboxed(const char *archive, const char *dest, const struct lab_archive_limits *lim,
		     struct lab_archive_stats *st, char *err, size_t errlen)
{
	char work[PATH_MAX], out[PATH_MAX + 8];
	int ret = work_dir(work, sizeof(work), err, errlen);

	if (ret < 0)
		return ret;
	snprintf(out, sizeof(out), "%s/out", work);
	if (mkdir(out, 0755) < 0) {
		ret = -errno;
		lab_rmtree(work);
		return ret;
	}
	ret = run_sandboxed(archive, out, lim, st, err, errlen);
	if (ret == 0 && rename(out, dest) < 0) {   /* another file system: a copy */
		ret = errno == EXDEV ? lab_copy_tree(out, dest, NULL) : -errno;
		if (ret < 0)
			snprintf(err, errlen, "the unpacked archive cannot be moved to %s: %s", dest,
				 strerror(-ret));
	}
	lab_rmtree(work);
	return ret;
}

static int run_sandboxed(const char *archive, const char *dest,
			 const struct lab_archive_limits *lim, struct lab_archive_stats *st,
			 char *err, size_t errlen)
{
	const char *argv[9] = { helper() };
	char in_path[32], nums[5][24], how[160];
	struct lab_sandbox sb;
	bool late = false;
	int afd, p[2], inside = 3, status = 0, ret, signo;
	pid_t pid;

	afd = open(archive, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (afd < 0) {
		ret = -errno;
		snprintf(err, errlen, "the archive cannot be read: %s", strerror(-ret));
		return ret;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		ret = -errno;
		close(afd);
		return ret;
	}
	lab_sandbox_init(&sb, argv);
	sb.uid = lab_sandbox_new_uid();
	sb.cwd = dest;
	lab_sandbox_chown_tree(dest, sb.uid);   /* its own uid writes there, nowhere else */
	lab_sandbox_bind(&sb, dest, true);
	lab_sandbox_bind(&sb, argv[0], false);
	lab_sandbox_pass_fd(&sb, afd, &inside);
	snprintf(in_path, sizeof(in_path), "%d", inside);
	snprintf(nums[0], sizeof(nums[0]), "%llu", (unsigned long long)lim->max_bytes);
	snprintf(nums[1], sizeof(nums[1]), "%u", lim->max_members);
	snprintf(nums[2], sizeof(nums[2]), "%u", lim->max_ratio);
	snprintf(nums[3], sizeof(nums[3]), "%llu", (unsigned long long)lim->ratio_floor);
	snprintf(nums[4], sizeof(nums[4]), "%u", lim->max_path);
	argv[1] = in_path;
	argv[2] = dest;
	for (int i = 0; i < 5; i++)
		argv[3 + i] = nums[i];
	sb.stdout_fd = p[1];
	sb.stderr_fd = getenv("KVMLAB_UNPACK_DEBUG") ? 2 : -1;
	sb.cpu_s = lim->timeout_s;
#ifndef __SANITIZE_ADDRESS__
	sb.mem = 1ull << 30;   /* AddressSanitizer reserves terabytes of address space */
#endif
	sb.fsize = lim->max_bytes + 1;
	sb.nproc = 16;
	ret = lab_sandbox_spawn(&sb, &pid);
	close(p[1]);
	close(afd);
	if (ret < 0) {
		close(p[0]);
		snprintf(err, errlen, "the unpacker could not be started in the sandbox: %s",
			 strerror(-ret));
		return ret;
	}
	ret = lab_sandbox_wait(pid, false, lim->timeout_s * 1000u, &status, &late);
	signo = lab_sandbox_describe(status, false, how, sizeof(how));
	if (ret == 0 && !late && !signo)
		ret = result(p[0], st, err, errlen);
	else if (ret == 0)
		ret = ended(late, signo, how, lim, err, errlen);
	close(p[0]);
	return ret;
}

/* The forked child (sandbox off): limits, unpack, the result on fd, exit. */
static void child(const char *archive, const char *dest, const struct lab_archive_limits *lim,
		  int fd)
{
	struct rlimit cpu = { lim->timeout_s, lim->timeout_s };
	struct rlimit fsz = { lim->max_bytes + 1, lim->max_bytes + 1 };
	struct rlimit nofile = { 64, 64 };
	struct rlimit core = { 0, 0 };
	struct lab_archive_stats st;
	char err[512];
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_FSIZE, &fsz);
	setrlimit(RLIMIT_NOFILE, &nofile);
	setrlimit(RLIMIT_CORE, &core);
#ifndef __SANITIZE_ADDRESS__
	{
		struct rlimit as = { 1ull << 30, 1ull << 30 };

		setrlimit(RLIMIT_AS, &as);
	}
#endif
	signal(SIGXFSZ, SIG_IGN);
	ret = lab_archive_unpack(archive, dest, lim, &st, err, sizeof(err));
	dprintf(fd, "%d %llu %u\n%s", ret, (unsigned long long)st.bytes, st.members, err);
	_exit(0);
}

static int forked(const char *archive, const char *dest, const struct lab_archive_limits *lim,
		  struct lab_archive_stats *st, char *err, size_t errlen)
{
	double deadline = vmm_clock_s() + lim->timeout_s;
	bool late = false;
	int p[2], status = 0, ret;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (pid == 0) {
		close(p[0]);
		child(archive, dest, lim, p[1]);
	}
	close(p[1]);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (vmm_clock_s() > deadline) {
			late = true;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(5000);
	}
	if (!late && WIFEXITED(status)) {
		ret = result(p[0], st, err, errlen);
	} else {
		char how[64];

		snprintf(how, sizeof(how), "signal %d, %s", WIFSIGNALED(status) ? WTERMSIG(status) : 0,
			 WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");
		ret = ended(late, WIFSIGNALED(status) ? WTERMSIG(status) : 0, how, lim, err, errlen);
	}
	close(p[0]);
	return ret;
}

int lab_archive_unpack_isolated(const char *archive, const char *dest,
				const struct lab_archive_limits *lim, struct lab_archive_stats *st,
				char *err, size_t errlen)
{
	int can;

	memset(st, 0, sizeof(*st));
	err[0] = '\0';
	struct lab_runner_opts ro = {
		.sandbox = lim->sandbox_off ? LAB_SANDBOX_NONE : LAB_SANDBOX_REQUIRE,
	};

	can = lab_runner_check_sandbox(&ro, err, errlen);
	if (can < 0)
		return can;
	return can ? sandboxed(archive, dest, lim, st, err, errlen) :
		forked(archive, dest, lim, st, err, errlen);
}
