/* obs_tp.h - a program's KVM_RUN calls and exits seen through the kernel's tracepoints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A private tracefs instance recording the tracepoints raw_syscalls:sys_enter (ioctl only)
 * and sys_exit (a failed ioctl only: a KVM_RUN returns what kvm_userspace_exit carries, so a
 * successful one needs no record of its own), kvm:kvm_userspace_exit, kvm:kvm_pio and
 * kvm:kvm_mmio, for one process and the threads and children it makes (set_event_pid,
 * event-fork), one ring per CPU, timestamps on CLOCK_MONOTONIC.  The kernel writes each
 * record as it happens; nothing in the program can skip or change it.  Records are handed
 * out merged in time order.
 */

enum obs_tp_kind {
	OBS_TP_SYS_ENTER,   /* nr, args[0..2] */
	OBS_TP_SYS_EXIT,    /* nr, ret (< 0: only failed calls are recorded) */
	OBS_TP_UEXIT,       /* kvm_userspace_exit: reason, err (0 or -errno) */
	OBS_TP_PIO,         /* kvm_pio: rw (1 = out), port, size, count, val (first element) */
	OBS_TP_MMIO,        /* kvm_mmio: type (0 unsatisfied read, 1 read, 2 write), len, gpa, val */
	OBS_TP_LOST,        /* the ring overflowed: lost records were dropped by the kernel */
};

struct obs_tp_event {
	uint64_t time;      /* CLOCK_MONOTONIC, ns */
	pid_t tid;
	enum obs_tp_kind kind;
	int cpu;
	uint64_t seq;       /* the order it was read in (ties in time keep it) */
	union {
		struct { long nr; uint64_t args[3]; } enter;
		struct { long nr; long ret; } exit;
		struct { uint32_t reason; int err; } uexit;
		struct obs_tp_pio { uint32_t rw, port, size, count, val; } pio;
		struct obs_tp_mmio { uint32_t type, len; uint64_t gpa, val; } mmio;
		struct { uint64_t lost; } lost;
	};
};

struct obs_tp;

/*
 * Can tracepoints watch a program here, and if not, why (one sentence into why): tracefs
 * found (or mounted, as root) and the five events present.  0 or -errno.
 */
int obs_tp_probe(char *why, size_t len);

/* Record process pid (stopped, not yet exec'd) from now on; ring_pages (4 KiB) per CPU, a
 * power of two (0: the default, 8 MiB).  0 or -errno with the reason in why. */
int obs_tp_open(pid_t pid, unsigned ring_pages, struct obs_tp **out, char *why, size_t len);

/* Hand fn every record up to time cutoff (UINT64_MAX: all), oldest first; later ones wait.
 * 0 or -errno. */
int obs_tp_drain(struct obs_tp *tp, uint64_t cutoff,
		 void (*fn)(void *ctx, const struct obs_tp_event *e), void *ctx);

/* The instance still records what it was set up to (a program running as root could write
 * to tracefs): tracing on, the five events and event-fork enabled, the ioctl filter; if not,
 * false and what changed in why. */
bool obs_tp_intact(const struct obs_tp *tp, char *why, size_t len);

/* Records lost so far (ring overflows). */
uint64_t obs_tp_lost(const struct obs_tp *tp);

/* The bytes of each CPU's ring. */
size_t obs_tp_ring_bytes(const struct obs_tp *tp);

/* Stop recording and remove the instance. */
void obs_tp_free(struct obs_tp *tp);
