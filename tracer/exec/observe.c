/* observe.c - a program's KVM ioctls seen from outside with ptrace and seccomp (observe.h). */
#include "observe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "obs_fdmap.h"
#include "obs_filter.h"
#include "obs_tp.h"

/* The kvm_run page and the I/O data page after it (data_offset is one page on x86). */
#define RUN_MAP_LEN (2 * 4096)
/* KVM's fixed offset of the PIO data from kvm_run on x86 (KVM_PIO_PAGE_OFFSET pages). */
#define PIO_DATA_OFFSET 4096
/* How often the tracepoint rings are read while nothing stops (SIGALRM, microseconds). */
#define DRAIN_US 20000
#define NR_IOCTL64 16

/* A KVM_RUN seen through the tracepoints, from its sys_enter to its sys_exit. */
struct tp_run {
	bool in;                  /* inside it */
	int fd;
	uint64_t arg, t0;
	unsigned events;          /* kvm_pio / kvm_mmio records seen in it */
	bool pio, mmio, exited;   /* the last I/O or MMIO record that can end it; the exit */
	struct obs_tp_event io;   /* that record */
	uint32_t reason;
	uint8_t answer[8];        /* the program's answer to the IN exit before it */
	size_t answer_len;
	bool after_in;            /* the thread's last KVM_RUN ended in an IN exit */
	/* a KVM_RUN that ended in an IN exit, waiting for its port, size and count (KVM
	 * traces them when the next KVM_RUN completes the IN) */
	bool pending;
	struct obs_call pend;
	uint8_t pend_io[64];
};

struct thr {
	pid_t tid;
	struct proc *p;
	bool fresh;               /* its first (attach) SIGSTOP is still to come */
	/* the traced call it is in, between the seccomp stop and the syscall-exit stop */
	bool in_call;
	enum obs_sc sc;
	uint64_t args[6];
	uint64_t t0;
	uint8_t *in;              /* ioctl argument as read at the call */
	size_t in_len;
	uint8_t immediate_exit;
	uint8_t in_reply[64];     /* KVM_RUN after an IN exit: the program's answer */
	size_t in_reply_len;
	struct tp_run tp;
	struct thr *next;
};

struct proc {
	pid_t pid;
	int pidfd;
	struct obs_fdmap fds;
	uint64_t mmap_size;       /* the program's KVM_GET_VCPU_MMAP_SIZE answer */
	struct proc *next;
};

struct obs {
	const struct obs_sink *sink;
	pid_t main_pid;
	int errpipe;
	unsigned timeout_ms;
	struct thr *threads;
	struct proc *procs;
	struct obs_obj *objs, **objs_tail;
	int nvms;
	struct obs_result res;
	uint8_t *outbuf;          /* ioctl argument after the call */
	uint64_t cookie;          /* KVM_RUN with this third argument is not stopped */
	bool begun;
	struct obs_tp *tp;        /* KVM_RUN through the tracepoints (NULL: ptrace stops it) */
	unsigned drains;
	struct obs_how how;
	char why[256];
	uint64_t deadline_ns;     /* --timeout: SIGTERM at this time, SIGKILL 500 ms later */
	int ended_by;             /* 0, SIGTERM or SIGKILL: what the timeout has sent */
	struct sigaction old_alarm;
	cpu_set_t cpus;           /* kvmlab's CPUs at the start */
};

/* ---- the program's side of fork ------------------------------------------------------- */

struct child_err {
	int stage;                /* 1: seccomp, 2: exec */
	int err;
};

/* What kvmlab tells the program's side once it is stopped: the filter and the CPU. */
struct child_plan {
	bool free_runs;           /* KVM_RUN passes the filter (the tracepoints see it) */
	int cpu;                  /* pin to this CPU (-1: no) */
};

