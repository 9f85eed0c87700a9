/* test-instructor-checks.c - the check kinds an instructor asked for, without KVM: exits by
 * port, direction and size counted from the VMM's statistics and from what kvmlab exec saw;
 * writes_within over a hand-made image, dirty-page bitmap and final memory (the GDT and
 * page-table entries it names); timeout_ms; and every load-time refusal of the new keys.
 * tests/labs/test-checks.sh runs the same kinds against real KVM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../labs/harness/check.h"   /* the lab checks under test */
#include "runstate.h"
#include "exits.h"
#include "labfile.h"
#include "testkit.h"

static char dir[] = "/tmp/test-instructor-checks-XXXXXX";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Load a lab whose checks: list is checks (and whose top is head); NULL with err on failure. */
static struct lab *load(const char *head, const char *checks, char *err, size_t len)
{
	char path[600], text[8192];
	struct lab *lab = NULL;

	snprintf(path, sizeof(path), "%s/lab.yaml", dir);
	snprintf(text, sizeof(text), "id: t\ntitle: t\n%sguest: {kind: c64, sources: [g.c]}\n"
		 "checks:\n%s", head, checks);
	CHECK(write_file(path, text) == 0);
	err[0] = '\0';
	if (lab_load(path, NULL, &lab, err, len) < 0)
		return NULL;
	return lab;
}

/* Loading one check fails with a message containing want. */
static void refused(const char *check, const char *want)
{
	char err[1024];
	struct lab *lab = load("mode: long\n", check, err, sizeof(err));

	CHECK_MSG(lab == NULL, "%s loaded", check);
	CHECK_CONTAINS(err, want);
	lab_free(lab);
}

static void test_refusals(void)
{
	refused("  - {id: a, points: 1, exits: {port: 0x602, size: 3, equals: 1}}\n",
		":6:45: check 'a': an IO access is 1, 2 or 4 bytes, not 3");
	refused("  - {id: a, points: 1, exits: {type: IO in, dir: out, equals: 1}}\n",
		"dir 'out' contradicts type \"IO in\"");
	refused("  - {id: a, points: 1, exits: {type: HLT, port: 0x10, equals: 1}}\n",
		"port, hypercall, dir and size go with IO exits");
	refused("  - {id: a, points: 1, exits: {dir: sideways, equals: 1}}\n",
		"dir is in, out or any, not 'sideways'");
	refused("  - {id: a, points: 1, exits: {port: 0x10, vm: 1, equals: 1}}\n",
		"vm goes with program labs");
	refused("  - {id: a, points: 1, exits: {equals: 1}}\n",
		"give type (\"HLT\", \"IO out\", \"total\", ...), or port, hypercall, dir or size");
	refused("  - {id: a, points: 1, exits: {port: 0x10000, equals: 1}}\n",
		"port 0x10000 is above 0xffff");
	refused("  - {id: a, points: 1, exits: {port: 0x10, fish: 1, equals: 1}}\n",
		"unknown key 'fish'");
	refused("  - {id: a, points: 1, writes_within: [{from: 0x400zz, size: 8}]}\n",
		"'0x400zz' is not an address: give a number (0x400), a symbol of the guest");
	refused("  - {id: a, points: 1, writes_within: [{from: 0x400, to: 0x408, size: 8}]}\n",
		"give to (the first address after the range) or size, not both");
	refused("  - {id: a, points: 1, writes_within: [{from: 0x400}]}\n",
		"give to (the first address after the range) or size, not both");
	refused("  - {id: a, points: 1, writes_within: [{from: result, to: result+}]}\n",
		"'result+' is not an address");
	refused("  - {id: a, points: 1, writes_within: [{from: 0x400, size: 0}]}\n",
		"size 0 is an empty range");
	refused("  - {id: a, points: 1, writes_within: []}\n", "writes_within");
	refused("  - {id: a, points: 1, script: {program: /bin/true}}\n",
		"'/bin/true' must be a path in the lab folder, relative and without ..");
	refused("  - {id: a, points: 1, script: {program: ../x.py}}\n",
		"must be a path in the lab folder");
	refused("  - {id: a, points: 1, script: {program: missing.py}}\n",
		"'missing.py' is not a file in the lab folder");
	refused("  - {id: a, points: 1, script: {program: plain.py}}\n",
		"'plain.py' is not executable: chmod +x it");
	refused("  - {id: a, points: 1, timeout_ms: 0, stop: halted}\n",
		"timeout_ms is 1 to 600000 (milliseconds), not 0");
}

