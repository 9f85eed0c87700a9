/* test-labcheck.c - every check kind against hand-filled runs (pass and fail), dependencies,
 * failed runs, the trace comparison and the capture expression evaluator.  No KVM needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../labs/harness/check.h"   /* the lab checks under test */
#include "expr.h"
#include "labfile.h"
#include "live.h"
#include "testkit.h"

static const char lab_text[] =
	"id: checks\n"
	"title: every kind\n"
	"mode: long\n"
	"mem: 8M\n"
	"guest: {kind: c64, sources: [guest.c]}\n"
	"checks:\n"
	"  - {id: out-eq, points: 1, output: {equals: \"Hello, world!\\nbefore: 7, after: 8\\n\"}}\n"
	"  - {id: out-contains, points: 1, output: {contains: world}}\n"
	"  - {id: out-regex, points: 1, output: {regex: \"^Hello, [a-z]+!$\"}}\n"
	"  - id: out-capture\n"
	"    points: 2\n"
	"    output: {regex: \"before: (-?[0-9]+), after: (0x[0-9a-f]+|[0-9]+)\", names: [a, b],\n"
	"             expect: \"b - a == 1 && a >= 0\"}\n"
	"  - {id: exits-hlt, points: 1, exits: {type: HLT, equals: 1}}\n"
	"  - {id: exits-out, points: 1, exits: {type: io out, min: 1, max: 20}}\n"
	"  - {id: exits-total, points: 1, exits: {type: total, max: 20}}\n"
	"  - {id: rax42, points: 1, register: {name: rax, equals: 42}}\n"
	"  - {id: cr0-pg, points: 1, register: {name: cr0, mask: 0x80000001, value: 0x80000001}}\n"
	"  - {id: cs-sel, points: 1, register: {name: cs, equals: 0x10}}\n"
	"  - {id: cs-long, points: 1, register: {name: cs.l, equals: 1}}\n"
	"  - {id: eax, points: 1, register: {name: eax, equals: 0x2a}}\n"
	"  - {id: mem-val, points: 1, memory: {address: 0x400, size: 8, equals: 42}}\n"
	"  - {id: mem-bytes, points: 1, memory: {address: 0x500, bytes: \"de ad be ef\"}}\n"
	"  - {id: stop-hlt, points: 1, stop: halted}\n"
	"  - {id: final-long, points: 1, final_mode: long}\n"
	"  - {id: timeline, points: 1, mode_timeline: [real, protected, long]}\n"
	"  - id: map-ok\n"
	"    points: 1\n"
	"    mapping: {va: 0x400000, pa: 0x200000, flags: [P, RW, US], absent_flags: [NX]}\n"
	"  - id: map-big\n"
	"    points: 1\n"
	"    mapping: {va: 0x600123, pa: 0x600123, page_size: 0x200000, flags: [P, RW, PS, NX],\n"
	"              absent_flags: [US]}\n"
	"  - {id: map-none, points: 1, mapping: {va: 0x800000, unmapped: true}}\n"
	"  - {id: insns, points: 1, instructions: {min: 10, max: 100}}\n"
	"  - {id: trace, points: 1, trace_matches: {reference: ref.jsonl}}\n"
	"  - {id: child, points: 3, depends_on: out-eq, hint: fix out-eq first, stop: halted}\n";

enum {
	OUT_EQ, OUT_CONTAINS, OUT_REGEX, OUT_CAPTURE, EXITS_HLT, EXITS_OUT, EXITS_TOTAL, RAX42,
	CR0_PG, CS_SEL, CS_LONG, EAX, MEM_VAL, MEM_BYTES, STOP_HLT, FINAL_LONG, TIMELINE,
	MAP_OK, MAP_BIG, MAP_NONE, INSNS, TRACE, CHILD, NCHECKS
};

#define MEM_SIZE (8u << 20)
static uint8_t mem[MEM_SIZE];
static char dir[] = "/tmp/test-labcheck-XXXXXX";
static char output[256];
static struct lab_mode_change timeline[] = {
	{ 0, VMM_CPU_REAL }, { 5, VMM_CPU_REAL }, { 9, VMM_CPU_PROTECTED }, { 30, VMM_CPU_LONG },
};

