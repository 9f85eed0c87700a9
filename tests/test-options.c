/* test-options.c - the command line's option tables (tracer/cli/options.c): the guest-option
 * parser takes a command's extra options, however many there are, and the --help lines and
 * getopt's tables come from the same entries. */
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

static void test_parse(void)
{
	static char names[NEXTRA][16];
	static struct cli_opt extra[NEXTRA + 1];
	static const struct cli_opt out_opt[] = {
		{ "output", 'o', "FILE", "write it to FILE" },
		{ 0 },
	};
	const struct cli_opt *const tables[] = { extra, NULL };
	const struct cli_opt *const both[] = { extra, out_opt, NULL };
	struct vm_opts o;
	struct seen s = { 0 };

	for (int i = 0; i < NEXTRA; i++) {
		snprintf(names[i], sizeof(names[i]), "extra%d", i);
		extra[i] = (struct cli_opt){ names[i], 0x1000 + i, "V", "an extra option" };
	}
	/* the last of 40 extras (once silently dropped past the 31st), with the shared ones */
	{
		char *argv[] = { "run", "--mem", "4M", "--extra39", "v39", "-m", "real", "hello", NULL };

		CHECK(vm_opts_parse(8, argv, &o, tables, on_opt, &s) == 0);
		CHECK(s.calls == 1 && s.opt == 0x1000 + 39);
		CHECK_STR(s.arg, "v39");
		CHECK(o.mem == 4u << 20 && o.mode_set && o.mode == VMM_MODE_REAL);
		CHECK_STR(o.guest, "hello");
	}
	{
		char *argv[] = { "run", "--extra31", "a", "--extra0", "b", "--extra32", "c", "x", NULL };

		s.calls = 0;
		CHECK(vm_opts_parse(8, argv, &o, tables, on_opt, &s) == 0);
		CHECK(s.calls == 3 && s.opt == 0x1000 + 32);
	}
	/* a short option from a second table of the command's, after -m */
	{
		char *argv[] = { "trace", "-o", "out.txt", "hello", NULL };

		s.calls = 0;
		CHECK(vm_opts_parse(4, argv, &o, both, on_opt, &s) == 0);
		CHECK(s.calls == 1 && s.opt == 'o');
		CHECK_STR(s.arg, "out.txt");
	}
	/* the port map is parsed once, here, into the struct the session takes */
	{
		char *argv[] = { "run", "--hypercalls", "print8=0x600,fileOpen=0x610", "hello", NULL };

		CHECK(vm_opts_parse(4, argv, &o, NULL, NULL, NULL) == 0);
		CHECK_EQ(vmm_portmap_port(&o.ports, VMM_HC_PRINT8), 0x600);
		CHECK_EQ(vmm_portmap_port(&o.ports, VMM_PORTMAP_FC + VMM_FC_OPEN), 0x610);
	}
	/* refusals (each prints its message): unknown option, no guest, two guests, a bad number,
	 * a bad port map, an option of another command's */
	{
		char *a1[] = { "run", "--extra40", "x", "hello", NULL };
		char *a2[] = { "run", "--extra1", "x", NULL };
		char *a3[] = { "run", "hello", "boot", NULL };
		char *a4[] = { "run", "--max-exits", "12x", "hello", NULL };
		char *a5[] = { "run", "--hypercalls", "print8=0xe9", "hello", NULL };
		char *a6[] = { "run", "-o", "x", "hello", NULL };

		CHECK(vm_opts_parse(4, a1, &o, tables, on_opt, &s) == -EINVAL);
		CHECK(vm_opts_parse(3, a2, &o, tables, on_opt, &s) == -EINVAL);
		CHECK(vm_opts_parse(3, a3, &o, tables, on_opt, &s) == -EINVAL);
		CHECK(vm_opts_parse(4, a4, &o, NULL, NULL, NULL) == -EINVAL);
		CHECK(vm_opts_parse(4, a5, &o, NULL, NULL, NULL) == -EINVAL);
		CHECK(vm_opts_parse(4, a6, &o, tables, on_opt, &s) == -EINVAL);
	}
}

