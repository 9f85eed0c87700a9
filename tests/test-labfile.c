/* test-labfile.c - lab.yaml loading: a valid file's structs, and one located message per bad file.
 *
 * Usage: test-labfile DATA_DIR (tests/data/labs).  No KVM needed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exits.h"
#include "hypercall.h"
#include "labfile.h"
#include "mode.h"
#include "run.h"
#include "testkit.h"

static const char *data;

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", data, name);
}

/* Loading name fails with "DATA/name" + rest. */
static void expect_error(const char *name, const char *rest)
{
	char path[512], want[2048], err[1024] = "";
	struct lab *lab = NULL;
	int ret;

	path_of(path, sizeof(path), name);
	snprintf(want, sizeof(want), "%s%s", path, rest);
	ret = lab_load(path, NULL, &lab, err, sizeof(err));
	CHECK(ret < 0);
	CHECK(lab == NULL);
	CHECK_STR(err, want);
}

static void test_bad_files(void)
{
	expect_error("bad-syntax.yaml",
		     ":6:11: syntax error: mapping values are not allowed in this context");
	expect_error("bad-unknown-key.yaml", ":12:5: unknown key 'pionts' (did you mean 'points'?)");
	expect_error("bad-wrong-type.yaml", ":9:13: wrong value for 'points': expected a "
		     "non-negative integer (decimal or 0x hex), got 'ten'");
	expect_error("bad-wrong-type-list.yaml",
		     ":6:12: wrong type for 'sources': expected a list, got a single value");
	expect_error("bad-register.yaml", ":11:7: check 'ret42': unknown register 'rxx'");
	expect_error("bad-cycle.yaml", ":10:5: check 'a': dependency cycle: a -> c -> b -> a");
	expect_error("bad-depends.yaml", ":13:5: check 'rax': depends on unknown check 'helo'");
	expect_error("bad-regex.yaml",
		     ":11:7: check 'count': bad regex \"got ([0-9]+\": Unmatched ( or \\(");
	expect_error("bad-duplicate-id.yaml",
		     ":11:5: check 'hello': duplicate check id (first used at line 8)");
	expect_error("bad-exit-type.yaml", ":10:13: check 'outs': unknown exit type 'IO output' "
		     "(known: \"IO in\", \"IO out\", \"MMIO read\", \"MMIO write\", \"HLT\", "
		     "\"debug\", \"shutdown\", \"fail entry\", \"internal error\", \"interrupted\", "
		     "\"other\", \"IO\", \"total\")");
	expect_error("bad-two-kinds.yaml",
		     ":10:5: check 'both': has both 'register' and 'stop'; a check tests one thing");
	expect_error("bad-no-kind.yaml", ":8:5: check 'nothing': says nothing to check: give one of "
		     "output, exits, register, memory, stop, final_mode, mode_timeline, mapping, "
		     "instructions, trace_matches, answers, vm_turns, time_share, file, writes_within, "
		     "script");
	expect_error("bad-missing-key.yaml",
		     ":11:5: missing required key 'points' in entry 2 of 'checks'");
	expect_error("bad-mode.yaml", ":3:7: wrong value for 'mode': expected one of: real, "
		     "protected, paged32, pae, long, got 'longg'");
	expect_error("bad-expect.yaml",
		     ":13:7: check 'delta': unknown name 'c' at column 5 of \"b - c == 1\"");
	expect_error("bad-port.yaml", ":9:13: printStr uses port 0x500, as print32 does");
	expect_error("bad-edition.yaml", ":12:5: check 'hello': the check is for edition 2024, "
		     "but the lab names no edition (add e.g. 'edition: 2024' at the top)");
	expect_error("bad-port-console.yaml", ":8:11: port 0xe9 of print8 is not a port from 1 "
		     "to 0xffff other than the console's 0xe9");
	expect_error("bad-mem-small.yaml", ":4:6: memory size must be a multiple of 4K from 64K "
		     "to 4G (as kvmlab run --mem takes it)");
	expect_error("bad-trace-path.yaml", ":10:21: check 'same': reference '../../etc/passwd' "
		     "must be a relative path inside the lab folder");
	expect_error("bad-exit-hypercall.yaml", ":10:29: check 'outs': unknown hypercall 'print64'");
	expect_error("bad-grader-guest.yaml", ":8:16: '../../../labs/04-hypercalls/solution/guest.c' "
		     "must be a relative path inside the lab folder");
	expect_error("bad-run-kind.yaml", ":10:5: check 'ref': run: reference_handlers needs a lab "
		     "with handlers");
	expect_error("bad-points.yaml", ":3:9: the lab is worth 10 points but its checks add up to 8");
	expect_error("bad-flag.yaml", ":10:34: wrong value for 'flags': expected a list of: P, RW, "
		     "US, PWT, PCD, A, D, PS, G, NX, got 'WR'");
	expect_error("bad-trace-bool.yaml",
		     ":4:8: wrong value for 'trace': expected one of: true, false, got 'maybe'");
	expect_error("bad-id.yaml", ":8:5: check 'says hello': an id may use only letters, "
		     "digits, '-', '_' and '.'");
	expect_error("bad-no-sources.yaml", ":5:3: the guest has no sources: give sources (files "
		     "of the submission), lab_sources (files of the lab) or both");
	expect_error("bad-empty.yaml", ": empty lab file");
	/* numbers are read whole: libcyaml alone takes what comes before the junk */
	expect_error("bad-number-junk.yaml", ":9:13: wrong value for 'points': expected a "
		     "non-negative integer (decimal or 0x hex), got '12abc'");
	expect_error("bad-number-fraction.yaml", ":9:13: wrong value for 'points': expected a "
		     "non-negative integer (decimal or 0x hex), got '2.5'");
	expect_error("bad-number-address.yaml", ":10:23: wrong value for 'address': expected a "
		     "non-negative integer (decimal or 0x hex), got '0x10010zz'");
	expect_error("bad-number-port.yaml", ":8:11: wrong value for 'print8': expected a "
		     "non-negative integer (decimal or 0x hex), got '-1'");
	expect_error("bad-trace-off.yaml", ":14:5: check 'modes': 'mode_timeline' needs a trace "
		     "of the run, but the lab says trace: false (line 7): remove that line or this "
		     "check");
	{
		char rest[1024];

		snprintf(rest, sizeof(rest), ":10:21: check 'same': reference trace 'missing.jsonl' "
			 "not found in the lab folder %s: No such file or directory (write it with "
			 "kvmlab trace --format jsonl -o missing.jsonl on the reference solution's "
			 "guest)", data);
		expect_error("bad-trace-missing.yaml", rest);
		snprintf(rest, sizeof(rest), ":12:18: '../../elsewhere' must be a folder of the lab "
			 "(a relative path inside %s)", data);
		expect_error("bad-tests-path.yaml", rest);
	}
	expect_error("bad-tests-score.yaml", ":17:12: score 3 does not match the failing checks: "
		     "of 5 points, the 1 listed take 3, which leaves 2");
	expect_error("bad-tests-check.yaml", ":12:47: no check 'helo' in this lab");
	expect_error("no-such-file.yaml", ": cannot read: No such file or directory");
}