static struct lab_check_result one(const struct lab *lab, unsigned i, const struct lab_run *run)
{
	struct lab_check_result r;

	lab_check_evaluate(&lab->checks[i], run, &r);
	r.score = r.status == LAB_PASS ? lab->checks[i].points : r.score;
	return r;
}

static const char exits_checks[] =
	"  - {id: e0, points: 1, exits: {port: 0xe9, dir: out, size: 1, equals: 3}}\n"
	"  - {id: e1, points: 1, exits: {port: 0x602, size: 2, equals: 1}}\n"
	"  - {id: e2, points: 1, exits: {size: 4, equals: 2}}\n"
	"  - {id: e3, points: 1, exits: {type: IO in, port: 0x602, equals: 1}}\n"
	"  - {id: e4, points: 1, exits: {type: IO, min: 7}}\n"
	"  - {id: e5, points: 1, exits: {hypercall: print32, dir: out, size: 4, equals: 2}}\n"
	"  - {id: e6, points: 1, exits: {port: 0x700, equals: 0}}\n";

/* exits against the VMM's statistics, as vcpu.c counts them */
static void test_exits_vmm(void)
{
	static const struct { uint16_t port; bool in; unsigned size; } io[] = {
		{ 0xe9, false, 1 }, { 0xe9, false, 1 }, { 0xe9, false, 1 }, { 0x602, false, 2 },
		{ 0x602, true, 1 }, { 0x501, false, 4 }, { 0x501, false, 4 },
	};
	static const char *const actual[] = {
		"3 IO out exits of 1 byte on port 0xe9", "1 IO exits of 2 bytes on port 0x602",
		"2 IO exits of 4 bytes", "1 IO in exits on port 0x602", "7 IO exits",
		"2 IO out exits of 4 bytes on print32's port 0x501", "0 IO exits on port 0x700",
	};
	char err[1024];
	struct lab *lab = load("mode: long\n", exits_checks, err, sizeof(err));
	struct lab_run run;

	CHECK_MSG(lab != NULL, "%s", err);
	if (!lab)
		return;
	memset(&run, 0, sizeof(run));
	for (size_t i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
		vmm_exit_count_port(&run.stats, io[i].port, io[i].in, io[i].size);
		run.exits[io[i].in ? VMM_EXIT_IO_IN : VMM_EXIT_IO_OUT]++;
	}
	for (unsigned i = 0; i < lab->checks_count; i++) {
		struct lab_check_result r = one(lab, i, &run);

		CHECK_MSG(r.status == LAB_PASS, "%s: %s", lab->checks[i].id, r.message);
		CHECK_STR(r.actual, actual[i]);
		lab_check_result_fini(&r);
	}
	/* 32 other ports first: 0x602 is then counted only in ports_other */
	memset(&run.stats, 0, sizeof(run.stats));
	for (uint16_t p = 0x100; p < 0x100 + VMM_PORT_STATS; p++)
		vmm_exit_count_port(&run.stats, p, false, 1);
	vmm_exit_count_port(&run.stats, 0x602, false, 2);
	{
		struct lab_check_result r = one(lab, 1, &run);

		CHECK(r.status == LAB_FAIL);
		CHECK_CONTAINS(r.message, "the guest used more than 32 ports");
		lab_check_result_fini(&r);
	}
	lab_free(lab);
}

