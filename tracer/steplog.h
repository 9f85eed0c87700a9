/* steplog.h - searching the arrays a recording appends to in step order (grown with
 * vmm/array.h): the history's write log, the TUI's event logs and its list of memory writes.
 *
 * Header only, so that the TUI's pure model library (tracer/tui/events.c, which links
 * nothing of the tracer) can use it as "../steplog.h".
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
