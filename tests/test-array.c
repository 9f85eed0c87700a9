/* test-array.c - vmm/array.h: growth by doubling, and a failed growth that loses nothing. */
#include <stdint.h>
#include <stdlib.h>

#include "array.h"
#include "testkit.h"

int main(void)
{
	size_t cap = 0, n = 0;
	int *a = NULL, *p;
	int lost = 0;

	/* NULL is always allocated, even for nothing, so that NULL only ever means failure */
	a = vmm_array_grow(NULL, &cap, sizeof(*a), 0, 4);
	CHECK(a != NULL);
	CHECK_EQ(cap, 4);
	/* appending 1000 elements: capacity doubles from 4, contents survive every move */
	for (int i = 0; i < 1000; i++) {
		p = vmm_array_grow(a, &cap, sizeof(*a), n + 1, 4);
		if (!p)
			break;
		a = p;
		a[n++] = i;
	}
	CHECK_EQ(n, 1000);
	CHECK_EQ(cap, 1024);
	for (size_t i = 0; i < n; i++)
		lost += a[i] != (int)i;
	CHECK_EQ(lost, 0);
	/* enough room already: the same array, capacity unchanged */
	CHECK(vmm_array_grow(a, &cap, sizeof(*a), 1024, 4) == a);
	CHECK_EQ(cap, 1024);
	/* a jump past several doublings lands on the next power of two times the start */
	p = vmm_array_grow(a, &cap, sizeof(*a), 5000, 4);
	CHECK(p != NULL);
	a = p ? p : a;
	CHECK_EQ(cap, 8192);
	/* sizes that overflow size_t fail, leaving the array and its capacity as they were */
	CHECK(vmm_array_grow(a, &cap, sizeof(*a), SIZE_MAX / 2, 4) == NULL);
	CHECK(vmm_array_grow(a, &cap, sizeof(*a), SIZE_MAX, 4) == NULL);
	CHECK_EQ(cap, 8192);
	CHECK_EQ(a[999], 999);
	free(a);
	/* a zero first capacity still grows */
	cap = 0;
	a = vmm_array_grow(NULL, &cap, sizeof(*a), 3, 0);
	CHECK(a != NULL);
	CHECK_EQ(cap, 4);
	free(a);
	return check_summary();
}
