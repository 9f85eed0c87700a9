/* handlers.c - the hypervisor side of each hypercall (04-hypercalls).
 *
 * kvmlab calls lab_hypercall for every exit on the lab's hypercall ports, with
 * the whole exit (port, direction, size, count, data; <kvmlab/lab.h>); what it
 * returns LAB_NEXT for goes on to the lab_NAME of that hypercall.  Use only the
 * helpers in <kvmlab/lab.h> to touch guest memory: lab_read, lab_write,
 * lab_translate, lab_hva.  Print with lab_print.  lab_print8 is done for you.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kvmlab/lab.h>

int lab_hypercall(struct lab_ctx *ctx, struct lab_exit *exit)
{
	/* TODO: gvaToHva is an OUT with the address, then an IN that reads the answer:
	 * translate on the OUT (lab_translate, then lab_hva; "Invalid GVA\n" if either
	 * fails), set exit->value on the IN (the host address, truncated to 32 bits) */
	(void)ctx;
	(void)exit;
	return LAB_NEXT;
}

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
	/* TODO (2024 edition): write "IO in: X\nIO out: Y\n" (NUL-terminated) at gva */
	(void)ctx;
	(void)gva;
	return 0;
}

uint32_t lab_getTimestamp(struct lab_ctx *ctx)
{
	/* TODO: the host's time, seconds since 1970 */
	(void)ctx;
	return 0;
}
