/* obs_kports.h - the I/O ports a VM's KVM answers in the kernel (an access to one never ends a
 * KVM_RUN), as the program set them up. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OBS_MAX_KPORTS 64

struct obs_kports {
	struct obs_kport {
		uint32_t lo, hi;          /* ports lo to hi */
		bool match;               /* only writes of datamatch (an ioeventfd's DATAMATCH) */
		uint64_t datamatch;
	} r[OBS_MAX_KPORTS];
	int n;
};

/* After a VM ioctl req that succeeded with argument arg (len bytes): KVM_IOEVENTFD on a port
 * (assigned or deassigned), KVM_CREATE_IRQCHIP (the PICs and ELCR), KVM_CREATE_PIT(2). */
void obs_kports_note(struct obs_kports *k, unsigned long req, const uint8_t *arg, size_t len);

/* Does KVM answer a write of val (size bytes) to port in the kernel? */
bool obs_kports_has(const struct obs_kports *k, uint32_t port, uint32_t size, uint64_t val);