static void __attribute__((noreturn)) child(const struct obs_opts *opts, int errfd, int planfd,
					    uint64_t cookie)
{
	const char *path = opts->path;
	char *const *argv = opts->argv;
	struct child_err e = { 1, 0 };
	struct child_plan plan;

	if ((opts->out_fd > 2 && dup2(opts->out_fd, 1) < 0) ||
	    (opts->err_fd > 2 && dup2(opts->err_fd, 2) < 0)) {
		e.err = errno;
		goto fail;
	}

	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0 || raise(SIGSTOP) < 0) {
		e.err = errno;
		goto fail;
	}
	if (read(planfd, &plan, sizeof(plan)) != (ssize_t)sizeof(plan)) {
		e.err = EPIPE;
		goto fail;
	}
	if (plan.cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(plan.cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	e.err = -(plan.free_runs ? obs_filter_install_free_runs(cookie) : obs_filter_install(cookie));
	if (e.err)
		goto fail;
	execv(path, argv);
	e.stage = 2;
	e.err = errno;
fail:
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

/* ---- processes and threads ------------------------------------------------------------ */

static struct proc *proc_find(struct obs *o, pid_t pid)
{
	for (struct proc *p = o->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static struct proc *proc_new(struct obs *o, pid_t pid, const struct proc *parent)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (parent) {
		obs_fdmap_copy(&p->fds, &parent->fds);
		p->mmap_size = parent->mmap_size;
	}
	p->next = o->procs;
	o->procs = p;
	return p;
}

static void proc_drop(struct obs *o, struct proc *dead)
{
	for (struct proc **pp = &o->procs; *pp; pp = &(*pp)->next)
		if (*pp == dead) {
			*pp = dead->next;
			break;
		}
	if (dead->pidfd >= 0)
		close(dead->pidfd);
	obs_fdmap_free(&dead->fds);
	free(dead);
}

static struct thr *thr_find(struct obs *o, pid_t tid)
{
	for (struct thr *t = o->threads; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* Tgid and PPid of a task, from /proc. */
static int task_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char path[64], line[256];
	FILE *f;

	*tgid = *ppid = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Tgid:", 5) == 0)
			*tgid = (pid_t)atoi(line + 5);
		else if (strncmp(line, "PPid:", 5) == 0)
			*ppid = (pid_t)atoi(line + 5);
	}
	fclose(f);
	return *tgid > 0 ? 0 : -ESRCH;
}

/* The thread tid, made known now if it is new (a thread, or the first thread of a child). */
static struct thr *thr_get(struct obs *o, pid_t tid, bool fresh)
{
	struct thr *t = thr_find(o, tid);
	pid_t tgid, ppid;
	struct proc *p;

	if (t)
		return t;
	if (task_ids(tid, &tgid, &ppid) < 0)
		tgid = tid, ppid = 0;
	p = proc_find(o, tgid);
	if (!p) {
		p = proc_new(o, tgid, proc_find(o, ppid));
		if (!p)
			return NULL;
		if (tgid != o->main_pid && o->sink->proc)
			o->sink->proc(o->sink->ctx, OBS_PROC_FORK, tgid, ppid, NULL);
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->p = p;
	t->fresh = fresh;
	t->next = o->threads;
	o->threads = t;
	return t;
}

static void thr_drop(struct obs *o, struct thr *dead)
{
	for (struct thr **tp = &o->threads; *tp; tp = &(*tp)->next)
		if (*tp == dead) {
			*tp = dead->next;
			break;
		}
	free(dead->in);
	free(dead);
}

static bool proc_has_threads(struct obs *o, const struct proc *p)
{
	for (struct thr *t = o->threads; t; t = t->next)
		if (t->p == p)
			return true;
	return false;
}

/* ---- KVM objects ------------------------------------------------------------------------ */

static struct obs_obj *obj_new(struct obs *o, enum obs_kind kind, pid_t pid)
{
	struct obs_obj *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->kind = kind;
	x->pid = pid;
	x->vcpu_id = -1;
	*o->objs_tail = x;
	o->objs_tail = &x->next;
	return x;
}

static struct obs_obj *vm_new(struct obs *o, pid_t pid)
{
	struct obs_obj *vm = obj_new(o, OBS_VM, pid);

	if (vm) {
		vm->vm_no = ++o->nvms;
		snprintf(vm->name, sizeof(vm->name), "vm%d", vm->vm_no);
	}
	return vm;
}

/* Map the vCPU's kvm_run into kvmlab: take the program's fd with pidfd_getfd and mmap it. */
static void vcpu_map(struct proc *p, struct obs_obj *v, int fd)
{
	int mine;
	void *m;

	if (p->pidfd < 0)
		return;
	mine = (int)syscall(SYS_pidfd_getfd, p->pidfd, fd, 0);
	if (mine < 0)
		return;
	m = mmap(NULL, RUN_MAP_LEN, PROT_READ, MAP_SHARED, mine, 0);
	close(mine);
	if (m == MAP_FAILED)
		return;
	v->run = m;
	v->run_len = RUN_MAP_LEN;
}

static struct obs_obj *vcpu_new(struct obs *o, struct proc *p, struct obs_obj *vm, int id, int fd)
{
	struct obs_obj *v = obj_new(o, OBS_VCPU, p->pid);

	if (!v)
		return NULL;
	v->vm = vm;
	v->vcpu_id = id;
	snprintf(v->name, sizeof(v->name), "%.40s.vcpu%d", vm ? vm->name : "vm?", id);
	vcpu_map(p, v, fd);
	return v;
}

/* An fd used with a KVM request that kvmlab has not seen created: ask /proc what it is. */
static struct obs_obj *classify_fd(struct obs *o, struct proc *p, int fd)
{
	char path[64], link[128];
	struct obs_obj *x = NULL;
	ssize_t n;
	int id;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)p->pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return NULL;
	link[n] = '\0';
	if (strcmp(link, "/dev/kvm") == 0) {
		x = obj_new(o, OBS_SYSTEM, p->pid);
		if (x)
			snprintf(x->name, sizeof(x->name), "kvm");
	} else if (strcmp(link, "anon_inode:kvm-vm") == 0) {
		x = vm_new(o, p->pid);
	} else if (sscanf(link, "anon_inode:kvm-vcpu:%d", &id) == 1) {
		x = vcpu_new(o, p, NULL, id, fd);
	}
	if (x)
		obs_fdmap_set(&p->fds, fd, x);
	return x;
}

/* After exec: the fds that were closed on exec are gone. */
static void recheck_fds(struct proc *p)
{
	for (int fd = 0; fd < p->fds.len; fd++) {
		char path[64], link[128];
		ssize_t n;

		if (!p->fds.obj[fd])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)p->pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0 || (strncmp(link, "/dev/kvm", 8) != 0 &&
			       strncmp(link, "anon_inode:kvm-", 15) != 0))
			obs_fdmap_set(&p->fds, fd, NULL);
	}
}

static void slot_set(struct obs_obj *vm, const uint8_t *b, size_t len)
{
	struct kvm_userspace_memory_region m;
	int i;

	if (!vm || len < sizeof(m))
		return;
	memcpy(&m, b, sizeof(m));
	for (i = 0; i < vm->nslots && vm->slots[i].slot != m.slot; i++)
		;
	if (m.memory_size == 0) {
		if (i < vm->nslots)
			vm->slots[i] = vm->slots[--vm->nslots];
		return;
	}
	if (i == vm->nslots) {
		if (vm->nslots == OBS_MAX_SLOTS)
			return;
		vm->nslots++;
	}
	vm->slots[i] = (struct obs_slot){ m.slot, m.flags, m.guest_phys_addr, m.memory_size,
					  m.userspace_addr };
}

/* ---- reading the program's memory ------------------------------------------------------ */

static size_t peek(pid_t pid, uint64_t addr, uint8_t *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	return n > 0 ? (size_t)n : 0;
}

/* The argument structure of an ioctl, whole (variable-length ones included). */
static size_t read_arg(pid_t pid, unsigned long req, uint64_t addr, uint8_t *buf)
{
	size_t head = _IOC_SIZE(req), n, want;

	if (!kvmdec_arg_is_pointer(req) || head > KVMDEC_ARG_MAX)
		return 0;
	n = peek(pid, addr, buf, head);
	if (n < head)
		return n;
	want = kvmdec_arg_size(req, buf, n);
	if (want > head)
		n += peek(pid, addr + head, buf + head, want - head);
	return n;
}

/* ---- the calls ---------------------------------------------------------------------------- */

enum vmm_exit obs_exit_kind(const struct kvm_run *r, long ret)
{
	if (ret == -EINTR || r->exit_reason == KVM_EXIT_INTR)
		return VMM_EXIT_INTR;
	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		return r->io.direction == KVM_EXIT_IO_OUT ? VMM_EXIT_IO_OUT : VMM_EXIT_IO_IN;
	case KVM_EXIT_MMIO:
		return r->mmio.is_write ? VMM_EXIT_MMIO_WRITE : VMM_EXIT_MMIO_READ;
	case KVM_EXIT_HLT: return VMM_EXIT_HLT;
	case KVM_EXIT_DEBUG: return VMM_EXIT_DEBUG;
	case KVM_EXIT_SHUTDOWN: return VMM_EXIT_SHUTDOWN;
	case KVM_EXIT_FAIL_ENTRY: return VMM_EXIT_FAIL_ENTRY;
	case KVM_EXIT_INTERNAL_ERROR: return VMM_EXIT_INTERNAL_ERROR;
	default: return VMM_EXIT_OTHER;
	}
}

