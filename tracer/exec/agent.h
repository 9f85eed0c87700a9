/* agent.h - a loop kvmlab runs inside the traced program, to make its KVM_RUN calls. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sched.h>
#include <sys/types.h>
#include <sys/user.h>

/*
 * Stepping another program's guest needs one KVM_RUN per instruction, made by the program's
 * own thread (KVM answers no other process).  Each ptrace stop costs a trip through the
 * scheduler; instead kvmlab points the held vCPU thread at a small loop (agent.S) in a page
 * it shares with the program (a memfd both map): kvmlab writes a command into the box below,
 * the loop makes the ioctl and writes the result back, and neither side stops or sleeps
 * while the other answers quickly (each polls the box a while before it sleeps on a futex).
 * Whatever else happens to the thread meanwhile (the program's signal, its end) is a ptrace
 * stop kvmlab sees while it waits.
 */

/* The command box, at the start of the shared data page (offsets fixed by agent.S). */
struct agent_box {
	uint32_t req_seq;        /* kvmlab: the number of the newest command */
	uint32_t cmd;            /* AGENT_IOCTL or AGENT_QUIT */
	uint64_t fd, req, arg;   /* the ioctl */
	uint32_t agent_sleeps;   /* the agent sleeps on req_seq's futex: wake it */
	uint32_t spin;           /* how many times the agent polls before it sleeps */
	uint8_t pad[24];         /* the agent's answer on a cache line of its own */
	uint32_t done_seq;       /* the agent: the number of the last command done */
	uint32_t host_sleeps;    /* kvmlab sleeps on done_seq's futex: wake it */
	int64_t ret;             /* the ioctl's result (-errno) */
};

enum { AGENT_IOCTL = 1, AGENT_QUIT = 2 };

/* The loop's bytes (agent.S); agent_quit is its int3. */
extern const unsigned char agent_code[], agent_quit[], agent_code_end[];

struct agent {
	struct agent_box *box;   /* kvmlab's mapping of the box */
	uint64_t code;           /* the program's address of the loop */
	uint64_t box_addr;       /* ... and of the box */
	uint32_t seq;            /* the number of the last command posted */
	unsigned spin;           /* polls before sleeping, kvmlab's side */
	bool running;            /* the thread is in the loop (not stopped by ptrace) */
	pid_t pinned_tid;        /* the thread pinned with kvmlab to one CPU, or 0 */
	cpu_set_t own_cpus, prog_cpus;  /* their CPU sets before */
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

/* Run kvmlab and thread tid on one CPU (the one kvmlab is on); 0 or -errno. */
int agent_pin(struct agent *a, pid_t tid);

/* Give kvmlab and the pinned thread back the CPUs they had. */
void agent_unpin(struct agent *a);