/* The help of a table, as text. */
static char *help_of(const struct cli_opt *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	cli_opts_help(f, t);
	fclose(f);
	return buf;
}

static void test_help(void)
{
	static const struct cli_opt t[] = {
		{ "output", 'o', "FILE", "write the report to FILE (with --batch: a folder, one\n"
		  "report per submission)" },
		{ "all", 0x300, NULL, "show hidden checks" },
		{ "watch", 0x301, "ADDR[:LEN]", "stop after a write" },
		{ 0 },
	};
	const struct cli_opt *const tables[] = { t, vm_opt_table, NULL };
	struct option *longs;
	char *shorts, *help = help_of(t), *shared = help_of(vm_opt_table);
	int n = 0;

	CHECK_STR(help,
		  "  -o, --output FILE     write the report to FILE (with --batch: a folder, one\n"
		  "                        report per submission)\n"
		  "      --all             show hidden checks\n"
		  "      --watch ADDR[:LEN] stop after a write\n");
	CHECK_CONTAINS(shared, "  -m, --mode MODE       start mode: real, protected, paged32, pae or long\n");
	{	/* a long help with no '\n' of its own wraps at the last space before column 80 */
		static const struct cli_opt wide[] = {
			{ "slurm", 0x302, "DIR", "DIR/grade.sbatch, a job array grading shard K of N of a "
			  "batch on nodes with /dev/kvm" },
			{ 0 },
		};
		char *w = help_of(wide);

		CHECK_STR(w, "      --slurm DIR       DIR/grade.sbatch, a job array grading shard K of N of a\n"
			  "                        batch on nodes with /dev/kvm\n");
		free(w);
	}
	CHECK_CONTAINS(shared, "      --4k-pages        long mode:");
	/* getopt's tables from the same entries: every long option, short letters with ':' */
	CHECK(cli_opts_getopt(tables, &longs, &shorts) == 0);
	CHECK_STR(shorts, "o:m:");
	for (struct option *o = longs; o->name; o++, n++) {
		char want[48];

		snprintf(want, sizeof(want), "--%s", o->name);
		CHECK_MSG(strstr(help, want) || strstr(shared, want), "%s is not in the help", want);
	}
	CHECK_EQ(n, 3 + 10);
	CHECK(longs[0].has_arg == required_argument && longs[0].val == 'o');
	CHECK(longs[1].has_arg == no_argument && longs[1].val == 0x300);
	free(longs);
	free(shorts);
	free(help);
	free(shared);
}

/* The value parsers the commands share (--timeout, --format of trace and exec). */
static void test_values(void)
{
	unsigned ms = 7;
	bool jsonl = true;

	CHECK(parse_timeout_ms("--timeout", "1500", &ms) == 0 && ms == 1500);
	CHECK(parse_timeout_ms("--timeout", "86400000", &ms) == 0 && ms == 86400000);
	CHECK(parse_timeout_ms("--timeout", "0", &ms) == -EINVAL);
	CHECK(parse_timeout_ms("--timeout", "86400001", &ms) == -EINVAL);
	CHECK(parse_timeout_ms("--timeout", "soon", &ms) == -EINVAL);
	CHECK_EQ(ms, 86400000);                         /* refusals leave it */
	CHECK(parse_format("--format", "text", &jsonl) == 0 && !jsonl);
	CHECK(parse_format("--format", "jsonl", &jsonl) == 0 && jsonl);
	CHECK(parse_format("--format", "json", &jsonl) == -EINVAL && jsonl);
	CHECK(parse_format("--format", "", &jsonl) == -EINVAL);
}

int main(void)
{
	test_parse();
	test_values();
	test_help();
	return check_summary();
}
