/* check_writes.c - writes_within: every byte of guest memory the run changed lies inside the
 * given ranges of guest physical memory.  Changed bytes are found through KVM's dirty-page log
 * and a comparison with the image as loaded (memchange.h), so the CPU's own writes count too:
 * an accessed bit set in a GDT descriptor or a page-table entry is a change like any store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"
#include "memchange.h"
#include "memwhere.h"

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	(void)lab;
	return lab_mem_ranges_prepare(c->writes_within, c->writes_within_count, d,
				      "writes_within");
}

static bool inside(uint64_t a, const uint64_t *lo, const uint64_t *hi, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a >= lo[i] && a < hi[i])
			return true;
	return false;
}

/* Up to 8 bytes from a, as "xx xx ..." of buf (image or final memory). */
static void hex8(const uint8_t *m, uint64_t a, uint64_t size, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (uint64_t i = a; i < a + 8 && i < size && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%02x", i > a ? " " : "", m[i]);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	unsigned n = c->writes_within_count;
	uint64_t *lo = calloc(n, sizeof(*lo)), *hi = calloc(n, sizeof(*hi));
	uint64_t a = 0, first = 0, outside = 0, total = 0;
	struct labbuf want = { 0 };
	char err[256], where[512], before[32], after[32];
	int ret;

	if (!lo || !hi) {
		free(lo);
		free(hi);
		return -ENOMEM;
	}
	if (!run->image || !run->dirty) {
		ret = lab_result_set(r, false, NULL, NULL,
				     strdup("not checked: the run recorded no memory changes"));
		goto out;
	}
	if (lab_mem_ranges_resolve(c->writes_within, n, run, lo, hi, err, sizeof(err)) < 0) {
		ret = lab_result_set(r, false, NULL, NULL, strdup(err));
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		labbuf_printf(&want, "%s[0x%llx, 0x%llx)", i ? ", " : "changes only in ",
			      (unsigned long long)lo[i], (unsigned long long)hi[i]);
	for (; lab_memchange_next(run, &a); a++) {
		total++;
		if (!inside(a, lo, hi, n) && outside++ == 0)
			first = a;
	}
	if (!outside) {
		ret = lab_result_set(r, true, labbuf_take(&want),
				     lab_strdupf("%llu bytes changed, all inside",
						 (unsigned long long)total), NULL);
		goto out;
	}
	hex8(run->image, first, run->mem_size, before, sizeof(before));
	hex8(run->mem, first, run->mem_size, after, sizeof(after));
	lab_mem_where(run, first, run->image[first], run->mem[first], where, sizeof(where));
	ret = lab_result_set(r, false, labbuf_take(&want),
			     lab_strdupf("%llu of %llu changed bytes outside, the first at guest "
					 "physical 0x%llx", (unsigned long long)outside,
					 (unsigned long long)total, (unsigned long long)first),
			     lab_strdupf("the run changed guest physical 0x%llx, outside the ranges: "
					 "bytes from there were %s, are %s%s%s",
					 (unsigned long long)first, before, after,
					 where[0] ? "; it is " : "", where));
out:
	labbuf_release(&want);
	free(lo);
	free(hi);
	return ret;
}

const struct lab_check_ops lab_check_writes_ops = {
	.needs_memlog = true,
	.prepare = prepare,
	.evaluate = evaluate,
};
