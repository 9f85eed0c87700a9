/* console.c - the debug console on port 0xE9. */
#include "console.h"

#include <stdio.h>

static void stdout_sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
}

static int console_io(struct vmm_pio_dev *dev, struct vmm_vcpu *vcpu, uint16_t port, bool in,
		      void *data, unsigned size)
{
	struct vmm_console *con = dev->ctx;

	(void)vcpu;
	(void)port;
	if (in) {
		/* Bochs convention: reading 0xE9 returns 0xE9, so guests can detect the port. */
		for (unsigned i = 0; i < size; i++)
			((unsigned char *)data)[i] = 0xE9;
		return 0;
	}
	con->sink(con->ctx, data, size);
	con->bytes += size;
	return 0;
}

int vmm_console_attach(struct vmm_console *con, struct vmm_pio_bus *bus, unsigned port,
		       vmm_console_sink sink, void *ctx)
{
	con->dev = (struct vmm_pio_dev){
		.name = "console",
		.base = (uint16_t)port,
		.len = 1,
		.io = console_io,
		.ctx = con,
	};
	con->sink = sink ? sink : stdout_sink;
	con->ctx = ctx;
	con->bytes = 0;
	return vmm_pio_register(bus, &con->dev);
}
