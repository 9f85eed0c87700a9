/* check_timeline.c - the sequence of distinct CPU modes the traced run went through. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "labbuf.h"

static char *modes_text(const int *modes, size_t n)
{
	struct labbuf b = { 0 };

	for (size_t i = 0; i < n; i++)
		labbuf_printf(&b, "%s%s", i ? " -> " : "", lab_cpu_mode_name(modes[i]));
	if (n == 0)
		labbuf_puts(&b, "(no modes recorded)");
	return labbuf_take(&b);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const int *want = c->mode_timeline;
	size_t nwant = c->mode_timeline_count, n = 0, i;
	int *got = malloc((run->nmodes ? run->nmodes : 1) * sizeof(*got));
	char *msg;

	if (!got)
		return -ENOMEM;
	for (i = 0; i < run->nmodes; i++)  /* distinct consecutive modes */
		if (n == 0 || got[n - 1] != run->modes[i].cpu_mode)
			got[n++] = run->modes[i].cpu_mode;
	for (i = 0; i < n && i < nwant && got[i] == want[i]; i++)
		;
	if (i == n && n == nwant)
		msg = NULL;
	else if (i < n && i < nwant)
		msg = lab_strdupf("mode %zu is %s, expected %s", i + 1, lab_cpu_mode_name(got[i]),
				  lab_cpu_mode_name(want[i]));
	else if (n < nwant)
		msg = lab_strdupf("the run never reached %s mode", lab_cpu_mode_name(want[n]));
	else
		msg = lab_strdupf("the run went on to %s mode", lab_cpu_mode_name(got[nwant]));
	lab_result_set(r, i == n && n == nwant, modes_text(want, nwant), modes_text(got, n), msg);
	free(got);
	return 0;
}

const struct lab_check_ops lab_check_timeline_ops = {
	.needs_trace = true,
	.evaluate = evaluate,
};
