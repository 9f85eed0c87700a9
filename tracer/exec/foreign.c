/* foreign.c - step a vCPU that lives in another program (see foreign.h). */
#include "foreign.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "error.h"
#include "vm.h"
#include "x86.h"

#define SYNC_WANTED (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)
#define RUN_MAP_LEN (2 * 4096)
#define GADGET_LEN 3
/* syscall; int3; then the name of the memfd shared with the program */
static const uint8_t gadget_code[] = { 0x0f, 0x05, 0xcc, 'k', 'v', 'm', 'l', 'a', 'b', 0 };
/* The shared area: the agent's code page, its box, the copies of guest pages */
#define SHARED_LEN ((2 + AGENT_PAGES) * 4096)

static void drop_agent(struct foreign *f);

static struct foreign *of(struct tvcpu *c)
{
	return c->impl;
}

/* The held thread died while kvmlab waited for it. */
static int gone(struct foreign *f, int st)
{
	f->held = false;
	f->ended = true;
	f->ended_status = st;
	drop_agent(f);
	obs_task_gone(f->o, f->hold.tid, st);
	return vmm_fail(-ESRCH, "the program ended (%s %d) while kvmlab was stepping its guest",
			WIFSIGNALED(st) ? "signal" : "status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* Let the held thread go on from a stop that is not kvmlab's: a signal of the program's own
 * (its timer) is delivered to it, the filter's stop of kvmlab's own call lets the call run. */
static int resume(struct foreign *f, int st)
{
	int sig = 0;

	if ((st >> 16) == 0 && WSTOPSIG(st) != (SIGTRAP | 0x80))
		sig = WSTOPSIG(st);
	if (ptrace(PTRACE_CONT, f->hold.tid, 0, sig) < 0)
		return vmm_fail(-errno, "ptrace CONT: %s", strerror(errno));
	return 0;
}

/* Wait for the held thread's next stop; the program's own signals are delivered to it and
 * the filter's stops of kvmlab's own calls let go.  0 at the int3 that ends at `end`. */
static int wait_trap(struct foreign *f, uint64_t end, struct user_regs_struct *r)
{
	pid_t tid = f->hold.tid;
	int st, err;

	for (;;) {
		while (waitpid(tid, &st, __WALL) < 0)
			if (errno != EINTR)
				return vmm_fail(-errno, "waitpid: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return gone(f, st);
		if (WSTOPSIG(st) == SIGTRAP && !(st >> 16)) {
			if (ptrace(PTRACE_GETREGS, tid, 0, r) < 0)
				return vmm_fail(-errno, "ptrace GETREGS: %s", strerror(errno));
			if (r->rip == end)
				return 0;
		}
		if ((err = resume(f, st)) < 0)
			return err;
	}
}

/* Make system call nr(a[0..5]) in the held thread through the gadget; *ret is its result. */
static int gadget_syscall(struct foreign *f, long nr, const uint64_t a[6], long *ret)
{
	struct user_regs_struct r = f->prog;
	int err;

	r.rip = f->gadget;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;  /* at the program's own KVM_RUN: skip it */
	r.rdi = a[0];
	r.rsi = a[1];
	r.rdx = a[2];
	r.r10 = a[3];
	r.r8 = a[4];
	r.r9 = a[5];
	if (ptrace(PTRACE_SETREGS, f->hold.tid, 0, &r) < 0)
		return vmm_fail(-errno, "ptrace SETREGS: %s", strerror(errno));
	f->at_entry = false;
	if (ptrace(PTRACE_CONT, f->hold.tid, 0, 0) < 0)
		return vmm_fail(-errno, "ptrace CONT: %s", strerror(errno));
	if ((err = wait_trap(f, f->gadget + GADGET_LEN, &r)) < 0)
		return err;
	*ret = (long)r.rax;
	return 0;
}

/* Stop the agent: the thread comes back under ptrace, on the agent's int3. */
static int park(struct foreign *f)
{
	struct user_regs_struct r;
	int err;

	if (!f->agent.running)
		return 0;
	agent_post(&f->agent, AGENT_QUIT, 0, 0, 0);
	err = wait_trap(f, f->agent.code + (uint64_t)(agent_quit - agent_code) + 1, &r);
	f->agent.running = false;
	return err;
}

/* Run ioctl(fd, req, arg) in the held thread, the agent parked. */
static int gadget_call(struct foreign *f, unsigned long req, uint64_t arg, long *ret)
{
	const uint64_t a[6] = { (uint64_t)f->hold.fd, req, arg };
	int err = park(f);

	return err < 0 ? err : gadget_syscall(f, SYS_ioctl, a, ret);
}

/* A page the agent copies faulted (the program unmapped it): 1 when the stop st is that
 * fault, the agent then answering without copies (0 if st is something else, or -errno). */
static int copy_fault(struct foreign *f, int st)
{
	struct user_regs_struct r;

	if (WSTOPSIG(st) != SIGSEGV && WSTOPSIG(st) != SIGBUS)
		return 0;
	if (ptrace(PTRACE_GETREGS, f->hold.tid, 0, &r) < 0)
		return vmm_fail(-errno, "ptrace GETREGS: %s", strerror(errno));
	if (r.rip < f->agent.code || r.rip >= f->agent.code + (uint64_t)(agent_code_end - agent_code))
		return 0;
	agent_forget(&f->agent, false);
	r.rip = f->agent.code + (uint64_t)(agent_publish - agent_code);
	if (ptrace(PTRACE_SETREGS, f->hold.tid, 0, &r) < 0 ||
	    ptrace(PTRACE_CONT, f->hold.tid, 0, 0) < 0)
		return vmm_fail(-errno, "ptrace: %s", strerror(errno));
	return 1;
}

/* KVM_RUN in the held thread through the agent (started if it is not running). */
static int agent_run(struct foreign *f, long *ret)
{
	struct user_regs_struct r = f->prog;
	int err, st;

	if (!f->agent.running) {
		agent_enter_regs(&f->agent, &r, obs_cookie(f->o));
		if (ptrace(PTRACE_SETREGS, f->hold.tid, 0, &r) < 0 ||
		    ptrace(PTRACE_CONT, f->hold.tid, 0, 0) < 0)
			return vmm_fail(-errno, "ptrace: %s", strerror(errno));
		f->at_entry = false;
		f->agent.running = true;
	}
	agent_post(&f->agent, AGENT_IOCTL, f->hold.fd, KVM_RUN, 0);
	while ((err = agent_wait(&f->agent, f->hold.tid, ret, &st)) == 1) {
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return gone(f, st);
		if ((err = copy_fault(f, st)) < 0 || (err == 0 && (err = resume(f, st)) < 0))
			return err;
	}
	return err < 0 ? vmm_fail(err, "waiting for the program's KVM_RUN: %s", strerror(-err)) : 0;
}

/* Let the program's pending KVM_RUN return ret (the exit is in kvm_run); the thread runs on. */
static int hand_back(struct foreign *f, long ret)
{
	struct user_regs_struct r = f->prog;
	int err = park(f);

	if (err < 0)
		return err;
	agent_forget(&f->agent, true);  /* the program may change its guest's memory now */
	r.rax = (uint64_t)ret;
	r.orig_rax = (uint64_t)-1;
	if (ptrace(PTRACE_SETREGS, f->hold.tid, 0, &r) < 0 ||
	    ptrace(PTRACE_CONT, f->hold.tid, 0, 0) < 0)
		return vmm_fail(-errno, "ptrace: %s", strerror(errno));
	f->held = false;
	f->exit_pending = false;
	return 0;
}

/* Wait (serving the program) until it calls KVM_RUN on the stepped vCPU again. */
static int hold_next(struct foreign *f)
{
	struct obs_want want = { .vcpu = f->hold.vcpu };
	int ret = obs_pump(f->o, &want, &f->hold);

	if (ret == 0) {
		f->ended = true;
		drop_agent(f);
		return vmm_fail(-ESRCH, "the program ended without running %s again",
				f->hold.vcpu->name);
	}
	if (ret < 0)
		return vmm_fail(ret, "observing the program failed: %s", strerror(-ret));
	f->held = true;
	f->at_entry = true;
	if (ptrace(PTRACE_GETREGS, f->hold.tid, 0, &f->prog) < 0)
		return vmm_fail(-errno, "ptrace GETREGS: %s", strerror(errno));
	return 0;
}

static int run_gadget(struct foreign *f, long *ret)
{
	f->run->kvm_valid_regs |= SYNC_WANTED;
	f->run->kvm_dirty_regs |= f->dirty;
	f->dirty = 0;
	if (agent_run(f, ret) < 0)
		return -ESRCH;
	f->synced = true;
	return 0;
}

static int foreign_enter(struct tvcpu *c, enum vmm_exit *kind)
{
	struct foreign *f = of(c);
	long ret;
	int err;

	*kind = VMM_EXIT_OTHER;
	for (;;) {
		if (!f->held && (err = hold_next(f)) < 0)
			return err;
		if (f->deadline_ns && vmm_clock_ns() >= f->deadline_ns) {
			f->timed_out = true;
			*kind = VMM_EXIT_INTR;
			return 0;
		}
		if ((err = run_gadget(f, &ret)) < 0)
			return err;
		if (ret == -EINTR || ret == -EAGAIN) {
			/* the program's own interruption (its signal, its immediate_exit) */
			if ((err = hand_back(f, ret)) < 0)
				return err;
			continue;
		}
		if (ret < 0) {
			hand_back(f, ret);
			return vmm_fail((int)ret, "KVM_RUN in the program failed: %s", strerror((int)-ret));
		}
		*kind = obs_exit_kind(f->run, ret);
		f->stats.count[*kind]++;
		if (*kind != VMM_EXIT_DEBUG) {
			f->stats.total++;
			f->exit_pending = true;
			f->hold.vcpu->exited = true;  /* as the log would have seen it */
			f->hold.vcpu->last_exit = f->run->exit_reason;
		}
		return 0;
	}
}

static int foreign_complete_io(struct tvcpu *c)
{
	struct foreign *f = of(c);
	long ret;
	int err;

	/* the program serves the exit, and comes back with its next KVM_RUN */
	if ((err = hand_back(f, 0)) < 0 || (err = hold_next(f)) < 0)
		return err;
	if (f->run->immediate_exit) {
		/* it asked for an immediate exit itself: the I/O completes, and it gets EINTR */
		if ((err = run_gadget(f, &ret)) < 0 || (err = hand_back(f, ret)) < 0)
			return err;
		return hold_next(f);
	}
	f->run->immediate_exit = 1;
	err = run_gadget(f, &ret);
	f->run->immediate_exit = 0;
	return err;
}

/* Read (write) len bytes at addr in the program. */
static int prog_mem(struct foreign *f, uint64_t addr, void *buf, size_t len, bool write)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = write ? process_vm_writev(f->hold.pid, &local, 1, &remote, 1, 0)
			  : process_vm_readv(f->hold.pid, &local, 1, &remote, 1, 0);

	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* ioctl with a structure: copied to the data page, the call made, copied back. */
static int struct_ioctl(struct foreign *f, unsigned long req, void *arg, size_t len)
{
	long ret;
	int err;

	if (len > 4096)
		return -EINVAL;
	if ((err = prog_mem(f, f->data, arg, len, true)) < 0 ||
	    (err = gadget_call(f, req, f->data, &ret)) < 0)
		return err;
	if (ret < 0)
		return (int)ret;
	return prog_mem(f, f->data, arg, len, false);
}

static int foreign_load(struct tvcpu *c)
{
	struct foreign *f = of(c);
	int err;

	if (f->synced) {
		c->regs = f->run->s.regs.regs;
		c->sregs = f->run->s.regs.sregs;
		return 0;
	}
	if ((err = struct_ioctl(f, KVM_GET_REGS, &c->regs, sizeof(c->regs))) < 0 ||
	    (err = struct_ioctl(f, KVM_GET_SREGS, &c->sregs, sizeof(c->sregs))) < 0)
		return vmm_fail(err, "reading the program's vCPU registers: %s", strerror(-err));
	return 0;
}

static int foreign_store_regs(struct tvcpu *c)
{
	struct foreign *f = of(c);

	f->run->s.regs.regs = c->regs;
	f->dirty |= KVM_SYNC_X86_REGS;
	return 0;
}

static int foreign_store_sregs(struct tvcpu *c)
{
	struct foreign *f = of(c);

	f->run->s.regs.sregs = c->sregs;
	f->dirty |= KVM_SYNC_X86_SREGS;
	return 0;
}

static int foreign_set_debug(struct tvcpu *c, uint32_t control, const uint64_t dr[8])
{
	struct kvm_guest_debug dbg = { .control = control };
	int err;

	if (dr)
		memcpy(dbg.arch.debugreg, dr, sizeof(dbg.arch.debugreg));
	err = struct_ioctl(of(c), KVM_SET_GUEST_DEBUG, &dbg, sizeof(dbg));
	return err < 0 ? vmm_fail(err, "KVM_SET_GUEST_DEBUG in the program: %s", strerror(-err)) : 0;
}

static int foreign_translate(struct tvcpu *c, uint64_t lin, uint64_t *gpa, bool *valid)
{
	struct kvm_translation t = { .linear_address = lin };
	int err = struct_ioctl(of(c), KVM_TRANSLATE, &t, sizeof(t));

	if (err < 0)
		return vmm_fail(err, "KVM_TRANSLATE in the program: %s", strerror(-err));
	*gpa = t.physical_address;
	*valid = t.valid;
	return 0;
}

static int foreign_pdptrs(struct tvcpu *c, uint64_t pdptr[4])
{
	struct kvm_sregs2 s;
	int err;

	if (!(c->caps & VMM_CAP_SREGS2))
		return -ENOTSUP;
	err = struct_ioctl(of(c), KVM_GET_SREGS2, &s, sizeof(s));
	if (err < 0)
		return err;
	if (!(s.flags & KVM_SREGS2_FLAGS_PDPTRS_VALID))
		return -ENODATA;
	memcpy(pdptr, s.pdptrs, sizeof(s.pdptrs));
	return 0;
}

/* The program's host address of guest physical [gpa, gpa+len), or 0. */
static uint64_t gpa_hva(struct foreign *f, uint64_t gpa, size_t len)
{
	const struct obs_obj *vm = f->hold.vcpu->vm;

	for (int i = 0; vm && i < vm->nslots; i++) {
		const struct obs_slot *s = &vm->slots[i];

		if (gpa >= s->gpa && gpa - s->gpa <= s->size && s->size - (gpa - s->gpa) >= len)
			return s->hva + (gpa - s->gpa);
	}
	return 0;
}

/* Guest memory at the program's host address hva: from the agent's copies of the pages
 * where it has them, else read from the program (and copied after every run from now on). */
static int prog_read(struct foreign *f, uint64_t hva, uint8_t *buf, size_t len)
{
	while (len) {
		uint64_t page = hva & ~4095ull, off = hva - page;
		size_t n = len < 4096 - off ? len : 4096 - off;
		const uint8_t *copy = agent_page(&f->agent, page);

		if (copy) {
			memcpy(buf, copy + off, n);
		} else {
			if (prog_mem(f, hva, buf, n, false) < 0)
				return -EFAULT;
			agent_want_page(&f->agent, page);
		}
		hva += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int foreign_mem_read(struct tvcpu *c, uint64_t gpa, void *buf, size_t len)
{
	uint64_t hva = gpa_hva(of(c), gpa, len);

	return hva ? prog_read(of(c), hva, buf, len) : -EFAULT;
}

static int foreign_mem_write(struct tvcpu *c, uint64_t gpa, const void *buf, size_t len)
{
	struct foreign *f = of(c);
	uint64_t hva = gpa_hva(f, gpa, len);

	if (!hva || prog_mem(f, hva, (void *)buf, len, true) < 0)
		return -EFAULT;
	/* the copies of those pages too */
	for (size_t done = 0, n; done < len; done += n) {
		uint64_t at = hva + done, off = at & 4095;
		uint8_t *copy = agent_page(&f->agent, at - off);

		n = len - done < 4096 - off ? len - done : 4096 - off;
		if (copy)
			memcpy(copy + off, (const uint8_t *)buf + done, n);
	}
	return 0;
}

static int foreign_arm_timeout(struct tvcpu *c, unsigned ms)
{
	struct foreign *f = of(c);

	f->timed_out = false;
	f->deadline_ns = ms ? vmm_clock_ns() + (uint64_t)ms * 1000000u : 0;
	return 0;
}

static bool foreign_timed_out(struct tvcpu *c)
{
	return of(c)->timed_out;
}

static const struct tvcpu_ops foreign_ops = {
	.enter = foreign_enter,
	.complete_io = foreign_complete_io,
	.load = foreign_load,
	.store_regs = foreign_store_regs,
	.store_sregs = foreign_store_sregs,
	.set_debug = foreign_set_debug,
	.translate = foreign_translate,
	.pdptrs = foreign_pdptrs,
	.mem_read = foreign_mem_read,
	.mem_write = foreign_mem_write,
	.arm_timeout = foreign_arm_timeout,
	.timed_out = foreign_timed_out,
};

/* What this host's KVM offers (asked of kvmlab's own /dev/kvm: the program's VM would EIO). */
static unsigned host_caps(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	unsigned caps = 0;
	long dbg2;

	if (fd < 0)
		return 0;
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) > 0)
		caps |= VMM_CAP_SYNC_REGS;
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG) > 0)
		caps |= VMM_CAP_GUEST_DEBUG;
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0)
		caps |= VMM_CAP_IMMEDIATE_EXIT;
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SREGS2) > 0)
		caps |= VMM_CAP_SREGS2;
	dbg2 = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	if (dbg2 > 0 && (dbg2 & KVM_GUESTDBG_BLOCKIRQ))
		caps |= VMM_CAP_BLOCKIRQ;
	close(fd);
	return caps;
}

