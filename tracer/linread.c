/* linread.c - guest linear memory read page by page through a caller's walk and reader. */
#include <errno.h>

#include "linread.h"
#include "x86.h"

int linread_to_phys(const struct linread *r, uint64_t lin, uint64_t *gpa)
{
	struct vmm_walk w;

	if (!(r->s->cr0 & X86_CR0(PG))) {
		*gpa = lin & 0xffffffffull;
	} else {
		if (r->walk(r, lin, &w) < 0 || w.status != VMM_WALK_OK)
			return -EFAULT;
		*gpa = w.phys;
	}
	return *gpa < r->mem_size ? 0 : -EFAULT;
}

size_t linread_read(const struct linread *r, uint64_t lin, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t gpa, chunk = 4096 - ((lin + done) & 4095);

		if (chunk > len - done)
			chunk = len - done;
		if (linread_to_phys(r, lin + done, &gpa) < 0)
			break;
		if (gpa + chunk > r->mem_size)
			chunk = r->mem_size - gpa;  /* the last bytes of guest memory */
		if (r->read(r, gpa, (uint8_t *)buf + done, chunk) < 0)
			break;
		done += chunk;
		if (gpa + chunk == r->mem_size)
			break;
	}
	return done;
}