/* A run that passes every check: long mode, 4-level tables at 0x1000..0x4fff. */
static void good_run(struct lab_run *run, char *trace)
{
	memset(run, 0, sizeof(*run));
	memset(mem, 0, sizeof(mem));
	put64(mem, 0x400, 42);
	memcpy(mem + 0x500, "\xde\xad\xbe\xef", 4);
	put64(mem, 0x1000, 0x2000 | 7);                          /* PML4[0] */
	put64(mem, 0x2000, 0x3000 | 7);                          /* PDPT[0] */
	put64(mem, 0x3000 + 2 * 8, 0x4000 | 7);                  /* PD[2] -> PT */
	put64(mem, 0x3000 + 3 * 8, 0x600000 | 0x83 | 1ull << 63); /* PD[3]: 2M page, RW, NX */
	put64(mem, 0x4000, 0x200000 | 7);                        /* PT[0] */
	snprintf(output, sizeof(output), "Hello, world!\nbefore: 7, after: 8\n");
	run->stop = VMM_STOP_HLT;
	run->output = output;
	run->output_len = strlen(output);
	run->exits[VMM_EXIT_IO_OUT] = 14;
	run->exits[VMM_EXIT_HLT] = 1;
	run->total_exits = 15;
	run->regs.rax = 42;
	run->sregs.cr0 = 0x80000011;
	run->sregs.cr3 = 0x1000;
	run->sregs.cr4 = 0x20;
	run->sregs.efer = 0xd00;
	run->sregs.cs = (struct kvm_segment){ .selector = 0x10, .l = 1, .present = 1, .s = 1,
					      .type = 11 };
	run->mem = mem;
	run->mem_size = MEM_SIZE;
	run->traced = true;
	run->instructions = 50;
	run->modes = timeline;
	run->nmodes = sizeof(timeline) / sizeof(timeline[0]);
	run->trace_path = trace;
}

static struct lab_check_result *grade(const struct lab *lab, const struct lab_run *run)
{
	struct lab_check_result *res = NULL;

	CHECK(lab_checks_run(lab, run, &res) == 0);
	return res;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -errno;
}

static void test_all_pass(const struct lab *lab, struct lab_run *run)
{
	struct lab_check_result *res = grade(lab, run);

	if (!res)
		return;
	for (int i = 0; i < NCHECKS; i++) {
		if (res[i].status != LAB_PASS)
			fprintf(stderr, "check %s: %s\n", res[i].check->id,
				res[i].message ? res[i].message : "?");
		CHECK(res[i].status == LAB_PASS && res[i].score == res[i].max_score);
		CHECK(res[i].message == NULL);
	}
	CHECK_STR(res[OUT_EQ].expected, "\"Hello, world!\\nbefore: 7, after: 8\\n\"");
	CHECK_STR(res[OUT_CAPTURE].actual, "a = 7, b = 8");
	CHECK_STR(res[OUT_REGEX].actual, "\"Hello, world!\"");
	CHECK_STR(res[RAX42].actual, "rax = 0x2a (42)");
	CHECK_STR(res[MAP_OK].actual, "0x400000 -> 0x200000 with P RW US");
	CHECK_STR(res[MAP_BIG].expected,
		  "0x600123 -> 0x600123 with P RW PS NX, without US in a 2048 KiB page");
	CHECK_STR(res[TIMELINE].actual, "real -> protected -> long");
	lab_check_results_free(res, lab->checks_count);
}

