/* pio.h - the port-I/O bus: devices claim port ranges, the run loop dispatches to them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct vmm_vcpu;
struct vmm_pio_dev;

/* Handle one access of size 1, 2 or 4 bytes at port; for an IN, fill data. 0 or -errno. */
typedef int (*vmm_pio_fn)(struct vmm_pio_dev *dev, struct vmm_vcpu *vcpu, uint16_t port,
			  bool in, void *data, unsigned size);

/* Handle a whole exit: count items of size bytes at data (string I/O has count > 1). */
typedef int (*vmm_pio_exit_fn)(struct vmm_pio_dev *dev, struct vmm_vcpu *vcpu, uint16_t port,
			       bool in, void *data, unsigned size, unsigned count);

struct vmm_pio_dev {
	const char *name;
	uint16_t base;
	uint16_t len;
	vmm_pio_fn io;
	vmm_pio_exit_fn exit;   /* when set, called once per exit instead of io once per item */
	void *ctx;
};

#define VMM_PIO_MAX_DEVS 32

struct vmm_pio_bus {
	struct vmm_pio_dev *dev[VMM_PIO_MAX_DEVS];
	int ndev;
};

/* Attach dev (kept by pointer); -EBUSY if its ports overlap another device, -ENOSPC if full. */
int vmm_pio_register(struct vmm_pio_bus *bus, struct vmm_pio_dev *dev);

/* The device owning port, or NULL. */
struct vmm_pio_dev *vmm_pio_find(const struct vmm_pio_bus *bus, uint16_t port);
