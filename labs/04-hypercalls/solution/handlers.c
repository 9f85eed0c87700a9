/* handlers.c - reference solution: the hypervisor side of each hypercall.
 *
 * gvaToHva is two exits, an OUT with the address and an IN that reads the answer, so it is
 * answered in lab_hypercall, which sees both; every other exit goes on to its lab_NAME. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kvmlab/lab.h>

static uint64_t last_hva;   /* the answer of the last gvaToHva OUT, 0 if invalid */

int lab_hypercall(struct lab_ctx *ctx, struct lab_exit *exit)
{
	uint64_t gpa;
	void *hva;

	if (!exit->hypercall || strcmp(exit->hypercall, "gvaToHva") != 0)
		return LAB_NEXT;
	if (exit->in) {
		exit->value = (uint32_t)last_hva;   /* truncated, as the course's print32 shows it */
		return 0;
	}
	if (lab_translate(ctx, exit->value, &gpa) < 0 || !(hva = lab_hva(ctx, gpa))) {
		lab_print(ctx, "Invalid GVA\n");
		last_hva = 0;
		return 0;
	}
	last_hva = (uint64_t)(uintptr_t)hva;
	return 0;
}

int lab_print8(struct lab_ctx *ctx, uint32_t value)
{
	lab_print(ctx, "%c", (char)value);
	return 0;
}

int lab_print32(struct lab_ctx *ctx, uint32_t value)
{
	lab_print(ctx, "%" PRIu32 "\n", value);
	return 0;
}

int lab_printStr(struct lab_ctx *ctx, uint32_t gva)
{
	char buf[4096];

	/* byte by byte: the string may end right before an unmapped page */
	for (size_t i = 0; i < sizeof(buf); i++) {
		if (lab_read(ctx, gva + i, &buf[i], 1) < 0) {
			lab_print(ctx, "printStr: bad pointer 0x%" PRIx32 "\n", gva);
			return 0;
		}
		if (buf[i] == '\0') {
			lab_print(ctx, "%s", buf);
			return 0;
		}
	}
	lab_print(ctx, "printStr: no NUL within %zu bytes\n", sizeof(buf));
	return 0;
}

uint32_t lab_numExits(struct lab_ctx *ctx)
{
	return (uint32_t)lab_exits_total(ctx);
}

int lab_numExitsByType(struct lab_ctx *ctx, uint32_t gva)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "IO in: %" PRIu64 "\nIO out: %" PRIu64 "\n",
			 lab_exits(ctx, "IO in"), lab_exits(ctx, "IO out"));

	return lab_write(ctx, gva, buf, (size_t)n + 1);
}

uint32_t lab_getTimestamp(struct lab_ctx *ctx)
{
	(void)ctx;
	return (uint32_t)time(NULL);
}
