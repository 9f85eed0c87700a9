/* portmap.h - the port each hypercall and file hypercall answers on: one map, filled from a
 * "name=port,..." text (--hypercalls) or a lab file, and handed to the devices as it is. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "filecalls.h"
#include "hypercall.h"

/* Calls are numbered hypercalls first (enum vmm_hc_id), then file hypercalls. */
#define VMM_PORTMAP_FC VMM_HC__COUNT                        /* call of enum vmm_fc_id 0 */
#define VMM_PORTMAP__COUNT (VMM_HC__COUNT + VMM_FC__COUNT)

/* A zero-initialised map has every call at its default port (0x500 + id, 0x510 + id). */
struct vmm_portmap {
	uint16_t port[VMM_PORTMAP__COUNT];   /* 0: the call's default port */
};

/* Name of a call: "print8", ..., "getTimestamp", "fileOpen", ..., "fileClose"; "?" if none. */
const char *vmm_portmap_name(int call);

/* The call named by the len bytes at name (any case), or -ENOENT. */
int vmm_portmap_find(const char *name, size_t len);

/* The port call answers on (m NULL: its default port); 0 if there is no such call. */
uint16_t vmm_portmap_port(const struct vmm_portmap *m, int call);

/* Move call to port: 0, -ENOENT if there is no such call, -ERANGE if port is not 1..0xffff or
 * is the console's 0xe9. */
int vmm_portmap_set(struct vmm_portmap *m, int call, uint64_t port);

/* Apply "print8=0x600,fileOpen=0x610" over m; 0, or -EINVAL with a message and m unchanged. */
int vmm_portmap_parse(struct vmm_portmap *m, const char *text);

/* Another call on the same port as call that may not share it (vmm_hc_can_share: only
 * hypercalls told apart by direction or access size may), the first such, or -1. */
int vmm_portmap_clash(const struct vmm_portmap *m, int call);