/* A KVM_RUN counted on its vCPU: calls, time, and its exit. */
static void run_count(struct obs_obj *v, const struct obs_call *c)
{
	v->runs++;
	v->guest_ns += c->ns;
	if (!c->has_exit)
		return;
	v->exited = true;
	v->last_exit = c->run.exit_reason;
	v->exits.count[obs_exit_kind(&c->run, c->c.ret)]++;
	v->exits.total++;
}

static void ioctl_enter(struct obs *o, struct thr *t)
{
	int fd = (int)t->args[0];
	unsigned long req = (unsigned long)(uint32_t)t->args[1];
	struct obs_obj *x = obs_fdmap_get(&t->p->fds, fd);

	if (!x)
		x = classify_fd(o, t->p, fd);
	t->in_len = 0;
	if (kvmdec_arg_is_pointer(req) && (_IOC_DIR(req) & _IOC_WRITE)) {
		if (!t->in)
			t->in = malloc(KVMDEC_ARG_MAX);
		if (t->in)
			t->in_len = read_arg(t->tid, req, t->args[2], t->in);
	}
	t->immediate_exit = 0;
	t->in_reply_len = 0;
	if (req == KVM_RUN && x && x->kind == OBS_VCPU && x->run) {
		const struct kvm_run *r = (const struct kvm_run *)x->run;
		uint64_t off = r->io.data_offset, n = (uint64_t)r->io.size * r->io.count;

		t->immediate_exit = r->immediate_exit;
		if (x->exited && x->last_exit == KVM_EXIT_IO && r->exit_reason == KVM_EXIT_IO &&
		    r->io.direction == KVM_EXIT_IO_IN && off <= x->run_len && n <= x->run_len - off) {
			t->in_reply_len = n < sizeof(t->in_reply) ? (size_t)n : sizeof(t->in_reply);
			memcpy(t->in_reply, x->run + off, t->in_reply_len);
		}
	}
	t->t0 = vmm_clock_ns();
}

