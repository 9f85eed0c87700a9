/* pio.c - the port-I/O bus. */
#include "pio.h"

#include <errno.h>
#include <stddef.h>

#include "error.h"

int vmm_pio_register(struct vmm_pio_bus *bus, struct vmm_pio_dev *dev)
{
	unsigned end = (unsigned)dev->base + dev->len;

	if (dev->len == 0 || end > 0x10000)
		return vmm_fail(-EINVAL, "device %s: ports 0x%x+%u do not fit the 16-bit port space",
				dev->name, dev->base, dev->len);
	for (int i = 0; i < bus->ndev; i++) {
		const struct vmm_pio_dev *o = bus->dev[i];

		if (dev->base < o->base + o->len && o->base < end)
			return vmm_fail(-EBUSY, "device %s: port 0x%x is already used by %s",
					dev->name, dev->base < o->base ? o->base : dev->base, o->name);
	}
	if (bus->ndev == VMM_PIO_MAX_DEVS)
		return vmm_fail(-ENOSPC, "device %s: no room for more than %d devices",
				dev->name, VMM_PIO_MAX_DEVS);
	bus->dev[bus->ndev++] = dev;
	return 0;
}

struct vmm_pio_dev *vmm_pio_find(const struct vmm_pio_bus *bus, uint16_t port)
{
	for (int i = 0; i < bus->ndev; i++)
		if (port >= bus->dev[i]->base && port - bus->dev[i]->base < bus->dev[i]->len)
			return bus->dev[i];
	return NULL;
}