static void test_failures(const struct lab *lab, struct lab_run *run)
{
	struct lab_check_result *res;

	snprintf(output, sizeof(output), "Hello, World!\nbefore: 7, after: 9\n");
	run->output_len = strlen(output);
	run->exits[VMM_EXIT_HLT] = 0;
	run->exits[VMM_EXIT_IO_OUT] = 21;
	run->total_exits = 21;
	run->regs.rax = 0x100000007;
	run->sregs.cr0 = 0x11;       /* paging off: no mapping can pass */
	run->sregs.efer = 0;
	run->sregs.cs.selector = 8;
	put64(mem, 0x400, 41);
	mem[0x503] = 0xee;
	run->stop = VMM_STOP_SHUTDOWN;
	run->sregs.cs.l = 0;
	run->instructions = 101;
	run->nmodes = 2;
	res = grade(lab, run);
	if (!res)
		return;
	for (int i = 0; i < NCHECKS; i++) {
		if (i == OUT_CONTAINS || i == MAP_NONE || i == TRACE)
			continue;
		if (res[i].status == LAB_PASS)
			fprintf(stderr, "check %s passed\n", res[i].check->id);
		CHECK(res[i].status != LAB_PASS && res[i].score == 0);
	}
	CHECK_STR(res[OUT_EQ].message, "the output differs at line 1, column 8");
	CHECK_STR(res[OUT_EQ].actual, "\"Hello, World!\\nbefore: 7, after: 9\\n\"");
	CHECK_STR(res[OUT_REGEX].message, "no part of the output matches");
	CHECK_STR(res[OUT_CAPTURE].actual, "a = 7, b = 9");
	CHECK_STR(res[OUT_CAPTURE].message, "'b - a == 1 && a >= 0' is false for the values printed");
	CHECK_STR(res[EXITS_HLT].expected, "1 HLT exits");
	CHECK_STR(res[EXITS_HLT].actual, "0 HLT exits");
	CHECK_STR(res[EXITS_OUT].expected, "1 to 20 IO out exits");
	CHECK_STR(res[EXITS_TOTAL].message, "the run made 21 exits in total");
	CHECK_STR(res[RAX42].message, "rax is 0x100000007, not 0x2a");
	CHECK_STR(res[EAX].actual, "eax = 0x7 (7)");
	CHECK_STR(res[CR0_PG].actual, "cr0 = 0x11 (& 0x80000001 = 0x1)");
	CHECK_STR(res[CS_SEL].actual, "cs = 0x8 (8)");
	CHECK_STR(res[MEM_VAL].message, "the 8-byte value at 0x400 is 0x29");
	CHECK_STR(res[MEM_BYTES].actual, "de ad be ee");
	CHECK_STR(res[STOP_HLT].message, "the run ended with shutdown, not halted");
	CHECK_STR(res[FINAL_LONG].actual, "protected");
	CHECK_STR(res[TIMELINE].message, "the run never reached protected mode");
	CHECK_STR(res[MAP_OK].message, "paging is off at exit (CR0 0x11)");
	CHECK_STR(res[INSNS].message, "the guest ran 101 instructions, too many");
	CHECK(res[CHILD].status == LAB_SKIP && res[CHILD].score == 0 && res[CHILD].max_score == 3);
	CHECK_STR(res[CHILD].message, "depends on out-eq");
	lab_check_results_free(res, lab->checks_count);
}

/* The reasons, then the walk as `kvmlab walk` prints it (walkfmt_text). */
static const char map_ok_start[] =
	"it maps to 0x300000, not 0x200000\nflags missing: RW\nlinear 0x0000000000400000  "
	"(4-level paging, CR3=0x1000)\n  PML4[  0] bits 47..39  @0x1000    entry "
	"0x0000000000002007  P RW US     -> table 0x2000\n";

