/* obs_kports.c - the ports KVM answers in the kernel (see obs_kports.h). */
#include "obs_kports.h"

#include <linux/kvm.h>
#include <string.h>

static void add(struct obs_kports *k, uint32_t lo, uint32_t hi, bool match, uint64_t datamatch)
{
	if (k->n < OBS_MAX_KPORTS)
		k->r[k->n++] = (struct obs_kport){ lo, hi, match, datamatch };
}

static void drop(struct obs_kports *k, uint32_t lo, uint32_t hi, bool match, uint64_t datamatch)
{
	for (int i = 0; i < k->n; i++)
		if (k->r[i].lo == lo && k->r[i].hi == hi && k->r[i].match == match &&
		    (!match || k->r[i].datamatch == datamatch)) {
			k->r[i] = k->r[--k->n];
			return;
		}
}

void obs_kports_note(struct obs_kports *k, unsigned long req, const uint8_t *arg, size_t len)
{
	struct kvm_ioeventfd io;

	switch (req) {
	case KVM_CREATE_IRQCHIP:   /* the two 8259s and their edge/level registers */
		add(k, 0x20, 0x21, false, 0);
		add(k, 0xa0, 0xa1, false, 0);
		add(k, 0x4d0, 0x4d1, false, 0);
		break;
	case KVM_CREATE_PIT: case KVM_CREATE_PIT2:   /* the 8254 and the speaker port */
		add(k, 0x40, 0x43, false, 0);
		add(k, 0x61, 0x61, false, 0);
		break;
	case KVM_IOEVENTFD: {
		uint32_t lo, hi;
		bool match;

		if (!arg || len < sizeof(io))
			return;
		memcpy(&io, arg, sizeof(io));
		if (!(io.flags & KVM_IOEVENTFD_FLAG_PIO) || io.addr > 0xffff)
			return;
		lo = (uint32_t)io.addr;
		hi = lo + (io.len ? io.len : 1) - 1;
		match = io.flags & KVM_IOEVENTFD_FLAG_DATAMATCH;
		if (io.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
			drop(k, lo, hi, match, io.datamatch);
		else
			add(k, lo, hi, match, io.datamatch);
		break;
	}
	default:
		break;
	}
}

bool obs_kports_has(const struct obs_kports *k, uint32_t port, uint32_t size, uint64_t val)
{
	uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;

	for (int i = 0; i < k->n; i++)
		if (port >= k->r[i].lo && port <= k->r[i].hi &&
		    (!k->r[i].match || (k->r[i].datamatch & mask) == (val & mask)))
			return true;
	return false;
}
