/* clock.c - the monotonic clock (see clock.h). */
#include "clock.h"

#include <time.h>

uint64_t vmm_clock_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);  /* cannot fail for CLOCK_MONOTONIC and a valid pointer */
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

double vmm_clock_ms(void)
{
	return (double)vmm_clock_ns() / 1e6;
}

double vmm_clock_s(void)
{
	return (double)vmm_clock_ns() / 1e9;
}
