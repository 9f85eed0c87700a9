/* clock.h - the one clock kvmlab times things with: monotonic, never set back. */
#pragma once

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC (from an arbitrary start). */
uint64_t vmm_clock_ns(void);

/* The same clock in milliseconds. */
double vmm_clock_ms(void);

/* The same clock in seconds, for durations (t1 - t0) and deadlines. */
double vmm_clock_s(void);