static void ioctl_exit(struct obs *o, struct thr *t, long ret, bool unfinished)
{
	struct proc *p = t->p;
	int fd = (int)t->args[0];
	unsigned long req = (unsigned long)(uint32_t)t->args[1];
	struct obs_call c = {
		.pid = p->pid, .tid = t->tid, .fd = fd, .obj = obs_fdmap_get(&p->fds, fd),
		.ns = vmm_clock_ns() - t->t0, .unfinished = unfinished,
		.immediate_exit = t->immediate_exit, .in_reply_len = t->in_reply_len,
	};

	memcpy(c.in_reply, t->in_reply, t->in_reply_len);
	c.c = (struct kvmdec_call){ .req = req, .arg = t->args[2], .in = t->in,
				   .in_len = t->in_len, .ret = ret };
	if (!unfinished && ret >= 0 && kvmdec_arg_is_pointer(req) && (_IOC_DIR(req) & _IOC_READ)) {
		c.c.out = o->outbuf;
		c.c.out_len = read_arg(t->tid, req, t->args[2], o->outbuf);
	}
	o->res.kvm_calls++;
	if (!unfinished && ret >= 0) {
		switch (req) {
		case KVM_CREATE_VM:
			c.created = vm_new(o, p->pid);
			obs_fdmap_set(&p->fds, (int)ret, c.created);
			break;
		case KVM_CREATE_VCPU:
			c.created = vcpu_new(o, p, c.obj && c.obj->kind == OBS_VM ? c.obj : NULL,
					     (int)t->args[2], (int)ret);
			obs_fdmap_set(&p->fds, (int)ret, c.created);
			break;
		case KVM_GET_VCPU_MMAP_SIZE:
			p->mmap_size = (uint64_t)ret;
			break;
		case KVM_SET_SREGS:
			if (c.obj && c.obj->kind == OBS_VCPU && t->in_len >= sizeof(struct kvm_sregs)) {
				struct kvm_sregs sr;

				memcpy(&sr, t->in, sizeof(sr));
				c.obj->sregs_set = true;
				c.obj->cr0 = sr.cr0;
				c.obj->efer = sr.efer;
			}
			break;
		case KVM_SET_USER_MEMORY_REGION:
			if (c.obj && c.obj->kind == OBS_VM)
				slot_set(c.obj, t->in, t->in_len);
			break;
		case KVM_IOEVENTFD: case KVM_CREATE_IRQCHIP: case KVM_CREATE_PIT: case KVM_CREATE_PIT2:
			if (c.obj && c.obj->kind == OBS_VM)
				obs_kports_note(&c.obj->kports, req, t->in, t->in_len);
			break;
		}
	}
	if (req == KVM_RUN && c.obj && c.obj->kind == OBS_VCPU) {
		struct obs_obj *v = c.obj;

		if (!unfinished && v->run) {
			uint64_t off, n;

			memcpy(&c.run, v->run, sizeof(c.run));
			c.has_exit = true;
			if (c.run.exit_reason == KVM_EXIT_IO) {
				off = c.run.io.data_offset;
				n = (uint64_t)c.run.io.size * c.run.io.count;
				if (off <= v->run_len && n <= v->run_len - off) {
					c.io = v->run + off;
					c.io_len = (size_t)n;
				}
			}
		}
		run_count(v, &c);
	}
	if (o->sink->call)
		o->sink->call(o->sink->ctx, &c);
}

/* ---- KVM_RUN through the tracepoints ------------------------------------------------------ */

static void tp_emit(struct obs *o, const struct obs_call *c)
{
	if (c->obj && c->obj->kind == OBS_VCPU)
		run_count(c->obj, c);
	o->res.kvm_calls++;
	if (o->sink->call)
		o->sink->call(o->sink->ctx, c);
}

/* The KVM_RUN that ended in an IN exit, now that its port, size and count are known: KVM
 * cleared the bytes at data_offset for the program's answer, as the ptrace path reads them. */
static void tp_pending_done(struct obs *o, struct thr *t, uint32_t port, uint32_t size,
			    uint32_t count, const char *note)
{
	struct tp_run *r = &t->tp;
	struct obs_call c = r->pend;
	uint64_t n = (uint64_t)size * count;

	r->pending = false;
	c.run.io.port = (uint16_t)port;
	c.run.io.size = (uint8_t)size;
	c.run.io.count = count;
	memset(r->pend_io, 0, sizeof(r->pend_io));
	c.io = r->pend_io;
	c.io_len = n < sizeof(r->pend_io) ? (size_t)n : sizeof(r->pend_io);
	c.note = n > sizeof(r->pend_io) ? "data: the first 64 bytes only" : note;
	tp_emit(o, &c);
}

/* A pending IN exit whose thread is stopped or gone: its fields are still in the kvm_run page
 * (KVM writes them again only at the vCPU's next exit). */
static void tp_settle(struct obs *o, struct thr *t)
{
	const struct obs_obj *v = t->tp.pend.obj;
	const struct kvm_run *run = v && v->run ? (const struct kvm_run *)v->run : NULL;

	if (!t->tp.pending)
		return;
	if (run && run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_IN)
		tp_pending_done(o, t, run->io.port, run->io.size, run->io.count,
				"port, size and count read from the kvm_run page (KVM traces them "
				"when the next KVM_RUN completes the IN, which had not come)");
	else
		tp_pending_done(o, t, 0, 0, 0, "port, size and count unknown: the vCPU did not run "
				"again to complete the IN, and its kvm_run page has moved on");
}

/* The exit of a KVM_RUN that returned ret >= 0, from its records; false if it waits for
 * the next KVM_RUN (an IN exit). */
