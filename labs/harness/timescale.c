/* timescale.c - preloaded into a student's hypervisor while it is graded (program labs,
 * lab.yaml `time_scale: N`): the timers it arms run N times faster, so a Matrix whose
 * quantum is 1 s switches every 1/N s and one grading takes seconds, with the student's
 * code unedited.  Shares measured in the guest (70/30) are unchanged by the scaling.
 *
 * Scaled: timer_settime (relative and TIMER_ABSTIME), setitimer, alarm (turned into
 * setitimer), timerfd_settime.  N comes from KVMLAB_TIME_SCALE (1 to 1000; anything else
 * leaves time alone).  A statically linked program is not scaled.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL

static long scale(void)
{
	static long s;
	const char *e;
	char *end;
	long v;

	if (s)
		return s;
	e = getenv("KVMLAB_TIME_SCALE");
	v = e ? strtol(e, &end, 10) : 1;
	s = e && *end == '\0' && v >= 1 && v <= 1000 ? v : 1;
	return s;
}

static struct timespec ts_div(struct timespec t)
{
	long long ns = ((long long)t.tv_sec * NS + t.tv_nsec) / scale();

	/* a timer of 0 is "disarmed": keep a non-zero one non-zero */
	if (ns == 0 && (t.tv_sec || t.tv_nsec))
		ns = 1;
	return (struct timespec){ .tv_sec = (time_t)(ns / NS), .tv_nsec = (long)(ns % NS) };
}

static struct timeval tv_div(struct timeval t)
{
	long long us = ((long long)t.tv_sec * 1000000 + t.tv_usec) / scale();

	if (us == 0 && (t.tv_sec || t.tv_usec))
		us = 1;
	return (struct timeval){ .tv_sec = (time_t)(us / 1000000), .tv_usec = (long)(us % 1000000) };
}

/* An absolute expiry on clock: now + (expiry - now) / scale. */
static struct timespec abs_div(clockid_t clock, struct timespec t)
{
	struct timespec now;
	long long left;

	if (clock_gettime(clock, &now) < 0)
		return t;
	left = ((long long)t.tv_sec - now.tv_sec) * NS + (t.tv_nsec - now.tv_nsec);
	if (left <= 0)
		return t;
	left /= scale();
	left += (long long)now.tv_sec * NS + now.tv_nsec;
	return (struct timespec){ .tv_sec = (time_t)(left / NS), .tv_nsec = (long)(left % NS) };
}

typedef int (*timer_settime_fn)(timer_t, int, const struct itimerspec *, struct itimerspec *);
typedef int (*timer_create_fn)(clockid_t, struct sigevent *, timer_t *);

/* The clock of each timer the program created, for TIMER_ABSTIME expiries. */
#define MAX_TIMERS 64
static struct { timer_t id; clockid_t clock; } timers[MAX_TIMERS];
static unsigned ntimers;

/* glibc has two versions of the timer calls; programs built today link GLIBC_2.3.3's
 * (timer_t a pointer-sized id), which dlsym's default might not pick. */
static void *real_fn(const char *name)
{
	void *f = dlvsym(RTLD_NEXT, name, "GLIBC_2.3.3");

	return f ? f : dlsym(RTLD_NEXT, name);
}

int timer_create(clockid_t clock, struct sigevent *sev, timer_t *timer)
{
	static timer_create_fn real;
	int ret;

	if (!real)
		real = (timer_create_fn)real_fn("timer_create");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	ret = real(clock, sev, timer);
	if (ret == 0 && ntimers < MAX_TIMERS) {
		timers[ntimers].id = *timer;
		timers[ntimers++].clock = clock;
	}
	return ret;
}

static clockid_t clock_of(timer_t timer)
{
	for (unsigned i = 0; i < ntimers; i++)
		if (timers[i].id == timer)
			return timers[i].clock;
	return CLOCK_MONOTONIC;
}

int timer_settime(timer_t timer, int flags, const struct itimerspec *its, struct itimerspec *old)
{
	static timer_settime_fn real;
	struct itimerspec s;

	if (!real)
		real = (timer_settime_fn)real_fn("timer_settime");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if (!its)
		return real(timer, flags, its, old);
	s = *its;
	s.it_interval = ts_div(its->it_interval);
	if (flags & TIMER_ABSTIME) {
		s.it_value = abs_div(clock_of(timer), its->it_value);
	} else {
		s.it_value = ts_div(its->it_value);
	}
	return real(timer, flags, &s, old);
}

int setitimer(__itimer_which_t which, const struct itimerval *nv, struct itimerval *ov)
{
	struct itimerval s;

	if (!nv)
		return (int)syscall(SYS_setitimer, which, nv, ov);
	s.it_interval = tv_div(nv->it_interval);
	s.it_value = tv_div(nv->it_value);
	return (int)syscall(SYS_setitimer, which, &s, ov);
}

unsigned int alarm(unsigned int seconds)
{
	struct itimerval nv = { .it_value = { .tv_sec = seconds } }, ov;

	if (setitimer(ITIMER_REAL, &nv, &ov) < 0)
		return 0;
	return (unsigned)(ov.it_value.tv_sec + (ov.it_value.tv_usec ? 1 : 0));
}

int timerfd_settime(int fd, int flags, const struct itimerspec *its, struct itimerspec *old)
{
	struct itimerspec s;

	if (!its)
		return (int)syscall(SYS_timerfd_settime, fd, flags, its, old);
	s = *its;
	s.it_interval = ts_div(its->it_interval);
	/* an absolute timerfd expiry is left alone: its clock is not known here */
	s.it_value = (flags & TFD_TIMER_ABSTIME) ? its->it_value : ts_div(its->it_value);
	return (int)syscall(SYS_timerfd_settime, fd, flags, &s, old);
}
