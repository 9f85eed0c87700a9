/* run.c - the run loop and its wall-clock safety net. */
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "vcpu.h"

static const char *const stop_names[] = {
	[VMM_STOP_HLT] = "halted",
	[VMM_STOP_SHUTDOWN] = "triple fault (shutdown)",
	[VMM_STOP_FAIL_ENTRY] = "entry failed",
	[VMM_STOP_INTERNAL_ERROR] = "KVM internal error",
	[VMM_STOP_EXIT_LIMIT] = "exit limit reached",
	[VMM_STOP_STEP_LIMIT] = "instruction limit reached",
	[VMM_STOP_TIMEOUT] = "timed out",
	[VMM_STOP_DEVICE] = "device error",
	[VMM_STOP_DEBUG] = "debug exit",
	[VMM_STOP_OTHER] = "unhandled exit",
};

const char *vmm_stop_name(enum vmm_stop s)
{
	return (unsigned)s <= VMM_STOP_OTHER ? stop_names[s] : "?";
}

int vmm_exit_stops(enum vmm_exit kind, enum vmm_stop *stop)
{
	switch (kind) {
	case VMM_EXIT_IO_IN:
	case VMM_EXIT_IO_OUT:
	case VMM_EXIT_MMIO_READ:
	case VMM_EXIT_MMIO_WRITE:
	case VMM_EXIT_INTR:
		return 1;
	case VMM_EXIT_HLT:
		*stop = VMM_STOP_HLT;
		return 0;
	case VMM_EXIT_DEBUG:
		*stop = VMM_STOP_DEBUG;
		return 0;
	case VMM_EXIT_SHUTDOWN:
		*stop = VMM_STOP_SHUTDOWN;
		return 0;
	case VMM_EXIT_FAIL_ENTRY:
		*stop = VMM_STOP_FAIL_ENTRY;
		return 0;
	case VMM_EXIT_INTERNAL_ERROR:
		*stop = VMM_STOP_INTERNAL_ERROR;
		return 0;
	default:
		*stop = VMM_STOP_OTHER;
		return 0;
	}
}

/* The signal handler can only reach globals: the kvm_run of the vCPU being timed. */
static struct kvm_run *volatile timed_run;
static volatile sig_atomic_t expired;
static timer_t timer;
static int timer_made;

static void on_timer(int sig)
{
	(void)sig;
	expired = 1;
	if (timed_run)
		timed_run->immediate_exit = 1;  /* the next (or current) KVM_RUN returns EINTR */
}

int vmm_timer_arm(struct vmm_vcpu *vcpu, unsigned timeout_ms)
{
	struct itimerspec its = { 0 };

	if (!timer_made) {
		struct sigaction sa = { .sa_handler = on_timer };
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGALRM, &sa, NULL) < 0 || timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0)
			return vmm_fail(-errno, "cannot create the timeout timer: %s", strerror(errno));
		timer_made = 1;
	}
	expired = 0;
	timed_run = timeout_ms ? vcpu->run : NULL;
	its.it_value.tv_sec = timeout_ms / 1000;
	its.it_value.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	if (timer_settime(timer, 0, &its, NULL) < 0)
		return vmm_fail(-errno, "cannot arm the timeout timer: %s", strerror(errno));
	return 0;
}

int vmm_timer_expired(void)
{
	return expired;
}

int vmm_run(struct vmm_vcpu *vcpu, const struct vmm_limits *limits, enum vmm_stop *stop)
{
	uint64_t start = vcpu->stats.total;
	int ret = limits->timeout_ms ? vmm_timer_arm(vcpu, limits->timeout_ms) : 0;

	while (ret == 0) {
		enum vmm_exit kind;

		ret = vmm_vcpu_enter(vcpu, &kind);
		if (ret < 0) {
			*stop = VMM_STOP_DEVICE;
			ret = kind == VMM_EXIT_IO_IN || kind == VMM_EXIT_IO_OUT ? 0 : ret;
			break;
		}
		if (vmm_exit_stops(kind, stop) == 0)
			break;
		if (kind == VMM_EXIT_INTR && vmm_timer_expired()) {
			*stop = VMM_STOP_TIMEOUT;
			break;
		}
		if (limits->max_exits && vcpu->stats.total - start >= limits->max_exits) {
			*stop = VMM_STOP_EXIT_LIMIT;
			break;
		}
	}
	if (limits->timeout_ms)
		vmm_timer_arm(vcpu, 0);
	return ret;
}