static void test_valid(void)
{
	char path[PATH_MAX], ref[PATH_MAX], err[1024] = "";
	struct lab *lab = NULL;
	const struct lab_check *c;
	int ret;

	path_of(path, sizeof(path), "valid.yaml");
	ret = lab_load(path, NULL, &lab, err, sizeof(err));
	CHECK_STR(err, "");
	CHECK(ret == 0);
	if (ret < 0)
		return;
	CHECK_STR(lab->id, "04-hypercalls");
	CHECK_STR(lab->title, "Hypercalls: the guest side and the hypervisor side");
	CHECK(lab->points && *lab->points == 52);
	CHECK(lab->total_points == 52);
	CHECK(lab->mode == VMM_MODE_LONG);
	CHECK(lab->mem_size == 2u << 20);
	CHECK(lab->guest.kind == LAB_GUEST_C64);
	CHECK(lab->guest.sources_count == 1);
	CHECK_STR(lab->guest.sources[0], "guest.c");
	CHECK(lab->guest.cflags_count == 1);
	CHECK_STR(lab->guest.cflags[0], "-O1");
	CHECK(lab->guest.source_paths == NULL);  /* no submission given */
	CHECK_STR(lab->handlers, "handlers.c");
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_HC_PRINT8), 0x600);
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_HC_NUMEXITS), 0x503);
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_HC_GETTIMESTAMP), 0x506);   /* not in the file */
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_PORTMAP_FC + VMM_FC_OPEN), 0x510);
	CHECK(lab->max_exits == 5000 && lab->max_instructions == 200000);
	CHECK(lab->timeout_ms == 2000);
	CHECK(lab->trace);
	CHECK(lab->tests_count == 3);
	if (lab->tests_count == 3) {
		CHECK_STR(lab->tests[1].submission, "starter");
		CHECK(lab->tests[1].score && *lab->tests[1].score == 40 &&
		      lab->tests[1].expected == 40 && lab->tests[1].failing_count == 3);
		CHECK_STR(lab->tests[1].failing[2], "one-hlt");
		CHECK(lab->tests[2].substitute_count == 1);
		CHECK_STR(lab->tests[2].substitute[0].to, "rax = 41");
	}
	CHECK(lab->checks_count == 17);
	if (lab->checks_count != 17)
		goto out;

	c = &lab->checks[0];
	CHECK_STR(c->id, "hello");
	CHECK_STR(c->name, "prints Hello, world!");
	CHECK(c->points == 5 && c->visibility == LAB_VISIBLE && c->dep == -1);
	CHECK(c->kind == LAB_CHECK_OUTPUT && c->line == 24 && c->column == 5);
	CHECK_STR(c->output->equals, "Hello, world!\n");
	CHECK_STR(c->hint, "Use print8 for each character, then a newline.");
	CHECK(lab->checks[1].dep == 0);
	c = &lab->checks[2];
	CHECK(c->visibility == LAB_HIDDEN && c->output->names_count == 2);
	CHECK_STR(c->output->names[1], "after");
	CHECK_STR(c->output->expect, "after - before == 1");
	c = &lab->checks[3];
	CHECK_STR(c->name, "one-hlt");  /* defaults to the id */
	CHECK(c->kind == LAB_CHECK_EXITS && c->exits->exit == VMM_EXIT_HLT);
	CHECK(c->exits->equals && *c->exits->equals == 1 && !c->exits->min && !c->exits->max);
	c = &lab->checks[4];
	CHECK(c->exits->exit == VMM_EXIT_IO_OUT && *c->exits->min == 1 && *c->exits->max == 100);
	c = &lab->checks[5];
	CHECK(c->kind == LAB_CHECK_REGISTER && !c->reg->ref.sregs && c->reg->ref.size == 8);
	CHECK(*c->reg->equals == 42);
	c = &lab->checks[6];
	CHECK(c->reg->ref.sregs && *c->reg->mask == 0x80000001 && *c->reg->value == 0x80000001);
	c = &lab->checks[7];
	CHECK(c->visibility == LAB_AFTER_DUE_DATE && c->kind == LAB_CHECK_MEMORY);
	CHECK(c->memory->address == 0x400 && *c->memory->size == 8);
	c = &lab->checks[8];
	CHECK(c->memory->raw_len == 4 && memcmp(c->memory->raw, "\xde\xad\xbe\xef", 4) == 0);
	CHECK(lab->checks[9].kind == LAB_CHECK_STOP && *lab->checks[9].stop == VMM_STOP_HLT);
	CHECK(lab->checks[10].kind == LAB_CHECK_FINAL_MODE);
	CHECK(*lab->checks[10].final_mode == VMM_CPU_LONG);
	c = &lab->checks[11];
	CHECK(c->kind == LAB_CHECK_TIMELINE && c->mode_timeline_count == 3);
	CHECK(c->mode_timeline[0] == VMM_CPU_REAL && c->mode_timeline[2] == VMM_CPU_LONG);
	c = &lab->checks[12];
	CHECK(c->kind == LAB_CHECK_MAPPING && c->mapping->va == 0x400000);
	CHECK(*c->mapping->pa == 0x200000);
	CHECK(c->mapping->flags == (LAB_PF_P | LAB_PF_RW | LAB_PF_US));
	CHECK(c->mapping->absent_flags == LAB_PF_NX);
	CHECK(lab->checks[13].mapping->unmapped);
	CHECK(lab->checks[14].kind == LAB_CHECK_INSTRUCTIONS);
	CHECK(!lab->checks[14].instructions->min && *lab->checks[14].instructions->max == 1000);
	c = &lab->checks[15];
	CHECK(c->kind == LAB_CHECK_TRACE && c->dep == 9);
	snprintf(ref, sizeof(ref), "%s/reference.jsonl", data);
	CHECK_STR(c->trace_matches->reference_path, ref);
	c = &lab->checks[16];
	CHECK(c->kind == LAB_CHECK_ANSWERS && c->answers->live >= 0 && !c->answers->reveal);
	CHECK_STR(c->answers->file, "answers.yaml");
	CHECK_STR(c->answers->key, "vcpu_mmap_size");
	CHECK(c->answers->path == NULL);  /* no submission given */
	CHECK(lab_find_check(lab, "guard") == 13 && lab_find_check(lab, "nope") == -1);