static bool tp_exit_fields(struct thr *t, struct obs_call *c, uint8_t *io)
{
	struct tp_run *r = &t->tp;
	const struct obs_obj *v = c->obj;

	switch (r->reason) {
	case KVM_EXIT_IO:
		/* an IN leaves no record at its exit: the last one may be a port KVM answered */
		if (!r->pio || !r->io.pio.rw || (v && v->vm && obs_kports_has(&v->vm->kports,
				r->io.pio.port, r->io.pio.size, r->io.pio.val))) {
			c->run.io.direction = KVM_EXIT_IO_IN;
			c->run.io.data_offset = PIO_DATA_OFFSET;
			return false;
		}
		c->run.io.direction = KVM_EXIT_IO_OUT;
		c->run.io.port = (uint16_t)r->io.pio.port;
		c->run.io.size = (uint8_t)r->io.pio.size;
		c->run.io.count = r->io.pio.count;
		c->run.io.data_offset = PIO_DATA_OFFSET;
		c->io_len = r->io.pio.size <= 4 ? r->io.pio.size : 4;
		memcpy(io, &r->io.pio.val, c->io_len);
		c->io = io;
		if (r->io.pio.count > 1)
			c->note = "data: the first element only (kvm_pio traces one value of a rep outs)";
		return true;
	case KVM_EXIT_MMIO:
		if (!r->mmio) {
			c->note = "no kvm_mmio record came with this exit";
			return true;
		}
		c->run.mmio.phys_addr = r->io.mmio.gpa;
		c->run.mmio.len = r->io.mmio.len;
		c->run.mmio.is_write = r->io.mmio.type == 2;
		if (c->run.mmio.is_write)
			memcpy(c->run.mmio.data, &r->io.mmio.val, sizeof(r->io.mmio.val));
		return true;
	case KVM_EXIT_HLT: case KVM_EXIT_SHUTDOWN: case KVM_EXIT_INTR: case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	default:
		/* no tracepoint carries these fields (FAIL_ENTRY, INTERNAL_ERROR, DEBUG, ...) */
		if (v && v->run) {
			memcpy(&c->run, v->run, sizeof(c->run));
			c->run.exit_reason = r->reason;
			c->note = "fields read from the kvm_run page after the call (no tracepoint "
				  "carries them)";
		}
		return true;
	}
}

/* The end of a KVM_RUN seen through the tracepoints; unfinished: why it has none (NULL: it
 * has). */
static void tp_run_done(struct obs *o, struct thr *t, long ret, uint64_t now, const char *unfinished)
{
	struct tp_run *r = &t->tp;
	struct proc *p = t->p;
	struct obs_call c = {
		.pid = p->pid, .tid = t->tid, .fd = r->fd, .obj = obs_fdmap_get(&p->fds, r->fd),
		.ns = now - r->t0, .unfinished = unfinished != NULL, .no_immediate_exit = true,
		.in_reply_len = r->answer_len, .note = unfinished,
	};
	uint8_t io[8];

	r->in = false;
	r->after_in = false;
	if (!c.obj)
		c.obj = classify_fd(o, p, r->fd);
	memcpy(c.in_reply, r->answer, r->answer_len);
	c.c = (struct kvmdec_call){ .req = KVM_RUN, .arg = r->arg, .ret = ret };
	if (!unfinished && r->exited && c.obj && c.obj->kind == OBS_VCPU) {
		c.has_exit = true;
		c.run.exit_reason = r->reason;
		if (ret >= 0 && !tp_exit_fields(t, &c, io)) {
			r->pend = c;
			r->pending = true;
			r->after_in = true;
			return;
		}
	}
	tp_emit(o, &c);
}

/* One tracepoint record, in time order. */
static void tp_event(void *ctx, const struct obs_tp_event *e)
{
	struct obs *o = ctx;
	struct tp_run *r;
	struct thr *t;

	if (e->kind == OBS_TP_LOST) {
		o->res.lost += e->lost.lost;
		if (o->sink->lost)
			o->sink->lost(o->sink->ctx, e->tid, e->lost.lost, NULL);
		return;
	}
	t = thr_get(o, e->tid, true);
	if (!t)
		return;
	r = &t->tp;
	switch (e->kind) {
	case OBS_TP_SYS_ENTER:
		if (e->enter.nr != NR_IOCTL64 || (uint32_t)e->enter.args[1] != KVM_RUN)
			return;
		if (r->in)
			tp_run_done(o, t, -EINTR, e->time, "the records of its end were among those the "
				    "kernel dropped");
		*r = (struct tp_run){ .in = true, .fd = (int)e->enter.args[0], .arg = e->enter.args[2],
				      .t0 = e->time, .after_in = r->after_in, .pending = r->pending,
				      .pend = r->pend };
		return;
	case OBS_TP_PIO:
		if (!r->in)
			return;
		if (r->events++ == 0 && !e->pio.rw && r->after_in) {
			/* KVM completes the IN the last KVM_RUN exited for: the program's answer */
			if (r->pending)
				tp_pending_done(o, t, e->pio.port, e->pio.size, e->pio.count, NULL);
			r->answer_len = e->pio.size <= 4 ? e->pio.size : 4;
			memcpy(r->answer, &e->pio.val, r->answer_len);
			r->after_in = false;
			return;
		}
		r->pio = true;
		r->mmio = false;
		r->io = *e;
		return;
	case OBS_TP_MMIO:
		if (!r->in || e->mmio.type == 1 /* a read completed */)
			return;
		r->events++;
		r->mmio = true;
		r->pio = false;
		r->io = *e;
		return;
	case OBS_TP_UEXIT:
		/* KVM_RUN returns what kvm_userspace_exit carries: the call ends here */
		if (r->in) {
			r->exited = true;
			r->reason = e->uexit.reason;
			tp_run_done(o, t, e->uexit.err, e->time, NULL);
		}
		return;
	case OBS_TP_SYS_EXIT:
		/* only failures are recorded: a KVM_RUN that failed before reaching the vCPU */
		if (e->exit.nr == NR_IOCTL64 && r->in)
			tp_run_done(o, t, e->exit.ret, e->time, NULL);
		return;
	default:
		return;
	}
}

/* Hand out the records up to cutoff; a thread stopped by ptrace (or gone) settles its
 * pending IN exit first, so its next line comes after it. */
static void tp_drain(struct obs *o, uint64_t cutoff, struct thr *stopped)
{
	if (!o->tp)
		return;
	/* now and then (and at the end), that the instance still records as it was set up */
	if ((++o->drains % 16 == 0 || cutoff == UINT64_MAX) && !o->res.tampered[0] &&
	    !obs_tp_intact(o->tp, o->res.tampered, sizeof(o->res.tampered)) && o->sink->lost)
		o->sink->lost(o->sink->ctx, 0, 0, o->res.tampered);
	obs_tp_drain(o->tp, cutoff, tp_event, o);
	if (stopped)
		tp_settle(o, stopped);
}

