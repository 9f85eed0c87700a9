/* labapi.h - student hypercall handlers: load the shared object, plug its functions
 * into the hypercall device.  The functions students call (lab_read, ...) are in
 * labapi.c and declared for them in labs/include/kvmlab/lab.h. */
#pragma once

#include <stddef.h>

#include "hypercall.h"

struct lab_ctx;

/* dlopen so, look up lab_print8 ... lab_getTimestamp, replace hc's handlers with
 * trampolines to them (a crash in one stops the guest with the signal's name).
 * 0, or -errno with a message in err. */
int lab_ctx_load(struct lab_ctx **out, struct vmm_hc *hc, const char *so, char *err, size_t len);
void lab_ctx_free(struct lab_ctx *ctx);