out:
	lab_free(lab);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

/* Sources come from the submission folder, lab_sources from the lab folder. */
/* edition: 2024 keeps the checks of 2024 and of every edition, in the file's order, and the
 * points are theirs; the 2023 checks (one of them with the same id) are not graded. */
static void test_edition(void)
{
	char path[512], err[512] = "";
	struct lab *lab = NULL;
	int ret;

	path_of(path, sizeof(path), "edition.yaml");
	ret = lab_load(path, NULL, &lab, err, sizeof(err));
	CHECK_STR(err, "");
	CHECK(ret == 0);
	if (ret < 0)
		return;
	CHECK(lab->edition && *lab->edition == 2024);
	CHECK_EQ(lab->checks_count, 2);
	CHECK_EQ(lab->total_points, 5);
	if (lab->checks_count == 2) {
		CHECK_STR(lab->checks[0].id, "halts");
		CHECK_STR(lab->checks[1].id, "hello");
		CHECK_EQ(lab->checks[1].points, 4);
		CHECK_EQ(lab->checks[1].line, 22);   /* where it is in the file */
	}
	/* shared ports: told apart by size (print8, print32) and direction (numExits) */
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_HC_PRINT8), 0x501);
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_HC_PRINT32), 0x501);
	CHECK_EQ(vmm_portmap_port(&lab->ports, VMM_HC_NUMEXITS), 0x501);
	lab_free(lab);
}

