/* conlabel.c - labelling the output of kvmlab's built-in hypercall handlers. */
#include "conlabel.h"

#include <stdio.h>
#include <string.h>

static void stdout_sink(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
}

void conlabel_init(struct conlabel *l, vmm_console_sink next, void *ctx)
{
	*l = (struct conlabel){ .next = next ? next : stdout_sink, .next_ctx = ctx, .last = -1 };
}

int conlabel_source(const struct vmm_hc *hc)
{
	if (!hc || hc->serving < 0 || !vmm_hc_builtin(hc, (enum vmm_hc_id)hc->serving))
		return -1;
	return hc->serving;
}

void conlabel_feed(struct conlabel *l, int src, const char *buf, size_t len)
{
	char label[48];

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) + 1 : len;

		/* a line of a built-in handler's text, or its text after another source's */
		if (src >= 0 && (!l->midline || l->last != src)) {
			int k = snprintf(label, sizeof(label), "[kvmlab's %s] ",
					 vmm_hc_name((enum vmm_hc_id)src));

			l->next(l->next_ctx, label, (size_t)k);
		}
		l->next(l->next_ctx, buf, n);
		l->last = src;
		l->midline = buf[n - 1] != '\n';
		buf += n;
		len -= n;
	}
}

void conlabel_sink(void *ctx, const char *buf, size_t len)
{
	struct conlabel *l = ctx;

	if (l->hc && l->hc->serving >= 0 && l->hc->serving < VMM_HC__COUNT)
		l->printed[l->hc->serving] += len;
	if (l->raw)
		l->raw(l->raw_ctx, buf, len);
	conlabel_feed(l, conlabel_source(l->hc), buf, len);
}