/* the same kind over what kvmlab exec saw in a program lab, per VM */
static void test_exits_program(void)
{
	static const char head[] =
		"program:\n  binary: vmm\n  abi: {file: hc.yaml, names: [print32bit]}\n"
		"  runs: [{id: l, args: [-l]}]\n";
	static const char checks[] =
		"  - {id: p0, points: 1, exits: {hypercall: print32bit, size: 4, equals: 2}}\n"
		"  - {id: p1, points: 1, exits: {port: 0x10, vm: 2, dir: out, size: 2, equals: 1}}\n"
		"  - {id: p2, points: 1, exits: {type: HLT, vm: 1, equals: 1}}\n"
		"  - {id: p3, points: 1, exits: {dir: in, equals: 1}}\n";
	struct lab_obs_exit x[] = {
		{ .vm = 1, .type = VMM_EXIT_IO_OUT, .port = 0xe8, .size = 4 },
		{ .vm = 1, .type = VMM_EXIT_IO_OUT, .port = 0xe8, .size = 4 },
		{ .vm = 1, .type = VMM_EXIT_IO_OUT, .port = 0xe8, .size = 1 },
		{ .vm = 2, .type = VMM_EXIT_IO_OUT, .port = 0x10, .size = 2 },
		{ .vm = 1, .type = VMM_EXIT_IO_OUT, .port = 0x10, .size = 2 },
		{ .vm = 2, .type = VMM_EXIT_IO_IN, .port = 0x10, .size = 1 },
		{ .vm = 1, .type = VMM_EXIT_HLT },
	};
	struct lab_obs obs = { .exits = x, .n = sizeof(x) / sizeof(x[0]), .kvm_opened = true };
	char err[1024];
	struct lab *lab;
	struct lab_run run;

	{
		char path[600], text[2048];

		snprintf(path, sizeof(path), "%s/lab.yaml", dir);
		snprintf(text, sizeof(text), "id: t\ntitle: t\n%schecks:\n%s", head, checks);
		CHECK(write_file(path, text) == 0);
		lab = NULL;
		if (lab_load(path, NULL, &lab, err, sizeof(err)) < 0)
			lab = NULL;
	}
	CHECK_MSG(lab != NULL, "%s", err);
	if (!lab)
		return;
	memset(&run, 0, sizeof(run));
	run.obs = &obs;
	for (int i = 0; i < LAB_ABI_MAX; i++)
		run.abi_port[i] = -1;
	run.abi_port[0] = 0xe8;
	for (unsigned i = 0; i < lab->checks_count; i++) {
		struct lab_check_result r = one(lab, i, &run);

		CHECK_MSG(r.status == LAB_PASS, "%s: %s", lab->checks[i].id, r.message);
		lab_check_result_fini(&r);
	}
	{   /* a script's state: the observed IO exits per VM, port, direction and size */
		struct json_object *st = lab_run_state(&lab->checks[0], &run, NULL, NULL);

		CHECK_STR(st ? json_object_to_json_string_ext(json_object_object_get(st, "exits"),
							      JSON_C_TO_STRING_PLAIN) : "",
			  "{\"total\":0,\"by_type\":{},\"io_other\":0,\"io\":["
			  "{\"vm\":1,\"port\":\"0xe8\",\"dir\":\"out\",\"size\":4,\"count\":2},"
			  "{\"vm\":1,\"port\":\"0xe8\",\"dir\":\"out\",\"size\":1,\"count\":1},"
			  "{\"vm\":2,\"port\":\"0x10\",\"dir\":\"out\",\"size\":2,\"count\":1},"
			  "{\"vm\":1,\"port\":\"0x10\",\"dir\":\"out\",\"size\":2,\"count\":1},"
			  "{\"vm\":2,\"port\":\"0x10\",\"dir\":\"in\",\"size\":1,\"count\":1}]}");
		CHECK(st && !json_object_object_get(st, "registers"));   /* seen from outside */
		json_object_put(st);
	}
	run.abi_port[0] = -1;
	{
		struct lab_check_result r = one(lab, 0, &run);

		CHECK_STR(r.message, "the submission declares no port for print32bit");
		lab_check_result_fini(&r);
	}
	lab_free(lab);
}

#define MEM (64u << 10)
static uint8_t image[MEM], mem[MEM];
static uint64_t dirty[(MEM / 4096 + 63) / 64];

static void mark(uint64_t a)
{
	dirty[a / 4096 / 64] |= 1ull << (a / 4096 % 64);
}

