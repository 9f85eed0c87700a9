/* handlers.c - prints each exit as lab_hypercall sees it and answers INs (test-course.sh). */
#include <inttypes.h>
#include <stdint.h>

#include <kvmlab/lab.h>

int lab_hypercall(struct lab_ctx *ctx, struct lab_exit *e)
{
	static uint32_t answer = 0xdead0001;

	lab_print(ctx, "%s port=0x%x size=%u count=%" PRIu32 " hypercall=%s", e->in ? "IN" : "OUT",
		  e->port, e->size, e->count, e->hypercall ? e->hypercall : "(none)");
	if (e->in) {
		e->value = answer++;
		lab_print(ctx, " answered=0x%" PRIx32 "\n", e->value);
	} else if (e->count > 1) {
		lab_print(ctx, " data=%.*s\n", (int)(e->size * e->count), (const char *)e->data);
	} else {
		lab_print(ctx, " value=0x%" PRIx32 "\n", e->value);
	}
	return 0;
}
