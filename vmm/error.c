/* error.c - per-thread detail for the last library failure. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last[512];

int vmm_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last, sizeof(last), fmt, ap);
	va_end(ap);
	return err;
}

const char *vmm_last_error(void)
{
	return last;
}

void vmm_clear_error(void)
{
	last[0] = '\0';
}
