/* test-sandbox.c - labs/harness/sandbox.c against the real bwrap, seccomp and kernel:
 * what a sandboxed program can see, write, reach and leave behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "testkit.h"

static char dir[64];

/* Run sh -c script in a sandbox; its output (stdout and stderr) in out; the wait status. */
static int run_in(struct lab_sandbox *sb, const char *script, char *out, size_t len,
		  unsigned timeout_ms, bool *timed_out)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	int fd[2], status = -1;
	ssize_t n;
	size_t got = 0;
	pid_t pid;
	bool to = false;

	sb->argv = argv;
	if (pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	sb->stdout_fd = sb->stderr_fd = fd[1];
	if (lab_sandbox_spawn(sb, &pid) < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	close(fd[1]);
	if (timeout_ms) {   /* the output pipe stays open until the tree is gone */
		lab_sandbox_wait(pid, sb->off, timeout_ms, &status, &to);
	}
	while (got + 1 < len && (n = read(fd[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd[0]);
	if (!timeout_ms)
		lab_sandbox_wait(pid, sb->off, 0, &status, &to);
	if (timed_out)
		*timed_out = to;
	return status;
}

static int run(const char *script, char *out, size_t len)
{
	struct lab_sandbox sb;

	lab_sandbox_init(&sb, NULL);
	lab_sandbox_bind(&sb, dir, true);
	return run_in(&sb, script, out, len, 0, NULL);
}

/* Live processes (not zombies waiting for a reaper) whose uid is uid, anywhere on the host. */
static int procs_of(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		char p[300];
		struct stat st;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s", e->d_name);
		if (stat(p, &st) == 0 && st.st_uid == uid) {
			char stat[512] = "";
			FILE *f;

			snprintf(p, sizeof(p), "/proc/%s/stat", e->d_name);
			f = fopen(p, "r");
			if (f && fgets(stat, sizeof(stat), f) && strrchr(stat, ')') &&
			    strrchr(stat, ')')[2] != 'Z')
				n++;
			if (f)
				fclose(f);
		}
	}
	if (d)
		closedir(d);
	return n;
}

static void test_view(void)
{
	char out[4096], path[256];
	int st;

	/* the standard streams, and nothing else inherited (fd 3 here is ls's own) */
	st = run("ls /proc/self/fd | tr '\\n' ' '", out, sizeof(out));
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strcmp(out, "0 1 2 3 ") == 0,
		  "descriptors inside: '%s'", out);
	/* an unprivileged uid, seen from outside the user namespaces: the owner of a file */
	snprintf(path, sizeof(path), "touch %s/owner", dir);
	run(path, out, sizeof(out));
	{
		struct stat sst;

		snprintf(path, sizeof(path), "%s/owner", dir);
		CHECK(stat(path, &sst) == 0);
		if (geteuid() == 0)
			CHECK_MSG(sst.st_uid >= LAB_SANDBOX_UID_BASE, "owner uid %u", (unsigned)sst.st_uid);
		else
			CHECK_EQ(sst.st_uid, geteuid());
	}
	/* the system read-only, the grader's files absent, /etc/shadow unreadable */
	run("cat /etc/shadow; echo x > /usr/x; ls /work /root /home 2>&1 | head -3; echo done",
	    out, sizeof(out));
	CHECK_MSG(!strstr(out, "root:") && strstr(out, "done"), "view: '%s'", out);
	snprintf(path, sizeof(path), "/usr/x");
	CHECK(access(path, F_OK) != 0);
	/* the bound folder is writable, at the same path */
	snprintf(path, sizeof(path), "echo hello > %s/w && cat %s/w", dir, dir);
	run(path, out, sizeof(out));
	CHECK_MSG(strcmp(out, "hello\n") == 0, "writable bind: '%s'", out);
	/* standard input is /dev/null: cat ends at once */
	run("cat; echo end", out, sizeof(out));
	CHECK_MSG(strcmp(out, "end\n") == 0, "stdin: '%s'", out);
	/* no network: only lo, and an inet socket is refused by the filter */
	run("cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; python3 -c 'import socket; "
	    "socket.socket()' 2>&1 | tail -1", out, sizeof(out));
	CHECK_MSG(strncmp(out, "lo\n", 3) == 0 && strstr(out, "PermissionError"), "net: '%s'", out);
	/* the seccomp filter: namespaces, ptrace */
	run("unshare -U true 2>&1; python3 -c 'import ctypes; l = ctypes.CDLL(None); "
	    "print(l.ptrace(16, 1, 0, 0), ctypes.get_errno())'", out, sizeof(out));
	CHECK_MSG(strstr(out, "Operation not permitted") && strstr(out, "-1"), "seccomp: '%s'", out);
	/* its own PID namespace: the parent it sees is not the grader */
	run("echo $$ $PPID", out, sizeof(out));
	CHECK_MSG(atoi(out) < 10, "pid namespace: '%s'", out);
	/* limits */
	{
		struct lab_sandbox sb;

		lab_sandbox_init(&sb, NULL);
		sb.cpu_s = 7;
		sb.fsize = 1 << 20;
		sb.mem = 1ull << 30;
		run_in(&sb, "ulimit -t; ulimit -f; ulimit -v; head -c 2000000 /dev/zero > /tmp/big; "
		       "wc -c < /tmp/big", out, sizeof(out), 0, NULL);
		CHECK_MSG(strncmp(out, "7\n2048\n1048576\n", 15) == 0 &&
			  strstr(out, "\n1048576\n") && strstr(out, "File size limit exceeded"),
			  "limits: '%s'", out);
	}
}

static void test_endings(void)
{
	struct lab_sandbox sb;
	char out[4096], how[160];
	bool to;
	int st;
	uid_t uid = lab_sandbox_new_uid();
	struct timespec t0, t1;

	/* a signal is named (bwrap reports it as 128 + N) */
	st = run("kill -SEGV $$", out, sizeof(out));
	CHECK_EQ(lab_sandbox_describe(st, false, how, sizeof(how)), SIGSEGV);
	CHECK_MSG(strstr(how, "signal 11") != NULL, "%s", how);
	st = run("exit 3", out, sizeof(out));
	CHECK_EQ(lab_sandbox_describe(st, false, how, sizeof(how)), 0);
	CHECK_MSG(strcmp(how, "exit status 3") == 0, "%s", how);

	/* a time-out kills the whole tree, double-forked and setsid'd children included */
	lab_sandbox_init(&sb, NULL);
	sb.uid = uid;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = run_in(&sb, "setsid sh -c 'sleep 60 & sleep 60' & sleep 60 & sleep 60", out,
		    sizeof(out), 300, &to);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(to);
	CHECK(t1.tv_sec - t0.tv_sec < 5);
	if (uid) {
		usleep(100000);
		CHECK_MSG(procs_of(uid) == 0, "%d processes of uid %u outlived the sandbox",
			  procs_of(uid), (unsigned)uid);
	}
	/* ... and so does the program's own end: a daemon it left is gone with it */
	lab_sandbox_init(&sb, NULL);
	sb.uid = uid;
	run_in(&sb, "setsid sh -c 'sleep 60 & sleep 60' & echo started", out, sizeof(out), 5000,
	       &to);
	CHECK(!to);
	if (uid) {
		usleep(100000);
		CHECK_MSG(procs_of(uid) == 0, "a daemon outlived its sandbox (%d processes)",
			  procs_of(uid));
	}
	/* the grader is out of reach: kill(getppid()) inside hits nothing of ours */
	run("kill -KILL $PPID; kill -KILL -1; echo alive", out, sizeof(out));
	CHECK(getppid() > 0);   /* we are still here */
}

/* An already-open /dev/kvm passed in works; opening /dev/kvm by path does not. */
static void test_kvm_fd(void)
{
	struct lab_sandbox sb;
	char out[4096], script[512];
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), inside;

	if (kvm < 0) {
		printf("skipped: /dev/kvm: %s\n", strerror(errno));
		return;
	}
	lab_sandbox_init(&sb, NULL);
	lab_sandbox_pass_fd(&sb, kvm, &inside);
	snprintf(script, sizeof(script), "python3 -c 'import fcntl, os\n"
		 "print(fcntl.ioctl(%d, 0xae00))\n"
		 "try:\n    os.open(\"/dev/kvm\", os.O_RDWR); print(\"opened\")\n"
		 "except OSError as e: print(\"refused\", e.errno)'", inside);
	run_in(&sb, script, out, sizeof(out), 0, NULL);
	CHECK_MSG(strcmp(out, "12\nrefused 2\n") == 0, "kvm fd: '%s'", out);
	close(kvm);
}

/* A private KVM node for the sandbox's uid (lab_sandbox_kvm_node): opened by its path
 * inside as /dev/kvm, the host's /dev/kvm unchanged; and the program as pid 1. */
static void test_kvm_node(void)
{
	struct lab_sandbox sb;
	struct stat host0, host1, node;
	char out[4096], path[128];
	uid_t uid = lab_sandbox_new_uid();

	if (stat("/dev/kvm", &host0) < 0) {
		printf("skipped: /dev/kvm: %s\n", strerror(errno));
		return;
	}
	CHECK_EQ(lab_sandbox_kvm_node(dir, uid, "/dev/kvm", path, sizeof(path)), 0);
	CHECK_EQ(lab_sandbox_kvm_node(dir, uid, "/dev/null/x", path, sizeof(path)), -ENOTDIR);
	CHECK_EQ(lab_sandbox_kvm_node(dir, uid, dir, path, sizeof(path)), -ENODEV);
	CHECK_EQ(lab_sandbox_kvm_node(dir, uid, "/dev/kvm", path, sizeof(path)), 0);
	if (uid) {
		CHECK(stat(path, &node) == 0 && S_ISCHR(node.st_mode) && node.st_uid == uid &&
		      (node.st_mode & 0777) == 0600 && node.st_rdev == host0.st_rdev);
	} else {
		CHECK(strcmp(path, "/dev/kvm") == 0);
	}
	lab_sandbox_init(&sb, NULL);
	sb.uid = uid;
	sb.kvm_node = path;
	sb.pid1 = true;
	run_in(&sb, "exec python3 -c 'import fcntl, os\n"
	       "fd = os.open(\"/dev/kvm\", os.O_RDWR); print(fcntl.ioctl(fd, 0xae00), os.getpid())\n"
	       "print(sorted(os.listdir(\"/dev\")))'", out, sizeof(out), 0, NULL);
	CHECK_MSG(strncmp(out, "12 1\n", 5) == 0 && strstr(out, "'kvm'"), "kvm node: '%s'", out);
	CHECK(stat("/dev/kvm", &host1) == 0 && host1.st_uid == host0.st_uid &&
	      host1.st_gid == host0.st_gid && host1.st_mode == host0.st_mode);
	unlink(path);
}

static void test_off(void)
{
	struct lab_sandbox sb;
	char out[256];

	lab_sandbox_init(&sb, NULL);
	sb.off = true;
	run_in(&sb, "ls /proc/self/fd | tr '\\n' ' '; ulimit -f", out, sizeof(out), 0, NULL);
	CHECK_MSG(strcmp(out, "0 1 2 3 unlimited\n") == 0, "off: '%s'", out);
}

static void test_sweep(void)
{
	char base[128], p[300];
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(base, sizeof(base), "%s/tmp", dir);
	mkdir(base, 0700);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-aaaaaa", base, (int)dead);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-aaaaaa/out", base, (int)dead);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-bbbbbb", base, (int)getpid());
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-cccccc", base, (int)dead);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-cccccc/.kvmlab-keep", base, (int)dead);
	close(open(p, O_WRONLY | O_CREAT, 0600));
	CHECK_EQ(lab_sandbox_sweep(base, "kvmlab-grade"), 1);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-aaaaaa", base, (int)dead);
	CHECK(access(p, F_OK) != 0);
	snprintf(p, sizeof(p), "%s/kvmlab-grade-%d-bbbbbb", base, (int)getpid());
	CHECK(access(p, F_OK) == 0);
}

int main(void)
{
	char why[256];

	if (lab_sandbox_probe(why, sizeof(why)) < 0) {
		printf("SKIP: this host cannot sandbox: %s\n", why);
		return 77;
	}
	snprintf(dir, sizeof(dir), "/tmp/test-sandbox-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	lab_sandbox_chown_tree(dir, 0);
	chmod(dir, 0777);
	test_view();
	test_endings();
	test_kvm_fd();
	test_kvm_node();
	test_off();
	test_sweep();
	lab_rmtree(dir);
	return check_summary();
}
