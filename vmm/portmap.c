/* portmap.c - one port map for hypercalls and file hypercalls (see portmap.h). */
#include "portmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "console.h"
#include "error.h"

const char *vmm_portmap_name(int call)
{
	if (call >= 0 && call < VMM_PORTMAP_FC)
		return vmm_hc_name((enum vmm_hc_id)call);
	if (call >= VMM_PORTMAP_FC && call < VMM_PORTMAP__COUNT)
		return vmm_fc_name((enum vmm_fc_id)(call - VMM_PORTMAP_FC));
	return "?";
}

int vmm_portmap_find(const char *name, size_t len)
{
	for (int i = 0; i < VMM_PORTMAP__COUNT; i++) {
		const char *n = vmm_portmap_name(i);

		if (strlen(n) == len && strncasecmp(name, n, len) == 0)
			return i;
	}
	return -ENOENT;
}

uint16_t vmm_portmap_port(const struct vmm_portmap *m, int call)
{
	if (call < 0 || call >= VMM_PORTMAP__COUNT)
		return 0;
	if (m && m->port[call])
		return m->port[call];
	return (uint16_t)(call < VMM_PORTMAP_FC ? 0x500 + call : 0x510 + (call - VMM_PORTMAP_FC));
}

int vmm_portmap_set(struct vmm_portmap *m, int call, uint64_t port)
{
	if (call < 0 || call >= VMM_PORTMAP__COUNT)
		return -ENOENT;
	if (port == 0 || port > 0xffff || port == VMM_CONSOLE_PORT)
		return -ERANGE;
	m->port[call] = (uint16_t)port;
	return 0;
}

/* One NAME=PORT item of len bytes. */
static int parse_item(struct vmm_portmap *m, const char *item, size_t len)
{
	const char *eq = memchr(item, '=', len);
	char num[24], *end;
	unsigned long long port;
	int call;

	if (!eq)
		return vmm_fail(-EINVAL, "hypercall map: '%.*s' is not NAME=PORT", (int)len, item);
	call = vmm_portmap_find(item, (size_t)(eq - item));
	if (call < 0) {
		char known[256];
		size_t n = 0;

		for (int i = 0; i < VMM_PORTMAP__COUNT && n < sizeof(known); i++)
			n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "",
					      vmm_portmap_name(i));
		return vmm_fail(-EINVAL, "hypercall map: unknown hypercall '%.*s' (known: %s)",
				(int)(eq - item), item, known);
	}
	len -= (size_t)(eq + 1 - item);
	snprintf(num, sizeof(num), "%.*s", (int)len, eq + 1);
	errno = 0;
	port = strtoull(num, &end, 0);
	if (len == 0 || len >= sizeof(num) || *end || errno || num[0] == '-' ||
	    vmm_portmap_set(m, call, port) < 0)
		return vmm_fail(-EINVAL, "hypercall map: port '%.*s' for %s is not a port number from 1 "
				"to 0xffff other than the console's 0xe9", (int)len, eq + 1,
				vmm_portmap_name(call));
	return 0;
}

int vmm_portmap_parse(struct vmm_portmap *m, const char *text)
{
	struct vmm_portmap next = *m;

	while (*text) {
		size_t len = strcspn(text, ",");
		int ret = parse_item(&next, text, len);

		if (ret < 0)
			return ret;
		text += len;
		if (*text == ',')
			text++;
	}
	*m = next;
	return 0;
}

int vmm_portmap_clash(const struct vmm_portmap *m, int call)
{
	uint16_t port = vmm_portmap_port(m, call);

	for (int i = 0; i < VMM_PORTMAP__COUNT; i++)
		if (i != call && vmm_portmap_port(m, i) == port &&
		    (i >= VMM_HC__COUNT || call >= VMM_HC__COUNT || !vmm_hc_can_share(i, call)))
			return i;
	return -1;
}