static void dup_exit(struct thr *t, long ret)
{
	int oldfd = (int)t->args[0];

	if (ret < 0)
		return;
	obs_fdmap_set(&t->p->fds, (int)ret, obs_fdmap_get(&t->p->fds, oldfd));
}

static void mmap_exit(struct obs *o, struct thr *t, long ret)
{
	struct obs_obj *x = obs_fdmap_get(&t->p->fds, (int)t->args[4]);

	if (ret < 0 && ret > -4096)
		return;
	if (!x || x->kind != OBS_VCPU)
		return;
	x->prog_run_addr = (uint64_t)ret;
	if (o->sink->mapped)
		o->sink->mapped(o->sink->ctx, t->tid, x, (uint64_t)ret, t->args[1]);
}

/* A seccomp stop: the thread is about to make one of the filtered calls. */
static int on_seccomp(struct obs *o, struct thr *t)
{
	struct __ptrace_syscall_info si;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(si), &si) <= 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return PTRACE_CONT;
	t->sc = obs_filter_classify(si.arch, (unsigned)si.seccomp.nr);
	memcpy(t->args, si.seccomp.args, sizeof(t->args));
	if (si.arch == AUDIT_ARCH_I386)
		for (int i = 0; i < 6; i++)
			t->args[i] = (uint32_t)t->args[i];
	/* x32 sends every call here: keep only what the 64-bit filter would */
	if (t->sc == OBS_SC_FCNTL_DUP && t->args[1] != 0 /* F_DUPFD */ &&
	    t->args[1] != 1030 /* F_DUPFD_CLOEXEC */)
		t->sc = OBS_SC_OTHER;
	if (t->sc == OBS_SC_IOCTL && ((uint32_t)t->args[1] & 0xff00) != 0xAE00)
		t->sc = OBS_SC_OTHER;
	switch (t->sc) {
	case OBS_SC_CLOSE:
		obs_fdmap_set(&t->p->fds, (int)t->args[0], NULL);
		return PTRACE_CONT;
	case OBS_SC_CLOSE_RANGE:
		if (!(t->args[2] & 4 /* CLOSE_RANGE_CLOEXEC */))
			obs_fdmap_clear_range(&t->p->fds, (unsigned)t->args[0], (unsigned)t->args[1]);
		return PTRACE_CONT;
	case OBS_SC_IOCTL:
		ioctl_enter(o, t);
		break;
	case OBS_SC_DUP2: case OBS_SC_DUP3:
		/* the target fd is closed first, whatever happens next */
		if (t->args[0] != t->args[1])
			obs_fdmap_set(&t->p->fds, (int)t->args[1], NULL);
		break;
	case OBS_SC_DUP: case OBS_SC_FCNTL_DUP: case OBS_SC_MMAP:
		break;
	default:
		return PTRACE_CONT;
	}
	t->in_call = true;
	return PTRACE_SYSCALL;
}

/* The syscall-exit stop after a seccomp stop. */
static void on_syscall_exit(struct obs *o, struct thr *t)
{
	struct __ptrace_syscall_info si;
	long ret = -ENOSYS;

	if (!t->in_call)
		return;
	t->in_call = false;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(si), &si) > 0 &&
	    si.op == PTRACE_SYSCALL_INFO_EXIT)
		ret = (long)si.exit.rval;
	switch (t->sc) {
	case OBS_SC_IOCTL:
		ioctl_exit(o, t, ret, false);
		break;
	case OBS_SC_DUP: case OBS_SC_DUP2: case OBS_SC_DUP3: case OBS_SC_FCNTL_DUP:
		dup_exit(t, ret);
		break;
	case OBS_SC_MMAP:
		mmap_exit(o, t, ret);
		break;
	default:
		break;
	}
}

static void on_exec(struct obs *o, struct thr *t)
{
	unsigned long former = 0;
	char path[64], exe[4096];
	ssize_t n;

	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former);
	/* a thread other than the leader exec'd: it now has the leader's id */
	if ((pid_t)former != t->tid) {
		struct thr *f = thr_find(o, (pid_t)former);

		if (f)
			thr_drop(o, f);
	}
	t->in_call = false;
	recheck_fds(t->p);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->tid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (t->p->pid == o->main_pid && !o->res.started) {
		o->res.started = true;
		if (o->sink->proc)
			o->sink->proc(o->sink->ctx, OBS_PROC_START, t->p->pid, 0, exe);
	} else if (o->sink->proc) {
		o->sink->proc(o->sink->ctx, OBS_PROC_EXEC, t->p->pid, 0, exe);
	}
}

/* A task ended (exit or signal): finish its unfinished call, forget it. */
static void on_gone(struct obs *o, pid_t tid, int status)
{
	struct thr *t = thr_find(o, tid);
	struct proc *p;

	if (!t)
		return;
	p = t->p;
	tp_drain(o, vmm_clock_ns(), t);
	if (t->tp.in)
		tp_run_done(o, t, -EINTR, vmm_clock_ns(), "the program ended inside the call");
	if (t->in_call && t->sc == OBS_SC_IOCTL)
		ioctl_exit(o, t, -EINTR, true);
	thr_drop(o, t);
	if (tid == p->pid || !proc_has_threads(o, p)) {
		if (tid == p->pid) {
			if (p->pid == o->main_pid)
				o->res.status = status;
			if (o->sink->proc && o->res.started)
				o->sink->proc(o->sink->ctx, OBS_PROC_EXIT, p->pid, status, NULL);
		}
		if (!proc_has_threads(o, p))
			proc_drop(o, p);
	}
}

