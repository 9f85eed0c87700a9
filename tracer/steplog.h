/* steplog.h - growing and searching the arrays a recording appends to in step order: the
 * history's write log, the TUI's event logs and its list of memory writes.
 *
 * Header only, so that the TUI's pure model library (tracer/tui/events.c, which links
 * nothing of the tracer) can use it as "../steplog.h".
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Array a of *cap elements of size, grown (doubling, from first_cap) to hold need: the array,
 * or NULL when it does not fit in memory (then a is still valid and *cap unchanged).  A NULL
 * a is always allocated, even for need 0, so that NULL means only failure. */
static inline void *steplog_grow(void *a, size_t *cap, size_t size, size_t need, size_t first_cap)
{
	size_t ncap = *cap ? *cap : first_cap;

	if (a && need <= *cap)
		return a;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / size || !(a = realloc(a, ncap * size)))
		return NULL;
	*cap = ncap;
	return a;
}

/* The first of the count elements at base (each size bytes, a uint64_t at step_off, sorted
 * by it) whose step is after n: count if none is. */
static inline size_t steplog_after(const void *base, size_t count, size_t size, size_t step_off,
				   uint64_t n)
{
	const unsigned char *p = base;
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t step;

		memcpy(&step, p + mid * size + step_off, sizeof(step));
		if (step <= n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* steplog_after for an array of type, whose member `step` is a uint64_t. */
#define STEPLOG_AFTER(type, base, count, n) \
	steplog_after((base), (count), sizeof(type), offsetof(type, step), (n))
