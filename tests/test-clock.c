/* test-clock.c - vmm/clock.h: monotonic, in nanoseconds, milliseconds and seconds that agree. */
#include <time.h>

#include "clock.h"
#include "testkit.h"

int main(void)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };  /* 20 ms */
	uint64_t prev = vmm_clock_ns(), ns0, ns1;
	double s0, s1, ms0, ms1;
	int backwards = 0;

	for (int i = 0; i < 100000; i++) {
		uint64_t now = vmm_clock_ns();

		backwards += now < prev;
		prev = now;
	}
	CHECK_EQ(backwards, 0);

	ns0 = vmm_clock_ns();
	s0 = vmm_clock_s();
	ms0 = vmm_clock_ms();
	nanosleep(&nap, NULL);
	ns1 = vmm_clock_ns();
	s1 = vmm_clock_s();
	ms1 = vmm_clock_ms();
	/* at least the 20 ms slept, and not absurdly more (units: ns vs us vs ms) */
	CHECK_MSG(ns1 - ns0 >= 20000000u && ns1 - ns0 < 5000000000u, "slept %llu ns",
		  (unsigned long long)(ns1 - ns0));
	CHECK_MSG(s1 - s0 >= 0.020 && s1 - s0 < 5.0, "slept %f s", s1 - s0);
	CHECK_MSG(ms1 - ms0 >= 20.0 && ms1 - ms0 < 5000.0, "slept %f ms", ms1 - ms0);
	/* the three read the same clock: within 10 ms of each other */
	CHECK_MSG(s0 * 1e9 - (double)ns0 < 1e7 && (double)ns0 - s0 * 1e9 < 1e7, "%f s vs %llu ns", s0,
		  (unsigned long long)ns0);
	CHECK_MSG(ms0 * 1e6 - (double)ns0 < 1e7 && (double)ns0 - ms0 * 1e6 < 1e7, "%f ms vs %llu ns",
		  ms0, (unsigned long long)ns0);
	return check_summary();
}
