/* agent.c - kvmlab's side of the loop it runs inside a traced program (agent.h). */
#include "agent.h"

#include <errno.h>
#include <linux/futex.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* agent.S reads the box at these offsets */
_Static_assert(offsetof(struct agent_box, req_seq) == 0, "agent.S REQ_SEQ");
_Static_assert(offsetof(struct agent_box, cmd) == 4, "agent.S CMD");
_Static_assert(offsetof(struct agent_box, fd) == 8, "agent.S FD");
_Static_assert(offsetof(struct agent_box, req) == 16, "agent.S REQ");
_Static_assert(offsetof(struct agent_box, arg) == 24, "agent.S ARG");
_Static_assert(offsetof(struct agent_box, agent_sleeps) == 32, "agent.S AGENT_SLEEPS");
_Static_assert(offsetof(struct agent_box, spin) == 36, "agent.S SPIN");
_Static_assert(offsetof(struct agent_box, done_seq) == 64, "agent.S DONE_SEQ");
_Static_assert(offsetof(struct agent_box, host_sleeps) == 68, "agent.S HOST_SLEEPS");
_Static_assert(offsetof(struct agent_box, ret) == 72, "agent.S RET");
_Static_assert(offsetof(struct agent_box, npages) == 80, "agent.S NPAGES");
_Static_assert(offsetof(struct agent_box, page) == 88, "agent.S PAGES");
_Static_assert(AGENT_QUIT == 2, "agent.S CMD_QUIT");

/* How long kvmlab sleeps on the box before it looks whether the thread stopped instead. */
#define NAP_NS 2000000
/* How long each side looks at the box before it sleeps, on two CPUs. */
#define SPIN_NS 200000

static long futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

void agent_init(struct agent *a, struct agent_box *box, uint64_t box_addr, uint64_t code)
{
	*a = (struct agent){ .box = box, .box_addr = box_addr, .code = code };
	box->req_seq = box->done_seq = 0;
}

void agent_enter_regs(const struct agent *a, struct user_regs_struct *prog, uint64_t cookie)
{
	prog->rip = a->code;
	prog->rbx = a->box_addr;
	prog->r13 = cookie;
	prog->r14 = a->seq;
	prog->orig_rax = (uint64_t)-1;  /* at the program's own KVM_RUN: skip it */
}

void agent_post(struct agent *a, uint32_t cmd, int fd, unsigned long req, uint64_t arg)
{
	struct agent_box *b = a->box;

	b->cmd = cmd;
	b->fd = (uint64_t)fd;
	b->req = req;
	b->arg = arg;
	a->ncopied = 0;
	if (cmd == AGENT_IOCTL) {
		memcpy(b->page, a->want, sizeof(a->want));
		b->npages = a->nwant;
		memcpy(a->copied, a->want, sizeof(a->want));
		a->ncopied = a->nwant;
	}
	__atomic_store_n(&b->req_seq, ++a->seq, __ATOMIC_SEQ_CST);
	a->woke = __atomic_load_n(&b->agent_sleeps, __ATOMIC_SEQ_CST);
	if (a->woke)
		futex(&b->req_seq, FUTEX_WAKE, 1, NULL);
}

void agent_tuner_init(struct agent_tuner *t, bool two_cpus)
{
	*t = (struct agent_tuner){ .two_cpus = two_cpus, .one_cpu_left = AGENT_RETRY };
}

bool agent_tune(struct agent_tuner *t, bool slept)
{
	if (!t->two_cpus) {
		if (--t->one_cpu_left)
			return false;
		agent_tuner_init(t, true);
		return true;
	}
	t->misses += slept;
	if (t->misses > AGENT_MAX_MISSES) {
		agent_tuner_init(t, false);
		return true;
	}
	if (++t->window == AGENT_WINDOW)
		t->window = t->misses = 0;
	return false;
}

/* The thread on kvmlab's CPU or (a->tuner.two_cpus) on the other one, each side told how
 * long to look before it sleeps. */
static void place(struct agent *a)
{
	bool two = a->tuner.two_cpus;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(two ? a->other_cpu : a->cpu, &one);
	if (sched_setaffinity(a->pinned_tid, sizeof(one), &one) < 0 && two)
		agent_tuner_init(&a->tuner, false);  /* it stays where it was, sleeping */
	__atomic_store_n(&a->box->spin, a->tuner.two_cpus ? a->spin_budget : 0, __ATOMIC_RELAXED);
}

