/* agent.h - a loop kvmlab runs inside the traced program, to make its KVM_RUN calls. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sched.h>
#include <sys/types.h>
#include <sys/user.h>

/*
 * Stepping another program's guest needs one KVM_RUN per instruction, made by the program's
 * own thread (KVM answers no other process).  A ptrace stop per step costs a waitpid, three
 * ptrace calls and two trips through the scheduler; instead kvmlab points the held vCPU
 * thread at a small loop (agent.S) in pages it shares with the program (a memfd both map):
 * kvmlab writes a command into the box below and wakes the loop (a futex), the loop makes
 * the ioctl, copies the pages of guest memory kvmlab reads every step (its page tables and
 * code: process_vm_readv costs 7-10 us a call on this project's machines) and wakes kvmlab.
 * Whatever else happens to the thread meanwhile (the program's signal, its end) is a ptrace
 * stop kvmlab sees while it waits.
 *
 * Where the two run decides the rate.  A wake-up across CPUs costs tens of microseconds on
 * virtualized hosts (an IPI), one on the same CPU two process switches (about 14 us a step
 * on this project's PVM machine, where a step itself is 12 us).  So where a second CPU is
 * allowed, kvmlab and the thread each get one of their own and look at the box in a loop
 * (about 200 us) before they sleep: no switch, no wake-up, a step costs what it costs in
 * kvmlab's own process.  When one of them had to sleep too often (the CPU is busy with other
 * work, or a user at the TUI thinks between steps), both move to one CPU and sleep at once;
 * a thousand steps later two CPUs are tried again.
 */

/* How many pages of guest memory the agent copies for kvmlab after each KVM_RUN: kvmlab
 * then reads the guest's page tables and code without a system call. */
#define AGENT_PAGES 8

/* The command box, at the start of the shared data page (offsets fixed by agent.S). */
struct agent_box {
	uint32_t req_seq;        /* kvmlab: the number of the newest command */
	uint32_t cmd;            /* AGENT_IOCTL or AGENT_QUIT */
	uint64_t fd, req, arg;   /* the ioctl */
	uint32_t agent_sleeps;   /* the agent sleeps on req_seq's futex: wake it */
	uint32_t spin;           /* how many times the agent looks at req_seq before it sleeps */
	uint8_t pad[24];         /* the agent's answer on a cache line of its own */
	uint32_t done_seq;       /* the agent: the number of the last command done */
	uint32_t host_sleeps;    /* kvmlab sleeps on done_seq's futex: wake it */
	int64_t ret;             /* the ioctl's result (-errno) */
	uint32_t npages;         /* after each ioctl, copy these pages of the program */
	uint32_t pad2;
	uint64_t page[AGENT_PAGES];  /* ... (page-aligned addresses) into the pages after the box */
};

enum { AGENT_IOCTL = 1, AGENT_QUIT = 2 };

/* The loop's bytes (agent.S); agent_quit is its int3, agent_publish where it answers. */
extern const unsigned char agent_code[], agent_publish[], agent_quit[], agent_code_end[];

/* Whether kvmlab and the thread share one CPU or have two (the top of this file says why),
 * decided one answer at a time. */
struct agent_tuner {
	bool two_cpus;           /* on two CPUs, both looking before they sleep */
	unsigned window, misses; /* answers on two CPUs in this window; those where one side slept */
	unsigned one_cpu_left;   /* answers on one CPU before two are tried again */
};

/* Over AGENT_WINDOW answers on two CPUs, more than AGENT_MAX_MISSES where one side slept
 * move both to one CPU; after AGENT_RETRY answers there, two are tried again. */
#define AGENT_WINDOW 256
#define AGENT_MAX_MISSES 8
#define AGENT_RETRY 1024

/* Start t on two CPUs (or one). */
void agent_tuner_init(struct agent_tuner *t, bool two_cpus);

/* After an answer (slept: one side had to sleep for it): true when the two should move
 * (t->two_cpus then says where to). */
bool agent_tune(struct agent_tuner *t, bool slept);

struct agent {
	struct agent_box *box;   /* kvmlab's mapping of the box */
	uint64_t code;           /* the program's address of the loop */
	uint64_t box_addr;       /* ... and of the box */
	uint32_t seq;            /* the number of the last command posted */
	bool running;            /* the thread is in the loop (not stopped by ptrace) */
	uint64_t want[AGENT_PAGES];    /* the pages to copy after the next KVM_RUN */
	unsigned nwant, next;          /* how many; which one a new page replaces when full */
	uint64_t copied[AGENT_PAGES];  /* the pages copied after the last one */
	unsigned ncopied;              /* 0 also once the program has run since */
	pid_t pinned_tid;        /* the thread placed with kvmlab, or 0 */
	cpu_set_t own_cpus, prog_cpus;  /* their CPU sets before */
	int cpu, other_cpu;      /* kvmlab's CPU; the thread's when on two (-1: none allowed) */
	struct agent_tuner tuner;  /* on one CPU or two */
	uint32_t spin_budget;    /* the looks in about 200 us on this CPU (both sides use it) */
	bool woke;               /* the last post had to wake the agent */
	uint64_t runs, runs_two; /* answers waited for; those on two CPUs */
};

/* Set a up for the loop at code and the box at box_addr (the program's addresses), box
 * being kvmlab's mapping of the same page; the loop's bytes are written by the caller. */
void agent_init(struct agent *a, struct agent_box *box, uint64_t box_addr, uint64_t code);

/* Turn prog (the held thread's registers) into those that enter the loop. */
void agent_enter_regs(const struct agent *a, struct user_regs_struct *prog, uint64_t cookie);

/* Ask the loop for ioctl(fd, req, arg), or (cmd AGENT_QUIT) to stop on its int3. */
void agent_post(struct agent *a, uint32_t cmd, int fd, unsigned long req, uint64_t arg);

/* Wait for the answer to the last AGENT_IOCTL: 0 and *ret; 1 if thread tid stopped or ended
 * first (*status as waitpid gives it: the caller resumes it and waits again); -errno. */
int agent_wait(struct agent *a, pid_t tid, long *ret, int *status);

/* kvmlab's copy of the program's page at hva (page-aligned) as it was after the last
 * KVM_RUN, or NULL; agent_forget() when the program may have changed its memory since. */
uint8_t *agent_page(struct agent *a, uint64_t hva);

/* Have the page at hva (page-aligned; just read whole from the program) copied after every
 * KVM_RUN from now on. */
void agent_want_page(struct agent *a, uint64_t hva);

/* The copies are out of date (the program ran, or a copy faulted: want_all false stops
 * copying until pages are asked again). */
void agent_forget(struct agent *a, bool want_all);

/* Place kvmlab and thread tid for stepping: on two CPUs where allowed has a second one
 * (the CPUs kvmlab was given), else on kvmlab's one (the top of this file says why); 0 or
 * -errno. */
int agent_pin(struct agent *a, pid_t tid, const cpu_set_t *allowed);

/* Give kvmlab and the placed thread back the CPUs they had. */
void agent_unpin(struct agent *a);
