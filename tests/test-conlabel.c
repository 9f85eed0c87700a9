/* test-conlabel.c - tracer/conlabel.h: what kvmlab's own hypercall handlers print is labelled
 * at the start of each of its lines and where it follows other text; the console's and a
 * lab's own handlers' text is not; the raw text and the bytes per hypercall are kept. */
#include <stdlib.h>

#include "conlabel.h"
#include "testkit.h"

struct text {
	char buf[512];
	size_t n;
};

static void add(void *ctx, const char *buf, size_t len)
{
	struct text *t = ctx;

	if (t->n + len < sizeof(t->buf)) {
		memcpy(t->buf + t->n, buf, len);
		t->n += len;
		t->buf[t->n] = '\0';
	}
}

/* A lab's handler in place of the built-in one (any function but the built-in). */
static int own_handler(struct vmm_hc *hc, bool in, unsigned size, uint32_t *v)
{
	(void)hc, (void)in, (void)size, (void)v;
	return 0;
}

/* Print text as if hypercall id (-1: the console) were answering. */
static void print(struct vmm_hc *hc, int id, const char *text)
{
	hc->serving = id;
	hc->sink(hc->ctx, text, strlen(text));
	hc->serving = -1;
}

int main(void)
{
	struct text shown = { .n = 0 }, raw = { .n = 0 };
	struct conlabel l;
	struct vmm_hc hc;

	conlabel_init(&l, add, &shown);
	l.raw = add;
	l.raw_ctx = &raw;
	vmm_hc_init(&hc, NULL, conlabel_sink, &l);
	l.hc = &hc;
	CHECK_EQ(conlabel_source(&hc), -1);

	print(&hc, -1, "Hello, ");                       /* the console */
	print(&hc, VMM_HC_PRINT8, "w");                  /* print8 after it, mid-line */
	print(&hc, VMM_HC_PRINT8, "o");                  /* the same call again: no new label */
	print(&hc, VMM_HC_PRINT8, "\n");
	print(&hc, VMM_HC_PRINT32, "2048\n4294967295\n");   /* each line of it labelled */
	print(&hc, -1, "console\n");
	CHECK_STR(shown.buf, "Hello, [kvmlab's print8] wo\n"
		  "[kvmlab's print32] 2048\n[kvmlab's print32] 4294967295\nconsole\n");
	CHECK_STR(raw.buf, "Hello, wo\n2048\n4294967295\nconsole\n");
	CHECK_EQ(l.printed[VMM_HC_PRINT8], 3);
	CHECK_EQ(l.printed[VMM_HC_PRINT32], 16);
	CHECK_EQ(l.printed[VMM_HC_PRINTSTR], 0);

	/* a lab's own printStr: its text is the student's, not labelled, and still counted */
	hc.fn[VMM_HC_PRINTSTR] = own_handler;
	CHECK(!vmm_hc_builtin(&hc, VMM_HC_PRINTSTR));
	CHECK(vmm_hc_builtin(&hc, VMM_HC_PRINT32));
	shown.n = 0;
	print(&hc, VMM_HC_PRINTSTR, "CS 695 Assignment 3\n");
	CHECK_STR(shown.buf, "CS 695 Assignment 3\n");
	CHECK_EQ(l.printed[VMM_HC_PRINTSTR], 20);

	/* nothing is labelled before the session is known */
	conlabel_init(&l, add, &shown);
	shown.n = 0;
	conlabel_sink(&l, "x\n", 2);
	CHECK_STR(shown.buf, "x\n");
	return check_summary();
}