/* Map a two-page scratch area (the gadget, then a data page) into the program, using the
 * system call the held thread is stopped in. */
static int inject(struct foreign *f)
{
	struct user_regs_struct r = f->prog;
	pid_t tid = f->hold.tid;
	int st;

	r.orig_rax = SYS_mmap;
	r.rdi = 0;
	r.rsi = 2 * 4096;
	r.rdx = PROT_READ | PROT_WRITE | PROT_EXEC;
	r.r10 = MAP_PRIVATE | MAP_ANONYMOUS;
	r.r8 = (uint64_t)-1;
	r.r9 = 0;
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 || ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
		return vmm_fail(-errno, "ptrace: %s", strerror(errno));
	while (waitpid(tid, &st, __WALL) < 0)
		if (errno != EINTR)
			return vmm_fail(-errno, "waitpid: %s", strerror(errno));
	if (WIFEXITED(st) || WIFSIGNALED(st))
		return gone(f, st);
	if (ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		return vmm_fail(-errno, "ptrace GETREGS: %s", strerror(errno));
	if ((int64_t)r.rax < 0 && (int64_t)r.rax > -4096)
		return vmm_fail((int)r.rax, "mapping kvmlab's gadget into the program: %s",
				strerror((int)-r.rax));
	f->gadget = r.rax;
	f->data = r.rax + 4096;
	f->at_entry = false;  /* the program's KVM_RUN became this mmap: hand_back() answers it */
	return prog_mem(f, f->gadget, (void *)gadget_code, sizeof(gadget_code), true);
}

/* Map the program's fd prog_fd into kvmlab too (read-write, shared): *out. */
static int map_prog_fd(struct foreign *f, int prog_fd, size_t len, void **out, const char *what)
{
	int pidfd = (int)syscall(SYS_pidfd_open, f->hold.pid, 0), fd;
	void *m;

	if (pidfd < 0)
		return vmm_fail(-errno, "pidfd_open: %s", strerror(errno));
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, prog_fd, 0);
	close(pidfd);
	if (fd < 0)
		return vmm_fail(-errno, "pidfd_getfd of the program's %s: %s", what, strerror(errno));
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return vmm_fail(-errno, "mapping the program's %s: %s", what, strerror(errno));
	*out = m;
	return 0;
}