static void test_mapping_failures(const struct lab *lab, struct lab_run *run)
{
	struct lab_check_result *res;

	put64(mem, 0x4000, 0x300000 | 5);         /* PT[0]: other page, read-only */
	put64(mem, 0x3000 + 3 * 8, 0x600000 | 0x87); /* user, no NX */
	put64(mem, 0x3000 + 4 * 8, 0x800000 | 0x83); /* 0x800000 now mapped */
	res = grade(lab, run);
	if (!res)
		return;
	CHECK(res[MAP_OK].status == LAB_FAIL);
	CHECK_STR(res[MAP_OK].actual, "0x400000 -> 0x300000 with P US");
	CHECK(res[MAP_OK].message && strncmp(res[MAP_OK].message, map_ok_start,
					     sizeof(map_ok_start) - 1) == 0);
	CHECK(res[MAP_OK].message && strstr(res[MAP_OK].message,
		"-> 4 KiB page 0x300000\n  offset 0x0 (bits 11..0)\n= physical 0x0000000000300000  "
		"(read-only, user, executable)"));
	CHECK(res[MAP_BIG].status == LAB_FAIL);
	CHECK(res[MAP_BIG].message && strncmp(res[MAP_BIG].message,
		"flags missing: NX\nflags that must be clear: US\n", 47) == 0);
	CHECK(res[MAP_NONE].status == LAB_FAIL);
	CHECK_STR(res[MAP_NONE].actual, "0x800000 -> 0x800000 with P RW PS");
	lab_check_results_free(res, lab->checks_count);

	put64(mem, 0x2000, 0);                    /* PDPT[0] not present: nothing is mapped */
	res = grade(lab, run);
	if (!res)
		return;
	CHECK(res[MAP_NONE].status == LAB_PASS);
	CHECK(res[MAP_OK].status == LAB_FAIL);
	CHECK_STR(res[MAP_OK].actual, "0x400000 not mapped (not present)");
	CHECK(res[MAP_OK].message && strstr(res[MAP_OK].message,
		"\n  stops at PDPT[0]: not present (P=0)"));
	lab_check_results_free(res, lab->checks_count);
}

static void test_run_problems(const struct lab *lab, struct lab_run *run, char *ref)
{
	struct lab_check_result *res;
	char trace[600];

	snprintf(trace, sizeof(trace), "%s/run.jsonl", dir);
	CHECK(write_file(trace, "{\"step\":1,\"pc\":\"0x1000\"}\n{\"step\":2,\"pc\":\"0x1002\"}\n") == 0);
	good_run(run, trace);
	res = grade(lab, run);
	if (res) {
		CHECK(res[TRACE].status == LAB_FAIL);
		CHECK_CONTAINS(res[TRACE].message, "traces diverge at step 2 (");
		CHECK_CONTAINS(res[TRACE].message, "\n  pc       A: \"0x1002\"\n           B: \"0x1001\"");
		lab_check_results_free(res, lab->checks_count);
	}
	unlink(trace);
	run->traced = false;
	res = grade(lab, run);
	if (res) {
		CHECK_STR(res[TIMELINE].message, "not checked: the run was not traced");
		CHECK(res[RAX42].status == LAB_PASS);
		lab_check_results_free(res, lab->checks_count);
	}
	snprintf(run->error, sizeof(run->error), "the guest did not build");
	res = grade(lab, run);
	if (res) {
		for (int i = 0; i < NCHECKS; i++)
			CHECK(res[i].status != LAB_PASS);
		CHECK_STR(res[RAX42].message, "not run: the guest did not build");
		/* nothing ran: a dependent check says why too, rather than "depends on" */
		CHECK(res[CHILD].status == LAB_FAIL);
		CHECK_STR(res[CHILD].message, "not run: the guest did not build");
		lab_check_results_free(res, lab->checks_count);
	}
	(void)ref;
}