/* ---- the timeout -------------------------------------------------------------------------- */

/* SIGALRM only interrupts waitpid (every 50 ms while a timeout runs); the deadline is
 * checked against the clock, so an alarm that comes outside waitpid is not lost. */
static void on_alarm(int sig)
{
	(void)sig;
}

static void signal_all(struct obs *o, int sig)
{
	for (struct proc *p = o->procs; p; p = p->next)
		kill(p->pid, sig);
}

static void check_deadline(struct obs *o)
{
	uint64_t now;

	if (!o->deadline_ns || o->ended_by == SIGKILL)
		return;
	now = vmm_clock_ns();
	if (o->ended_by == 0 && now >= o->deadline_ns) {
		o->res.timed_out = true;
		o->ended_by = SIGTERM;
		signal_all(o, SIGTERM);
	} else if (o->ended_by == SIGTERM && now >= o->deadline_ns + 500000000u) {
		o->ended_by = SIGKILL;
		signal_all(o, SIGKILL);
	}
}


/* ---- public ------------------------------------------------------------------------------ */

uint64_t obs_cookie(const struct obs *o)
{
	return o->cookie;
}

const cpu_set_t *obs_cpus(const struct obs *o)
{
	return &o->cpus;
}

int obs_find_program(const char *name, char *path, size_t len)
{
	const char *dirs = getenv("PATH");
	int err = -ENOENT;

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, len, "%s", name) >= len)
			return -ENAMETOOLONG;
		return access(path, F_OK) < 0 ? -ENOENT : access(path, X_OK) < 0 ? -EACCES : 0;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*dirs) {
		size_t n = strcspn(dirs, ":");
		struct stat st;

		if ((size_t)snprintf(path, len, "%.*s%s%s", (int)n, dirs, n ? "/" : "", name) < len &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(path, X_OK) == 0)
				return 0;
			err = -EACCES;
		}
		dirs += n + (dirs[n] == ':');
	}
	return err;
}

/* Pin kvmlab to the CPU it runs on; that CPU, or -1. */
static int pin_here(void)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) == 0 ? cpu : -1;
}

/* Tracepoints or ptrace for KVM_RUN (the program is stopped, not yet exec'd): what the
 * program's side must do, sent through planfd. */
static int choose(struct obs *o, const struct obs_opts *opts, pid_t pid, int planfd, char *why,
		  size_t len)
{
	struct child_plan plan = { .free_runs = false, .cpu = -1 };
	int ret = 0;

	o->why[0] = '\0';
	if (opts->mode != OBS_MODE_PTRACE) {
		ret = obs_tp_open(pid, opts->ring_pages, &o->tp, o->why, sizeof(o->why));
		if (ret < 0 && opts->mode == OBS_MODE_TRACEPOINTS) {
			snprintf(why, len, "%s", o->why);
			return -EOPNOTSUPP;
		}
	}
	if (o->tp) {
		plan.free_runs = true;
		o->how = (struct obs_how){ .mode = OBS_MODE_TRACEPOINTS, .cpu = -1, .why = "",
					   .ring_bytes = obs_tp_ring_bytes(o->tp) };
	} else {
		plan.cpu = pin_here();
		o->how = (struct obs_how){ .mode = OBS_MODE_PTRACE, .cpu = plan.cpu, .why = o->why };
	}
	if (write(planfd, &plan, sizeof(plan)) != (ssize_t)sizeof(plan))
		return -errno;
	return 0;
}

int obs_start(const struct obs_opts *opts, struct obs **out, char *why, size_t len)
{
	int pipefd[2], planfd[2], st, err;
	struct obs *o;
	pid_t pid;

	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->outbuf = malloc(KVMDEC_ARG_MAX);
	if (!o->outbuf) {
		free(o);
		return -ENOMEM;
	}
	o->sink = opts->sink;
	o->timeout_ms = opts->timeout_ms;
	o->objs_tail = &o->objs;
	if (sched_getaffinity(0, sizeof(o->cpus), &o->cpus) < 0)
		CPU_ZERO(&o->cpus);
	if (getrandom(&o->cookie, sizeof(o->cookie), 0) != sizeof(o->cookie)) {
		err = -EIO;
		goto fail;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		err = -errno;
		goto fail;
	}
	if (pipe2(planfd, O_CLOEXEC) < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		close(planfd[0]);
		close(planfd[1]);
		goto fail;
	}
	if (pid == 0)
		child(opts, pipefd[1], planfd[0], o->cookie);
	close(pipefd[1]);
	close(planfd[0]);
	o->errpipe = pipefd[0];
	o->main_pid = pid;
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		close(planfd[1]);
		err = -ECHILD;
		goto fail_child;
	}
	err = choose(o, opts, pid, planfd[1], why, len);
	close(planfd[1]);
	if (err < 0)
		goto fail_child;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD |
		   PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		   PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0) {
		err = -errno;
		goto fail_child;
	}
	if (!thr_get(o, pid, false)) {
		err = -ENOMEM;
		goto fail_child;
	}
	if (o->sink->how)
		o->sink->how(o->sink->ctx, &o->how);
	*out = o;
	return 0;

fail_child:
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(o->errpipe);
	obs_tp_free(o->tp);
fail:
	free(o->outbuf);
	free(o);
	return err;
}

