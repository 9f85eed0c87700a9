/* array.h - the one way kvmlab grows an array: capacity doubles, a failed allocation leaves
 * the array as it was.
 *
 *	struct item *p = vmm_array_grow(a->items, &a->cap, sizeof(*p), a->n + 1, 64);
 *
 *	if (!p)
 *		return -ENOMEM;      // a->items and a->cap are unchanged and still valid
 *	a->items = p;
 *	a->items[a->n++] = item;
 *
 * Header only (inline: the history appends on every step).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Array a of *cap elements of size bytes, grown (doubling, from first_cap) to hold need: the
 * array, or NULL when it does not fit in memory (then a is still valid and *cap unchanged).
 * A NULL a is always allocated, even for need 0, so that NULL means only failure. */
static inline void *vmm_array_grow(void *a, size_t *cap, size_t size, size_t need, size_t first_cap)
{
	size_t ncap = *cap ? *cap : first_cap ? first_cap : 1;

	if (a && need <= *cap)
		return a;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (size == 0 || ncap > SIZE_MAX / size || !(a = realloc(a, ncap * size)))
		return NULL;
	*cap = ncap;
	return a;
}