static int map_run(struct foreign *f)
{
	void *m;
	int err = map_prog_fd(f, f->hold.fd, RUN_MAP_LEN, &m, "kvm_run");

	if (err == 0)
		f->run = m;
	return err;
}

/* System call nr in the program, which must succeed: *ret its result. */
static int prog_call(struct foreign *f, long nr, const uint64_t a[6], const char *what, long *ret)
{
	int err = gadget_syscall(f, nr, a, ret);

	if (err == 0 && *ret < 0 && *ret > -4096)
		err = vmm_fail((int)*ret, "%s in the program: %s", what, strerror((int)-*ret));
	return err;
}

/* The agent's area: a memfd the program maps (the code page then made read-only and
 * executable, the box page read-write) and kvmlab maps read-write; the program's fd is
 * closed again.  MFD_EXEC (0x10) where the kernel knows it, so that a memfd_noexec policy
 * does not forbid the code page. */
static int share(struct foreign *f)
{
	uint64_t name = f->gadget + GADGET_LEN;
	long fd, addr, r;
	cpu_set_t none;
	void *m = NULL;
	int err;

	err = gadget_syscall(f, SYS_memfd_create, (uint64_t[6]){ name, MFD_CLOEXEC | 0x10 }, &fd);
	if (err == 0 && fd == -EINVAL)
		err = gadget_syscall(f, SYS_memfd_create, (uint64_t[6]){ name, MFD_CLOEXEC }, &fd);
	if (err < 0)
		return err;
	if (fd < 0)
		return vmm_fail((int)fd, "memfd_create in the program: %s", strerror((int)-fd));
	err = prog_call(f, SYS_ftruncate, (uint64_t[6]){ (uint64_t)fd, SHARED_LEN }, "ftruncate", &r);
	if (err == 0)
		err = prog_call(f, SYS_mmap, (uint64_t[6]){ 0, SHARED_LEN, PROT_READ | PROT_WRITE,
			       MAP_SHARED, (uint64_t)fd, 0 }, "mmap", &addr);
	if (err == 0)
		err = map_prog_fd(f, (int)fd, SHARED_LEN, &m, "memfd");
	if (gadget_syscall(f, SYS_close, (uint64_t[6]){ (uint64_t)fd }, &r) < 0 && err == 0)
		err = -ESRCH;
	if (err < 0)
		return err;
	f->shared = m;
	memcpy(m, agent_code, (size_t)(agent_code_end - agent_code));
	err = prog_call(f, SYS_mprotect, (uint64_t[6]){ (uint64_t)addr, 4096, PROT_READ | PROT_EXEC },
			"mprotect", &r);
	if (err < 0)
		return err;
	agent_init(&f->agent, (struct agent_box *)((uint8_t *)m + 4096), (uint64_t)addr + 4096,
		   (uint64_t)addr);
	/* where it cannot, stepping is only slower; KVMLAB_EXEC_ONE_CPU=1: never on two CPUs
	 * (the tests check the trace stays the same) */
	CPU_ZERO(&none);
	agent_pin(&f->agent, f->hold.tid, getenv("KVMLAB_EXEC_ONE_CPU") ? &none : obs_cpus(f->o));
	return 0;
}