static void test_sources(void)
{
	char tmpl[] = "/tmp/test-labfile-XXXXXX", path[PATH_MAX], lab_path[PATH_MAX];
	char want[PATH_MAX * 2], err[1024];
	char *dir = mkdtemp(tmpl);
	struct lab *lab = NULL;
	int ret;

	CHECK(dir != NULL);
	if (!dir)
		return;
	path_of(path, sizeof(path), "valid.yaml");
	ret = lab_load(path, dir, &lab, err, sizeof(err));
	CHECK(ret == -ENOENT && lab == NULL);
	snprintf(want, sizeof(want), "%s:9:13: guest source 'guest.c' not found in %s: "
		 "No such file or directory", path, dir);
	CHECK_STR(err, want);

	CHECK(write_file(dir, "guest.c", "int main;\n") == 0);
	ret = lab_load(path, dir, &lab, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:17:11: handlers file 'handlers.c' not found in %s: "
		 "No such file or directory", path, dir);
	CHECK(ret == -ENOENT);
	CHECK_STR(err, want);

	CHECK(write_file(dir, "handlers.c", "\n") == 0);
	ret = lab_load(path, dir, &lab, err, sizeof(err));
	CHECK(ret == 0);
	if (ret == 0) {
		snprintf(want, sizeof(want), "%s/guest.c", dir);
		CHECK_STR(lab->guest.source_paths[0], want);
		snprintf(want, sizeof(want), "%s/handlers.c", dir);
		CHECK_STR(lab->handlers_path, want);
		CHECK_STR(lab->submission_dir, dir);
		lab_free(lab);
	}

	/* a lab with files of its own, and a source that tries to leave the submission */
	CHECK(write_file(dir, "lab.yaml", "id: own\ntitle: own files\nmode: real\nmem: 64K\n"
			 "guest:\n  kind: asm\n  sources: [../guest.c]\n  lab_sources: [start.S]\n"
			 "  linker_script: guest.ld\nchecks:\n  - {id: h, points: 1, stop: halted}\n")
	      == 0);
	snprintf(lab_path, sizeof(lab_path), "%s/lab.yaml", dir);
	ret = lab_load(lab_path, NULL, &lab, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:8:17: 'start.S' not found in the lab folder %s",
		 lab_path, dir);
	CHECK(ret == -EINVAL);
	CHECK_STR(err, want);
	CHECK(write_file(dir, "start.S", "\n") == 0 && write_file(dir, "guest.ld", "\n") == 0);
	ret = lab_load(lab_path, NULL, &lab, err, sizeof(err));
	CHECK(ret == 0);
	if (ret == 0) {
		snprintf(want, sizeof(want), "%s/guest.ld", dir);
		CHECK_STR(lab->guest.linker_script_path, want);
		CHECK(lab->mem_size == 64 << 10 && lab->mode == VMM_MODE_REAL);
		ret = lab_resolve_sources(lab, dir, err, sizeof(err));
		snprintf(want, sizeof(want), "%s:7:13: guest source '../guest.c' must be a relative "
			 "path inside the submission", lab_path);
		CHECK(ret == -EINVAL);
		CHECK_STR(err, want);
		lab_free(lab);
	}
	for (const char *const *f = (const char *const[]){ "guest.c", "handlers.c", "lab.yaml",
							    "start.S", "guest.ld", NULL }; *f; f++) {
		snprintf(want, sizeof(want), "%s/%s", dir, *f);
		unlink(want);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	data = argc > 1 ? argv[1] : "tests/data/labs";
	test_valid();
	test_bad_files();
	test_edition();
	test_sources();
	return check_summary();
}
