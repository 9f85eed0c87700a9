/* handlers.c - lab 04 in the shape of a published 2023 solution: the student's VMM loop,
 * one switch on the exit's port, each case reading or answering the exit itself. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <kvmlab/lab.h>

static uint64_t hva;   /* the answer to the last gvaToHva */

static void print_string(struct lab_ctx *ctx, uint32_t gva)
{
	char c;

	while (lab_read(ctx, gva++, &c, 1) == 0 && c)
		lab_print(ctx, "%c", c);
}

static uint32_t timestamp(void)
{
	return (uint32_t)__builtin_ia32_rdtsc();
}

int lab_hypercall(struct lab_ctx *ctx, struct lab_exit *exit)
{
	uint64_t gpa;

	switch (exit->port) {
	case 0xE8:
		lab_print(ctx, "%" PRIu32 "\n", exit->value);
		break;
	case 0xE7:
		print_string(ctx, exit->value);
		break;
	case 0xEA:
		exit->value = (uint32_t)lab_exits_total(ctx);
		break;
	case 0xEB:
		if (exit->in) {
			exit->value = (uint32_t)hva;
			break;
		}
		hva = 0;
		if (lab_translate(ctx, exit->value, &gpa) == 0)
			hva = (uint64_t)(uintptr_t)lab_hva(ctx, gpa);
		if (!hva)
			lab_print(ctx, "Invalid GVA\n");
		break;
	case 0xEC:
		exit->value = timestamp();
		break;
	default:
		lab_print(ctx, "unexpected %s on port 0x%x\n", exit->in ? "IN" : "OUT", exit->port);
		return -1;
	}
	return 0;
}
