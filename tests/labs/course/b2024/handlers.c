/* handlers.c - lab 04 in the shape of a published 2024 solution: the VMM switches on the
 * port, then on the direction where two hypercalls share one. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <kvmlab/lab.h>

static uint32_t hva;

static int exits_by_type(struct lab_ctx *ctx, uint32_t buf)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "IO in: %" PRIu64 "\nIO out: %" PRIu64 "\n",
			 lab_exits(ctx, "IO in"), lab_exits(ctx, "IO out"));

	return lab_write(ctx, buf, text, (size_t)n + 1);
}

static void translate(struct lab_ctx *ctx, uint32_t gva)
{
	uint64_t gpa;
	void *host = NULL;

	if (lab_translate(ctx, gva, &gpa) == 0)
		host = lab_hva(ctx, gpa);
	if (!host)
		lab_print(ctx, "Invalid GVA\n");
	hva = (uint32_t)(uintptr_t)host;
}

int lab_hypercall(struct lab_ctx *ctx, struct lab_exit *exit)
{
	char c;

	switch (exit->port) {
	case 0xEB:   /* OUT: print32; IN: numExits */
		if (exit->in)
			exit->value = (uint32_t)lab_exits_total(ctx);
		else
			lab_print(ctx, "%" PRIu32 "\n", exit->value);
		return 0;
	case 0xEC:
		for (uint32_t p = exit->value; lab_read(ctx, p, &c, 1) == 0 && c; p++)
			lab_print(ctx, "%c", c);
		return 0;
	case 0xED:
		return exits_by_type(ctx, exit->value);
	case 0xEE:
		exit->value = (uint32_t)lab_kvm_clock(ctx);
		return 0;
	case 0xEF:   /* OUT: the address; IN: the answer */
		if (exit->in)
			exit->value = hva;
		else
			translate(ctx, exit->value);
		return 0;
	}
	return -1;
}
