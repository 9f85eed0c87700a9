/* console.h - the debug console on port 0xE9: guest bytes to a host sink. */
#pragma once

#include <stddef.h>

#include "pio.h"

#define VMM_CONSOLE_PORT 0xE9

typedef void (*vmm_console_sink)(void *ctx, const char *buf, size_t len);

struct vmm_console {
	struct vmm_pio_dev dev;
	vmm_console_sink sink;
	void *ctx;
	unsigned long long bytes;  /* bytes written by the guest so far */
};

/* Attach a console at port to bus, sending output to sink (NULL: stdout). */
int vmm_console_attach(struct vmm_console *con, struct vmm_pio_bus *bus, unsigned port,
		       vmm_console_sink sink, void *ctx);