/* writes_within: a GDT accessed bit, a page-table accessed bit, a store; timeout_ms */
static void test_writes(void)
{
	static const char checks[] =
		"  - id: w\n    points: 2\n    writes_within:\n"
		"      - {from: 0x400, size: 8}\n      - {from: stack_top-0x100, to: stack_top}\n"
		"  - {id: t, points: 1, timeout_ms: 50, stop: halted}\n";
	char err[1024];
	struct lab *lab = load("mode: long\nmem: 64K\n", checks, err, sizeof(err));
	struct lab_check_result r;
	struct lab_run run;

	CHECK_MSG(lab != NULL, "%s", err);
	if (!lab)
		return;
	memset(&run, 0, sizeof(run));
	run.mem = mem;
	run.mem_size = MEM;
	run.image = image;
	run.dirty = dirty;
	run.stack_top = 0x8000;
	run.stop = VMM_STOP_HLT;
	/* long mode: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000, one 2 MiB page; GDT at 0x5000 */
	put64(image, 0x1000, 0x2000 | 7);
	put64(image, 0x2000, 0x3000 | 7);
	put64(image, 0x3000, 0x87);
	put64(image, 0x5008, 0x00af9b000000ffffull);
	put64(image, 0x5010, 0x00cf92000000ffffull);
	run.sregs.cr0 = 0x80000011;
	run.sregs.cr4 = 0x20;
	run.sregs.efer = 0x500;
	run.sregs.cr3 = 0x1000;
	run.sregs.gdt.base = 0x5000;
	run.sregs.gdt.limit = 23;
	memcpy(mem, image, MEM);
	put64(mem, 0x400, 42);
	mem[0x7ff0] = 1;
	mark(0x400);
	mark(0x7ff0);
	r = one(lab, 0, &run);
	CHECK(r.status == LAB_PASS && r.score == 2);
	CHECK_STR(r.actual, "2 bytes changed, all inside");
	CHECK_STR(r.expected, "changes only in [0x400, 0x408), [0x7f00, 0x8000)");
	lab_check_result_fini(&r);

	/* a changed byte on a page the log does not name is not seen: the log finds the pages */
	mem[0x4000] = 9;
	r = one(lab, 0, &run);
	CHECK(r.status == LAB_PASS);
	lab_check_result_fini(&r);
	mem[0x4000] = 0;

	mem[0x5015] |= 1;   /* the CPU loads a segment register with descriptor 2 */
	mark(0x5015);
	r = one(lab, 0, &run);
	CHECK(r.status == LAB_FAIL && r.score == 0);
	CHECK_STR(r.actual, "1 of 3 changed bytes outside, the first at guest physical 0x5015");
	CHECK_CONTAINS(r.message, "the run changed guest physical 0x5015, outside the ranges: "
		       "bytes from there were 92 cf 00 00 00 00 00 00, are 93 cf 00");
	CHECK_CONTAINS(r.message, "GDT descriptor 2 (selector 0x10), byte 5");
	CHECK_CONTAINS(r.message, "accessed bit (bit 40)");
	lab_check_result_fini(&r);
	mem[0x5015] &= ~1;

	mem[0x2000] |= 0x20;   /* a page walk sets PDPT[0].A */
	mark(0x2000);
	r = one(lab, 0, &run);
	CHECK(r.status == LAB_FAIL);
	CHECK_CONTAINS(r.message, "it is PDPT entry 0 of the table at 0x2000 (byte 0; the tables "
		       "the final CR3 0x1000 names): the CPU set its accessed bit (bit 5)");
	lab_check_result_fini(&r);
	mem[0x3000] |= 0x60;   /* PD[0], a 2 MiB leaf: accessed and dirty */
	mem[0x2000] &= ~0x20;
	mark(0x3000);
	r = one(lab, 0, &run);
	CHECK_CONTAINS(r.message, "PD entry 0 of the table at 0x3000");
	CHECK_CONTAINS(r.message, "accessed bit (bit 5) and dirty bit (bit 6");
	lab_check_result_fini(&r);
	mem[0x3000] &= ~0x60;

	/* no log: not checked, never passed */
	run.dirty = NULL;
	r = one(lab, 0, &run);
	CHECK(r.status == LAB_FAIL);
	CHECK_STR(r.message, "not checked: the run recorded no memory changes");
	lab_check_result_fini(&r);
	run.dirty = dirty;

	/* timeout_ms: the run's own wall-clock time */
	run.elapsed_ns = 49000000;
	r = one(lab, 1, &run);
	CHECK(r.status == LAB_PASS);
	lab_check_result_fini(&r);
	run.elapsed_ns = 51000000;
	r = one(lab, 1, &run);
	CHECK(r.status == LAB_FAIL && r.score == 0);
	CHECK_STR(r.message, "the run took 51 ms; this check allows 50 ms (timeout_ms)");
	lab_check_result_fini(&r);
	CHECK(lab->memlog);
	lab_free(lab);
}

int main(void)
{
	char p[600];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(p, sizeof(p), "%s/plain.py", dir);
	CHECK(write_file(p, "print('{}')\n") == 0);
	test_refusals();
	test_exits_vmm();
	test_exits_program();
	test_writes();
	unlink(p);
	snprintf(p, sizeof(p), "%s/lab.yaml", dir);
	unlink(p);
	rmdir(dir);
	return check_summary();
}