int agent_wait(struct agent *a, pid_t tid, long *ret, int *status)
{
	const struct timespec nap = { 0, NAP_NS };
	struct agent_box *b = a->box;
	bool slept = a->woke, two = a->tuner.two_cpus;
	uint32_t done;
	pid_t got;

	for (uint32_t i = two ? a->spin_budget : 0;
	     i && __atomic_load_n(&b->done_seq, __ATOMIC_ACQUIRE) != a->seq; i--)
		__builtin_ia32_pause();
	while (__atomic_load_n(&b->done_seq, __ATOMIC_ACQUIRE) != a->seq) {
		slept = true;
		__atomic_store_n(&b->host_sleeps, 1, __ATOMIC_SEQ_CST);
		done = __atomic_load_n(&b->done_seq, __ATOMIC_SEQ_CST);
		if (done != a->seq)
			futex(&b->done_seq, FUTEX_WAIT, done, &nap);
		__atomic_store_n(&b->host_sleeps, 0, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&b->done_seq, __ATOMIC_ACQUIRE) == a->seq)
			break;
		got = waitpid(tid, status, WNOHANG | __WALL);
		if (got < 0 && errno != EINTR)
			return -errno;
		if (got == tid)
			return 1;
	}
	*ret = (long)__atomic_load_n(&b->ret, __ATOMIC_ACQUIRE);
	a->runs++;
	a->runs_two += two;
	if (a->pinned_tid && a->other_cpu >= 0 && agent_tune(&a->tuner, slept))
		place(a);
	return 0;
}

static uint8_t *copy_of(struct agent *a, unsigned i)
{
	return (uint8_t *)a->box + 4096 * (i + 1);
}

uint8_t *agent_page(struct agent *a, uint64_t hva)
{
	for (unsigned i = 0; i < a->ncopied; i++)
		if (a->copied[i] == hva)
			return copy_of(a, i);
	return NULL;
}

void agent_want_page(struct agent *a, uint64_t hva)
{
	for (unsigned i = 0; i < a->nwant; i++)
		if (a->want[i] == hva)
			return;
	if (a->nwant < AGENT_PAGES) {
		a->want[a->nwant++] = hva;
		return;
	}
	a->want[a->next] = hva;
	a->next = (a->next + 1) % AGENT_PAGES;
}

void agent_forget(struct agent *a, bool want_all)
{
	a->ncopied = 0;
	if (!want_all) {
		a->nwant = 0;
		a->box->npages = 0;
	}
}

/* The number of pauses that take about SPIN_NS on this CPU. */
static uint32_t spin_budget(void)
{
	enum { PROBE = 2000 };
	uint64_t t0 = vmm_clock_ns(), n;

	for (int i = 0; i < PROBE; i++)
		__builtin_ia32_pause();
	n = SPIN_NS * PROBE / (vmm_clock_ns() - t0 + 1);
	return (uint32_t)(n < 100 ? 100 : n);
}

/* The CPU in allowed that comes next after cpu, or -1. */
static int other_cpu(const cpu_set_t *allowed, int cpu)
{
	for (int k = 1; k < CPU_SETSIZE; k++)
		if (CPU_ISSET((cpu + k) % CPU_SETSIZE, allowed))
			return (cpu + k) % CPU_SETSIZE;
	return -1;
}

int agent_pin(struct agent *a, pid_t tid, const cpu_set_t *allowed)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	if (cpu < 0)
		return -errno;
	if (sched_getaffinity(0, sizeof(a->own_cpus), &a->own_cpus) < 0 ||
	    sched_getaffinity(tid, sizeof(a->prog_cpus), &a->prog_cpus) < 0)
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return -errno;
	a->pinned_tid = tid;
	a->cpu = cpu;
	a->other_cpu = other_cpu(allowed, cpu);
	a->spin_budget = spin_budget();
	agent_tuner_init(&a->tuner, a->other_cpu >= 0);
	place(a);
	return 0;
}

void agent_unpin(struct agent *a)
{
	if (!a->pinned_tid)
		return;
	sched_setaffinity(a->pinned_tid, sizeof(a->prog_cpus), &a->prog_cpus);
	sched_setaffinity(0, sizeof(a->own_cpus), &a->own_cpus);
	a->pinned_tid = 0;
	agent_tuner_init(&a->tuner, false);
	__atomic_store_n(&a->box->spin, 0, __ATOMIC_RELAXED);
}