int obs_begin(struct obs *o)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	if (o->begun)
		return 0;
	o->begun = true;
	sigset_t alrm;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &o->old_alarm);  /* no SA_RESTART: waitpid returns EINTR */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);  /* whatever the caller's mask was */
	if (o->timeout_ms || o->tp) {
		/* the tracepoint rings are read at each alarm too */
		long us = o->tp ? DRAIN_US : 50000;
		struct itimerval it = { .it_interval = { 0, us }, .it_value = { 0, us } };

		if (o->timeout_ms)
			o->deadline_ns = vmm_clock_ns() + (uint64_t)o->timeout_ms * 1000000u;
		setitimer(ITIMER_REAL, &it, NULL);
	}
	if (ptrace(PTRACE_CONT, o->main_pid, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Is this seccomp stop a KVM_RUN the caller of obs_pump() wants to hold? */
static bool wanted(struct obs *o, struct thr *t, const struct obs_want *want, struct obs_hold *hold)
{
	struct __ptrace_syscall_info si;
	struct obs_obj *x;
	int fd;

	if (!want || ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(si), &si) <= 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP || si.arch != AUDIT_ARCH_X86_64 ||
	    obs_filter_classify(si.arch, (unsigned)si.seccomp.nr) != OBS_SC_IOCTL ||
	    (uint32_t)si.seccomp.args[1] != KVM_RUN)
		return false;
	fd = (int)si.seccomp.args[0];
	x = obs_fdmap_get(&t->p->fds, fd);
	if (!x)
		x = classify_fd(o, t->p, fd);
	if (!x || x->kind != OBS_VCPU || !x->run)
		return false;
	if (want->vcpu ? x != want->vcpu : (want->vm_no && (!x->vm || x->vm->vm_no != want->vm_no)))
		return false;
	*hold = (struct obs_hold){ .tid = t->tid, .pid = t->p->pid, .vcpu = x, .fd = fd };
	return true;
}

int obs_pump(struct obs *o, const struct obs_want *want, struct obs_hold *hold)
{
	int ret = obs_begin(o);

	while (ret == 0 && o->threads) {
		int st, resume = PTRACE_CONT, sig = 0, werr;
		struct thr *t;
		pid_t tid;

		check_deadline(o);
		tid = waitpid(-1, &st, __WALL);
		werr = errno;
		tp_drain(o, vmm_clock_ns(), NULL);
		errno = werr;
		if (tid < 0) {
			if (errno != EINTR) {
				ret = errno == ECHILD ? 0 : -errno;
				break;
			}
			continue;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			on_gone(o, tid, st);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		t = thr_get(o, tid, true);
		if (!t) {
			ret = -ENOMEM;
			break;
		}
		if (o->tp)
			tp_settle(o, t);  /* its IN exit is logged before what it does now */
		if (WSTOPSIG(st) == SIGTRAP && (st >> 16)) {
			switch (st >> 16) {
			case PTRACE_EVENT_SECCOMP:
				if (wanted(o, t, want, hold))
					return 1;  /* left stopped for the caller */
				resume = on_seccomp(o, t);
				break;
			case PTRACE_EVENT_EXEC:
				on_exec(o, t);
				break;
			case PTRACE_EVENT_CLONE: case PTRACE_EVENT_FORK: case PTRACE_EVENT_VFORK: {
				unsigned long child = 0;

				if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &child) == 0 && child)
					thr_get(o, (pid_t)child, true);
				break;
			}
			default:
				break;
			}
		} else if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			on_syscall_exit(o, t);
		} else if (WSTOPSIG(st) == SIGSTOP && t->fresh) {
			t->fresh = false;  /* the stop every new tracee starts with */
		} else {
			sig = WSTOPSIG(st);  /* a signal for the program: deliver it */
		}
		if (ptrace(resume, tid, 0, sig) < 0 && errno != ESRCH)
			ret = -errno;
	}
	return ret;
}

void obs_task_gone(struct obs *o, pid_t tid, int status)
{
	on_gone(o, tid, status);
}

void obs_end(struct obs *o, struct obs_result *res)
{
	tp_drain(o, UINT64_MAX, NULL);
	for (struct thr *t = o->threads; t; t = t->next)
		tp_settle(o, t);
	o->res.mode = o->how.mode;
	if (o->begun) {
		setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
		sigaction(SIGALRM, &o->old_alarm, NULL);
	}
	if (!o->res.started) {
		struct child_err e = { 0, 0 };

		if (read(o->errpipe, &e, sizeof(e)) == (ssize_t)sizeof(e))
			o->res.exec_errno = e.err;
		else
			o->res.exec_errno = ENOEXEC;
	}
	o->res.objs = o->objs;
	*res = o->res;
}

int obs_run(struct obs *o, struct obs_result *res)
{
	int ret = obs_pump(o, NULL, NULL);

	obs_end(o, res);
	return ret;
}

void obs_free(struct obs *o)
{
	if (!o)
		return;
	signal_all(o, SIGKILL);
	while (o->threads) {
		int st;
		pid_t tid = waitpid(-1, &st, __WALL);

		if (tid < 0)
			break;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			on_gone(o, tid, st);
	}
	while (o->procs)
		proc_drop(o, o->procs);
	for (struct obs_obj *x = o->objs, *next; x; x = next) {
		next = x->next;
		if (x->run)
			munmap((void *)x->run, x->run_len);
		free(x);
	}
	close(o->errpipe);
	obs_tp_free(o->tp);
	free(o->outbuf);
	free(o);
}