static void test_checks(void)
{
	char path[600], ref[600], trace[600], err[1024];
	struct lab *lab = NULL;
	struct lab_run run;

	snprintf(path, sizeof(path), "%s/lab.yaml", dir);
	snprintf(ref, sizeof(ref), "%s/ref.jsonl", dir);
	snprintf(trace, sizeof(trace), "%s/same.jsonl", dir);
	CHECK(write_file(path, lab_text) == 0);
	CHECK(write_file(ref, "{\"step\":1,\"pc\":\"0x1000\"}\n{\"step\":2,\"pc\":\"0x1001\"}\n") == 0);
	CHECK(write_file(trace, "{\"step\":1,\"pc\":\"0x1000\"}\n{\"step\":2,\"pc\":\"0x1001\"}\n") == 0);
	if (lab_load(path, NULL, &lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(!"lab loads");
		return;
	}
	CHECK(lab->checks_count == NCHECKS);
	if (lab->checks_count == NCHECKS) {
		good_run(&run, trace);
		test_all_pass(lab, &run);
		test_failures(lab, &run);
		good_run(&run, trace);
		test_mapping_failures(lab, &run);
		test_run_problems(lab, &run, ref);
	}
	lab_free(lab);
	unlink(path);
	unlink(ref);
	unlink(trace);
}

/* ---- answers checks: an answers file against live values from a stub provider ---- */

static const char answers_lab[] =
	"id: answers\n"
	"title: answers\n"
	"mode: long\n"
	"guest: {kind: asm, lab_sources: [lab.yaml]}\n"
	"checks:\n"
	"  - {id: num-hex, points: 1, answers: {file: a.yaml, key: mmap, expect: live:vcpu_mmap_size}}\n"
	"  - {id: num-size, points: 1, answers: {file: a.yaml, key: mem, expect: live:guest_mem_size}}\n"
	"  - {id: dir-ior, points: 1, answers: {file: a.yaml, key: dir, expect: \"live:ioctl_dir:KVM_GET_REGS\"}}\n"
	"  - {id: list-ok, points: 1, answers: {file: a.yaml, key: first, expect: \"live:first_ioctls:2\"}}\n"
	"  - {id: list-str, points: 1, answers: {file: a.yaml, key: first_str, expect: \"live:first_ioctls:2\"}}\n"
	"  - {id: literal, points: 1, answers: {file: a.yaml, key: word, expect: Hypercall}}\n"
	"  - {id: wrong, points: 1, answers: {file: a.yaml, key: size, expect: \"live:ioctl_size:KVM_GET_REGS\", reveal: true}}\n"
	"  - {id: order, points: 1, answers: {file: a.yaml, key: swapped, expect: \"live:first_ioctls:2\"}}\n"
	"  - {id: blank, points: 1, answers: {file: a.yaml, key: blank, expect: live:api_version}}\n"
	"  - {id: nokey, points: 1, answers: {file: a.yaml, key: nokey, expect: live:api_version}}\n"
	"  - {id: nan, points: 1, answers: {file: a.yaml, key: word, expect: live:api_version}}\n"
	"  - {id: fails, points: 1, answers: {file: a.yaml, key: mmap, expect: live:guest_entry}}\n"
	"  - {id: nofile, points: 1, answers: {file: none.yaml, key: mmap, expect: live:api_version}}\n";

enum { A_HEX, A_SIZE, A_DIR, A_LIST, A_LIST_STR, A_LITERAL, A_WRONG, A_ORDER, A_BLANK, A_NOKEY,
       A_NAN, A_FAILS, A_NOFILE, A_COUNT };

static const char answers_file[] =
	"# comments are fine\n"
	"mmap: 0x3000\n"
	"mem: 2M\n"
	"dir: _IOR\n"
	"first: [kvm_get_api_version, KVM_CREATE_VM]\n"
	"first_str: KVM_GET_API_VERSION, KVM_CREATE_VM\n"
	"word: \" hypercall \"\n"
	"size: 128\n"
	"swapped: [KVM_CREATE_VM, KVM_GET_API_VERSION]\n"
	"blank:\n";

static int stub_live(const char *name, const char *arg, char *out, size_t len, char *err,
		     size_t errlen)
{
	if (strcmp(name, "vcpu_mmap_size") == 0)
		snprintf(out, len, "12288");
	else if (strcmp(name, "api_version") == 0)
		snprintf(out, len, "12");
	else if (strcmp(name, "first_ioctls") == 0 && arg && strcmp(arg, "2") == 0)
		snprintf(out, len, "KVM_GET_API_VERSION, KVM_CREATE_VM");
	else if (strcmp(name, "guest_entry") == 0) {
		snprintf(err, errlen, "no guest here");
		return -ENOENT;
	} else
		return lab_live_builtin(name, arg, out, len, err, errlen);
	return 0;
}

static void test_answers(void)
{
	char path[600], apath[600], err[1024];
	struct lab_check_result *res;
	struct lab *lab = NULL;
	struct lab_run run;

	snprintf(path, sizeof(path), "%s/lab.yaml", dir);
	snprintf(apath, sizeof(apath), "%s/a.yaml", dir);
	CHECK(write_file(path, answers_lab) == 0);
	CHECK(write_file(apath, answers_file) == 0);
	if (lab_load(path, dir, &lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(!"answers lab loads");
		goto out;
	}
	CHECK(lab->checks_count == A_COUNT && lab->checks[A_HEX].kind == LAB_CHECK_ANSWERS);
	memset(&run, 0, sizeof(run));
	run.output = output;
	lab_live_set(stub_live);
	res = grade(lab, &run);
	lab_live_set(NULL);
	if (!res)
		goto out;
	for (int i = A_HEX; i <= A_LITERAL; i++) {
		if (res[i].status != LAB_PASS)
			fprintf(stderr, "check %s: %s\n", res[i].check->id,
				res[i].message ? res[i].message : "?");
		CHECK(res[i].status == LAB_PASS);
	}
	for (int i = A_WRONG; i < A_COUNT; i++)
		CHECK(res[i].status == LAB_FAIL);
	CHECK_STR(res[A_HEX].actual, "0x3000");
	CHECK_STR(res[A_HEX].expected, "what KVM_GET_VCPU_MMAP_SIZE returns on this machine "
		  "(bytes to mmap for kvm_run)");
	CHECK_STR(res[A_WRONG].expected, "144 (the size field (_IOC_SIZE) of KVM_GET_REGS's "
		  "request code)");
	CHECK_STR(res[A_WRONG].message, "size: 128 (0x80) is not right");
	CHECK_STR(res[A_ORDER].message, "swapped: name 1, 'KVM_CREATE_VM', is not right");
	CHECK_STR(res[A_ORDER].actual, "[KVM_CREATE_VM, KVM_GET_API_VERSION]");
	CHECK_STR(res[A_BLANK].message, "'blank' has no answer yet in a.yaml");
	CHECK_STR(res[A_NOKEY].message, "a.yaml has no line 'nokey:'");
	CHECK_STR(res[A_NAN].message, "word: ' hypercall ' is not a number (write it in decimal "
		  "or 0x hex)");
	CHECK_STR(res[A_FAILS].message, "the grader could not read the live value: no guest here");
	CHECK_STR(res[A_NOFILE].message, "cannot read none.yaml: No such file or directory");
	lab_check_results_free(res, lab->checks_count);

	CHECK(write_file(apath, "mmap: [0x3000\n") == 0);
	lab_live_set(stub_live);
	res = grade(lab, &run);
	lab_live_set(NULL);
	if (res) {
		CHECK_STR(res[A_HEX].message, "a.yaml:2:1: syntax error: did not find expected ',' "
			  "or ']'");
		lab_check_results_free(res, lab->checks_count);
	}
out:
	lab_free(lab);
	lab = NULL;
	/* a live value the harness does not know is refused when the lab is loaded */
	CHECK(write_file(path, "id: a\ntitle: a\nmode: long\nguest: {kind: asm, lab_sources: "
			 "[lab.yaml]}\nchecks:\n  - {id: x, points: 1, answers: {file: a.yaml, "
			 "key: k, expect: \"live:ioctl_size:KVM_NOPE\"}}\n") == 0);
	CHECK(lab_load(path, NULL, &lab, err, sizeof(err)) < 0);
	CHECK(strstr(err, "lab.yaml:6:56: check 'x': live:ioctl_size: 'KVM_NOPE' is not a KVM "
		     "ioctl kvmlab knows") != NULL);
	if (!strstr(err, "lab.yaml:6:56"))
		fprintf(stderr, "%s\n", err);
	lab_free(lab);
	unlink(path);
	unlink(apath);
}

struct expr_case {
	const char *src;
	int64_t value;
	const char *err;   /* NULL: must succeed with value */
};

static void test_expr(void)
{
	static const struct expr_case cases[] = {
		{ "1 + 2 * 3", 7, NULL },
		{ "(1 + 2) * 3", 9, NULL },
		{ "b - a == 2", 1, NULL },
		{ "b - a != 2", 0, NULL },
		{ "a < b && b <= 12 && !(a > b) && a >= 10", 1, NULL },
		{ "-a + 0x10 % 7", -8, NULL },
		{ "17 / 5 * 5 + 17 % 5", 17, NULL },
		{ "0 && 1 / 0", 0, NULL },
		{ "1 || 1 % 0", 1, NULL },
		{ "a == 10 || b == 10", 1, NULL },
		{ "9223372036854775807 + 1 < 0", 1, NULL },
		{ "1 / 0", 0, "division by zero at column 6 of \"1 / 0\"" },
		{ "a + c", 0, "unknown name 'c' at column 5 of \"a + c\"" },
		{ "(a + b", 0, "expected ')' at column 7 of \"(a + b\"" },
		{ "a = b", 0, "unexpected '=' at column 3 of \"a = b\"" },
		{ "", 0, "unexpected end at column 1 of \"\"" },
		{ "12x", 0, "bad digit 'x' at column 3 of \"12x\"" },
		{ "99999999999999999999", 0, "number too large at column 19 of \"99999999999999999999\"" },
	};
	static const struct lab_expr_var vars[] = { { "a", 10 }, { "b", 12 } };
	char *const names[] = { "a", "b" };
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -12345;
		int ret;

		err[0] = '\0';
		ret = lab_expr_eval(cases[i].src, vars, 2, &v, err, sizeof(err));
		if (cases[i].err) {
			CHECK(ret == -EINVAL);
			CHECK_STR(err, cases[i].err);
		} else {
			CHECK(ret == 0);
			if (ret < 0 || v != cases[i].value)
				fprintf(stderr, "expr \"%s\": %lld (%s)\n", cases[i].src, (long long)v,
					err);
			CHECK(v == cases[i].value);
		}
	}
	CHECK(lab_expr_check("a / 0 + b", names, 2, err, sizeof(err)) == 0);
	CHECK(lab_expr_check("a + x", names, 2, err, sizeof(err)) == -EINVAL);
	CHECK_STR(err, "unknown name 'x' at column 5 of \"a + x\"");
	/* nesting is bounded, not recursed into until the stack runs out */
	{
		static char deep[200003];
		int64_t v;

		memset(deep, '(', 100000);
		deep[100000] = '1';
		memset(deep + 100001, ')', 100000);
		CHECK(lab_expr_eval(deep, vars, 2, &v, err, sizeof(err)) == -EINVAL);
		CHECK_MSG(strstr(err, "nested more than 64 levels deep at column 65") != NULL, "%.80s", err);
		memset(deep, '-', 200000);
		deep[200000] = '1';
		deep[200001] = '\0';
		CHECK(lab_expr_check(deep, names, 2, err, sizeof(err)) == -EINVAL);
		CHECK(strstr(err, "nested more than 64 levels deep") != NULL);
		CHECK(lab_expr_eval("((((((((((1))))))))))", vars, 2, &v, err, sizeof(err)) == 0 &&
		      v == 1);
	}
}

/* A timestamp inside the run's window by seconds, the TSC or KVM's clock (32-bit values
 * compared modulo 2^32, as lab 04 does), and numExitsByType against the grader's counts at
 * the call (NAME_K_in): each window passes its value and fails one outside it. */
static const char window_text[] =
	"id: windows\n"
	"title: clock windows and counts at a call\n"
	"mode: long\n"
	"guest: {kind: c64, sources: [guest.c]}\n"
	"handlers: h.c\n"
	"checks:\n"
	"  - id: ts\n"
	"    points: 1\n"
	"    output:\n"
	"      regex: \"^ts: ([0-9]+)$\"\n"
	"      names: [t]\n"
	"      expect: \"(t >= start - 2 && t <= end + 2) || (t - tsc_start % 4294967296 + "
	"4294967296) % 4294967296 <= tsc_end - tsc_start || (t - clock_start % 4294967296 + "
	"4294967296) % 4294967296 <= clock_end - clock_start\"\n"
	"  - id: bytype\n"
	"    points: 1\n"
	"    output:\n"
	"      regex: \"^IO in: ([0-9]+)\\nIO out: ([0-9]+)$\"\n"
	"      names: [i, o]\n"
	"      expect: \"i == numExitsByType_2_in && o == numExitsByType_2_out\"\n";

static bool window_passes(const struct lab *lab, struct lab_run *run, const char *text)
{
	struct lab_check_result *res;
	bool pass;

	snprintf(output, sizeof(output), "%s", text);
	run->output = output;
	run->output_len = strlen(output);
	res = grade(lab, run);
	if (!res)
		return false;
	pass = res[0].status == LAB_PASS && res[1].status == LAB_PASS;
	lab_check_results_free(res, lab->checks_count);
	return pass;
}

static void test_windows(void)
{
	char path[600], err[1024] = "";
	struct lab *lab = NULL;
	struct lab_run run = { 0 };
	uint64_t tsc = (5ull << 32) + 0xfffffff0u;   /* wraps at 2^32 during the run */

	snprintf(path, sizeof(path), "%s/lab.yaml", dir);
	CHECK(write_file(path, window_text) == 0);
	if (lab_load(path, NULL, &lab, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(!"the windows lab loads");
		return;
	}
	run.start = 1764000000;
	run.end = 1764000001;
	run.tsc_start = tsc;
	run.tsc_end = tsc + 0x40;
	run.clock_start = 7000000000ull;       /* 7 s, 0xa13b8600 */
	run.clock_end = 7000000000ull + 1000;
	run.hc_seen[VMM_HC_NUMEXITSBYTYPE][1][0] = 4;
	run.hc_seen[VMM_HC_NUMEXITSBYTYPE][1][1] = 22;
	CHECK(window_passes(lab, &run, "ts: 1764000001\nIO in: 4\nIO out: 22\n"));   /* time() */
	CHECK(window_passes(lab, &run, "ts: 4294967295\nIO in: 4\nIO out: 22\n"));   /* TSC, before the wrap */
	CHECK(window_passes(lab, &run, "ts: 16\nIO in: 4\nIO out: 22\n"));           /* TSC, after it */
	CHECK(window_passes(lab, &run, "ts: 2705032704\nIO in: 4\nIO out: 22\n"));   /* KVM's clock */
	CHECK(!window_passes(lab, &run, "ts: 1763999000\nIO in: 4\nIO out: 22\n"));  /* too early */
	CHECK(!window_passes(lab, &run, "ts: 49\nIO in: 4\nIO out: 22\n"));          /* past the TSC */
	CHECK(!window_passes(lab, &run, "ts: 4096\nIO in: 4\nIO out: 22\n"));
	CHECK(!window_passes(lab, &run, "ts: 1764000001\nIO in: 2\nIO out: 22\n"));  /* a count off */
	lab_free(lab);

	/* a lab without handlers has no hypercall of its own to count at */
	CHECK(write_file(path, "id: x\ntitle: x\nmode: long\nguest: {kind: c64, sources: [g.c]}\n"
			 "checks:\n  - {id: c, points: 1, output: {regex: \"([0-9]+)\", names: [a],\n"
			 "    expect: \"a == numExits_1_in\"}}\n") == 0);
	CHECK(lab_load(path, NULL, &lab, err, sizeof(err)) < 0 && lab == NULL);
	CHECK_MSG(strstr(err, "unknown name 'numExits_1_in'") != NULL, "%s", err);
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_expr();
	test_checks();
	test_windows();
	test_answers();
	rmdir(dir);
	return check_summary();
}
