/* handlers.c - the hypervisor side of each hypercall (04-hypercalls).
 *
 * kvmlab calls lab_NAME when the guest uses NAME's port.  Use only the
 * helpers in <kvmlab/lab.h> to touch guest memory: lab_read, lab_write,
 * lab_translate, lab_hva.  Print with lab_print.  lab_print8 is done for you.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <kvmlab/lab.h>

int lab_print8(struct lab_ctx *ctx, uint32_t value)
{
	lab_print(ctx, "%c", (char)value);
	return 0;
}

int lab_print32(struct lab_ctx *ctx, uint32_t value)
{
	/* TODO: print value in decimal, then a newline */
	(void)ctx;
	(void)value;
	return 0;
}

int lab_printStr(struct lab_ctx *ctx, uint32_t gva)
{
	/* TODO: print the NUL-terminated string at guest address gva; never read
	 * past guest memory (lab_read fails on unmapped bytes) */
	(void)ctx;
	(void)gva;
	return 0;
}

uint32_t lab_numExits(struct lab_ctx *ctx)
{
	/* TODO: the number of exits so far */
	(void)ctx;
	return 0;
}

int lab_numExitsByType(struct lab_ctx *ctx, uint32_t gva)
{
	/* TODO: write "IO in: X\nIO out: Y\n" (NUL-terminated) at gva */
	(void)ctx;
	(void)gva;
	return 0;
}

int lab_gvaToHva(struct lab_ctx *ctx, uint32_t gva)
{
	/* TODO: translate gva, print the host address ("%p\n"), or "Invalid GVA\n" */
	(void)ctx;
	(void)gva;
	return 0;
}

uint32_t lab_getTimestamp(struct lab_ctx *ctx)
{
	/* TODO: seconds since 1970 */
	(void)ctx;
	return 0;
}