/* Stepping is over (or the program ended): the CPUs given back, kvmlab's view unmapped. */
static void drop_agent(struct foreign *f)
{
	agent_unpin(&f->agent);
	if (f->shared)
		munmap(f->shared, SHARED_LEN);
	f->shared = NULL;
}

int foreign_open(struct foreign *f, struct obs *o, int vm_no)
{
	struct obs_want want = { .vm_no = vm_no };
	uint64_t size = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	f->o = o;
	ret = obs_pump(o, &want, &f->hold);
	if (ret <= 0)
		return ret < 0 ? vmm_fail(ret, "observing the program failed: %s", strerror(-ret)) : 1;
	f->held = true;
	f->at_entry = true;
	if (ptrace(PTRACE_GETREGS, f->hold.tid, 0, &f->prog) < 0)
		return vmm_fail(-errno, "ptrace GETREGS: %s", strerror(errno));
	if ((ret = inject(f)) < 0 || (ret = map_run(f)) < 0 || (ret = share(f)) < 0)
		return ret;
	/* guest memory: the slots that follow one another from guest physical 0 */
	for (bool grew = true; grew && f->hold.vcpu->vm;) {
		grew = false;
		for (int i = 0; i < f->hold.vcpu->vm->nslots; i++)
			if (f->hold.vcpu->vm->slots[i].gpa == size && f->hold.vcpu->vm->slots[i].size) {
				size += f->hold.vcpu->vm->slots[i].size;
				grew = true;
			}
	}
	f->cpu = (struct tvcpu){
		.ops = &foreign_ops,
		.impl = f,
		.run = f->run,
		.mem = NULL,
		.mem_size = size,
		.caps = host_caps(),
		.stats = &f->stats,
	};
	if (!(f->cpu.caps & VMM_CAP_SYNC_REGS))
		return vmm_fail(-ENOTSUP, "this host's KVM has no KVM_CAP_SYNC_REGS, which stepping "
				"another program's guest needs");
	return 0;
}

