/* error.h - detailed error messages for functions that return -errno. */
#pragma once

/* Record a printf-style message describing the failure and return err (a negative errno). */
int vmm_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The message recorded by the most recent vmm_fail() on this thread ("" if none). */
const char *vmm_last_error(void);

/* Forget the recorded message. */
void vmm_clear_error(void);
