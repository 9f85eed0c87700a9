/* tracecmp.c - the built-in trace comparison: JSONL traces, one step per line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

#define SHOW 300   /* characters of a differing line in the message */

static lab_trace_diff_fn current = lab_trace_first_divergence;

void lab_trace_set_diff(lab_trace_diff_fn fn)
{
	current = fn ? fn : lab_trace_first_divergence;
}

lab_trace_diff_fn lab_trace_diff(void)
{
	return current;
}

static void chomp(char *s, ssize_t *n)
{
	while (*n > 0 && (s[*n - 1] == '\n' || s[*n - 1] == '\r'))
		s[--*n] = '\0';
}

int lab_trace_first_divergence(const char *run_trace, const char *ref_trace,
			       char *msg, size_t len)
{
	FILE *a = fopen(run_trace, "r");
	int err_a = errno;
	FILE *b = fopen(ref_trace, "r");
	int err_b = errno;
	char *la = NULL, *lb = NULL;
	size_t ca = 0, cb = 0;
	unsigned long step = 0;
	int ret = 0;

	if (!a || !b) {
		ret = -(a ? err_b : err_a);
		snprintf(msg, len, "cannot open %s: %s", a ? ref_trace : run_trace, strerror(-ret));
		goto out;
	}
	for (;;) {
		ssize_t na = getline(&la, &ca, a), nb = getline(&lb, &cb, b);

		step++;
		if (na < 0 && nb < 0)
			break;
		if (na >= 0)
			chomp(la, &na);
		if (nb >= 0)
			chomp(lb, &nb);
		if (na < 0) {
			snprintf(msg, len, "the run stopped after %lu steps; the reference goes on:\n"
				 "  expected: %.*s", step - 1, SHOW, lb);
			ret = 1;
			break;
		}
		if (nb < 0) {
			snprintf(msg, len, "the run goes on after the reference's %lu steps:\n"
				 "  actual:   %.*s", step - 1, SHOW, la);
			ret = 1;
			break;
		}
		if (na != nb || memcmp(la, lb, (size_t)na) != 0) {
			snprintf(msg, len, "step %lu differs:\n  expected: %.*s\n  actual:   %.*s",
				 step, SHOW, lb, SHOW, la);
			ret = 1;
			break;
		}
	}
	if (ret == 0 && (ferror(a) || ferror(b))) {
		ret = -EIO;
		snprintf(msg, len, "cannot read the traces");
	}
out:
	free(la);
	free(lb);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	return ret;
}