/* Turn single-stepping off and give the program its pending exit. */
static int release(struct foreign *f, bool was_hlt)
{
	long ret = 0;
	int err;

	if (!f->held)
		return 0;
	if (!f->exit_pending) {
		if ((err = foreign_set_debug(&f->cpu, 0, NULL)) < 0)
			return err;
		if (was_hlt) {
			/* a debug exit just past a HLT (this host's way): the untraced run saw HLT */
			f->run->exit_reason = KVM_EXIT_HLT;
		} else if ((err = run_gadget(f, &ret)) < 0) {
			return err;
		}
		return hand_back(f, ret);
	}
	foreign_set_debug(&f->cpu, 0, NULL);
	return hand_back(f, 0);
}

int foreign_release(struct foreign *f, bool was_hlt)
{
	int err = release(f, was_hlt);

	drop_agent(f);
	return err;
}

enum vmm_mode foreign_start_mode(const struct foreign *f)
{
	const struct obs_obj *v = f->hold.vcpu;

	/* a host that cannot run 32-bit paging may not show PG in the state it reports: what
	 * the program set with KVM_SET_SREGS says it */
	if (v && v->sregs_set && (v->cr0 & X86_CR0(PG)) && !(v->efer & X86_EFER(LMA)))
		return f->cpu.sregs.cr4 & X86_CR4(PAE) ? VMM_MODE_PAE : VMM_MODE_PAGED32;
	switch (vmm_cpu_mode(&f->cpu.sregs)) {
	case VMM_CPU_REAL: return VMM_MODE_REAL;
	case VMM_CPU_PROTECTED: return VMM_MODE_PROTECTED;
	case VMM_CPU_PAGED32: return VMM_MODE_PAGED32;
	case VMM_CPU_PAE: return VMM_MODE_PAE;
	default: return VMM_MODE_LONG;
	}
}
