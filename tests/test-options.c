/* test-options.c - the guest-option parser of the command line (tracer/cli/options.c):
 * a command's extra options are all taken, however many there are. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "options.h"
#include "testkit.h"

#define NEXTRA 40

struct seen {
	int opt;
	const char *arg;
	int calls;
};

static int on_opt(int opt, const char *arg, void *ctx)
{
	struct seen *s = ctx;

	s->opt = opt;
	s->arg = arg;
	s->calls++;
	return 0;
}

int main(void)
{
	static char names[NEXTRA][16];
	struct option extra[NEXTRA + 1] = { 0 };
	struct vm_opts o;
	struct seen s = { 0 };

	for (int i = 0; i < NEXTRA; i++) {
		snprintf(names[i], sizeof(names[i]), "extra%d", i);
		extra[i] = (struct option){ names[i], required_argument, NULL, 0x1000 + i };
	}
	/* the last of 40 extras (once silently dropped past the 31st), with the shared ones */
	{
		char *argv[] = { "run", "--mem", "4M", "--extra39", "v39", "-m", "real", "hello", NULL };

		CHECK(vm_opts_parse(8, argv, &o, extra, NULL, on_opt, &s) == 0);
		CHECK(s.calls == 1 && s.opt == 0x1000 + 39);
		CHECK_STR(s.arg, "v39");
		CHECK(o.mem == 4u << 20 && o.mode_set && o.mode == VMM_MODE_REAL);
		CHECK_STR(o.guest, "hello");
	}
	{
		char *argv[] = { "run", "--extra31", "a", "--extra0", "b", "--extra32", "c", "x", NULL };

		s.calls = 0;
		CHECK(vm_opts_parse(8, argv, &o, extra, NULL, on_opt, &s) == 0);
		CHECK(s.calls == 3 && s.opt == 0x1000 + 32);
	}
	/* a short option of the command's, after -m */
	{
		char *argv[] = { "trace", "-o", "out.txt", "hello", NULL };

		s.calls = 0;
		CHECK(vm_opts_parse(4, argv, &o, extra, "o:", on_opt, &s) == 0);
		CHECK(s.calls == 1 && s.opt == 'o');
		CHECK_STR(s.arg, "out.txt");
	}
	/* refusals (each prints its message): unknown option, no guest, two guests, a bad number */
	{
		char *a1[] = { "run", "--extra40", "x", "hello", NULL };
		char *a2[] = { "run", "--extra1", "x", NULL };
		char *a3[] = { "run", "hello", "boot", NULL };
		char *a4[] = { "run", "--max-exits", "12x", "hello", NULL };

		CHECK(vm_opts_parse(4, a1, &o, extra, NULL, on_opt, &s) == -EINVAL);
		CHECK(vm_opts_parse(3, a2, &o, extra, NULL, on_opt, &s) == -EINVAL);
		CHECK(vm_opts_parse(3, a3, &o, extra, NULL, on_opt, &s) == -EINVAL);
		CHECK(vm_opts_parse(4, a4, &o, NULL, NULL, NULL, NULL) == -EINVAL);
	}
	return check_summary();
}
