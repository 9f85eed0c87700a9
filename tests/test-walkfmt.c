/* test-walkfmt.c - page walks rendered as text and JSON, compared line by line. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk.h"
#include "testkit.h"
#include "walkfmt.h"

/* Line n (from 0) of text, without its newline ("" past the end). */
static const char *line(const char *text, int n)
{
	static char one[512];
	const char *end;
	size_t len;

	while (n-- > 0 && text)
		text = (text = strchr(text, '\n')) ? text + 1 : NULL;
	if (!text)
		return "";
	end = strchr(text, '\n');
	len = end ? (size_t)(end - text) : strlen(text);
	if (len >= sizeof(one))
		len = sizeof(one) - 1;
	memcpy(one, text, len);
	one[len] = '\0';
	return one;
}

#define MEM_SIZE 0x800000u	/* 8 MiB: the example's 2 MiB page at 4 MiB is inside */

static uint8_t *mem;
static struct vmm_mem_view view;
static char out[4096];

/* The 4-level example: PML4 0x1fb000 -> PDPT 0x1fc000 -> PD 0x1fd000 [2] = 2 MiB at 4 MiB;
 * and PML4 0x1000 [3] -> 0x2000 [5] -> 0x3000 [7] (read-only) -> PT 0x4000 [9] -> 0x77abc. */
static void build(void)
{
	memset(mem, 0, MEM_SIZE);
	put64(mem, 0x1fb000, 0x1fc003);
	put64(mem, 0x1fc000, 0x1fd003);
	put64(mem, 0x1fd010, 0x400083);
	put64(mem, 0x1018, 0x2007);
	put64(mem, 0x2028, 0x3007);
	put64(mem, 0x3038, 0x4005);
	put64(mem, 0x4048, 0x8000000000077067ull);
}

static void test_example(void)
{
	static const char text[] =
		"linear 0x0000000000401234  (4-level paging, CR3=0x1fb000)\n"
		"  PML4[  0] bits 47..39  @0x1fb000  entry 0x00000000001fc003  P RW        -> table 0x1fc000\n"
		"  PDPT[  0] bits 38..30  @0x1fc000  entry 0x00000000001fd003  P RW        -> table 0x1fd000\n"
		"  PD  [  2] bits 29..21  @0x1fd010  entry 0x0000000000400083  P RW PS     -> "
		"2 MiB page 0x400000\n"
		"  offset 0x1234 (bits 20..0)\n"
		"= physical 0x0000000000401234  (writable, supervisor, executable)\n";
	static const char json[] =
		"{\"linear\":\"0x401234\",\"paging\":\"4-level\",\"cr3\":\"0x1fb000\",\"levels\":["
		"{\"name\":\"PML4\",\"index\":0,\"bits\":[47,39],\"table\":\"0x1fb000\","
		"\"entry_addr\":\"0x1fb000\",\"entry\":\"0x1fc003\",\"flags\":[\"P\",\"RW\"],\"leaf\":false},"
		"{\"name\":\"PDPT\",\"index\":0,\"bits\":[38,30],\"table\":\"0x1fc000\","
		"\"entry_addr\":\"0x1fc000\",\"entry\":\"0x1fd003\",\"flags\":[\"P\",\"RW\"],\"leaf\":false},"
		"{\"name\":\"PD\",\"index\":2,\"bits\":[29,21],\"table\":\"0x1fd000\","
		"\"entry_addr\":\"0x1fd010\",\"entry\":\"0x400083\",\"flags\":[\"P\",\"RW\",\"PS\"],"
		"\"leaf\":true}],\"status\":\"ok\",\"fail_level\":-1,\"phys\":\"0x401234\","
		"\"page_size\":2097152,\"writable\":true,\"user\":false,\"nx\":false,"
		"\"supervisor_write\":true,\"supervisor_fetch\":true,\"supervisor_data\":true}";
	struct vmm_walk w;
	int n;

	build();
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1fb000, NULL, 0x401234, &w), 0);
	n = walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(out, text);
	CHECK_EQ(n, (int)strlen(text));
	n = walkfmt_json(&w, out, sizeof(out));
	CHECK_STR(out, json);
	CHECK_EQ(n, (int)strlen(json));

	/* Exactly enough room, one byte short, none at all. */
	CHECK_EQ(walkfmt_text(&w, out, strlen(text) + 1), (int)strlen(text));
	CHECK_EQ(walkfmt_text(&w, out, strlen(text)), -ENOSPC);
	CHECK_EQ(out[strlen(text) - 1], '\0');
	CHECK_EQ(walkfmt_json(&w, out, 10), -ENOSPC);
	CHECK_EQ(walkfmt_text(&w, out, 0), -ENOSPC);
	CHECK_EQ(walkfmt_text(NULL, out, sizeof(out)), -EINVAL);
	CHECK_EQ(walkfmt_json(&w, NULL, 10), -EINVAL);

	/* The same page in 2 MiB of memory: the page lies beyond it. */
	view.size = 0x200000;
	CHECK_EQ(vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1fb000, NULL, 0x401234, &w), 0);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 6), "  note: beyond guest memory (size 0x200000)");
	view.size = MEM_SIZE;
}

static void test_4k_and_failures(void)
{
	struct vmm_walk_opts o = { .nxe = false, .pse = true, .maxphyaddr = 52 };
	struct vmm_walk w;

	build();
	vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 0), "linear 0x0000018140e09abc  (4-level paging, CR3=0x1000)");
	CHECK_STR(line(out, 3),
		  "  PD  [  7] bits 29..21  @0x3038    entry 0x0000000000004005  P US        -> table 0x4000");
	CHECK_STR(line(out, 4),
		  "  PT  [  9] bits 20..12  @0x4048    entry 0x8000000000077067  P RW US A D NX -> "
		  "4 KiB page 0x77000");
	CHECK_STR(line(out, 5), "  offset 0xabc (bits 11..0)");
	CHECK_STR(line(out, 6), "= physical 0x0000000000077abc  (read-only, user, no-execute)");
	CHECK_STR(line(out, 7), "");

	/* Not present at the PD. */
	put64(mem, 0x3038, 0x4004);
	vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 3), "  PD  [  7] bits 29..21  @0x3038    entry 0x0000000000004004  US");
	CHECK_STR(line(out, 4), "  stops at PD[7]: not present (P=0)");
	CHECK_STR(line(out, 5), "");
	walkfmt_json(&w, out, sizeof(out));
	CHECK_STR(strstr(out, "],\"status\""),
		  "],\"status\":\"not_present\",\"fail_level\":2,\"phys\":null,\"page_size\":null,"
		  "\"writable\":null,\"user\":null,\"nx\":null,\"supervisor_write\":null,"
		  "\"supervisor_fetch\":null,\"supervisor_data\":null}");

	/* NX without EFER.NXE: a reserved bit. */
	put64(mem, 0x3038, 0x8000000000004005ull);
	vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &o, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 3), "  PD  [  7] bits 29..21  @0x3038    entry 0x8000000000004005  P US NX");
	CHECK_STR(line(out, 4), "  stops at PD[7]: reserved bit set (bit 63): NX (bit 63) is reserved while EFER.NXE=0");
	walkfmt_json(&w, out, sizeof(out));
	CHECK_EQ(strstr(out, "\"status\":\"reserved\",\"fail_level\":2,"
			"\"reserved\":\"0x8000000000000000\",") != NULL, 1);
	put64(mem, 0x3038, 0x60e5);	/* PS with bits 13 and 14 set: reserved in a 2 MiB PDE */
	vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 4), "  stops at PD[7]: reserved bits set (bit 13, bit 14)");

	/* Bit 50 of a PDE with MAXPHYADDR 46 (the guest's CPUID 0x80000008): reserved, not a
	 * physical address beyond memory (the audit's wrong form, kept as a regression). */
	{
		struct vmm_walk_opts m46 = { .nxe = true, .pse = true, .maxphyaddr = 46, .wp = true };

		put64(mem, 0x3038, 0x0004000000200083ull);
		vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &m46, &w);
		walkfmt_text(&w, out, sizeof(out));
		CHECK_STR(line(out, 4), "  stops at PD[7]: reserved bit set (bit 50): above MAXPHYADDR 46 "
			  "(CPUID 0x80000008), a #PF with RSVD=1, not an address beyond guest memory");
		CHECK(strstr(out, "beyond guest memory (size") == NULL);
		m46.maxphyaddr = 52;
		vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &m46, &w);
		CHECK_EQ(w.status, VMM_WALK_OK);
	}

	/* A table past the end of memory. */
	put64(mem, 0x3038, 0x7ff007);
	view.size = 0x200000;
	vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 3),
		  "  PD  [  7] bits 29..21  @0x3038    entry 0x00000000007ff007  P RW US     -> table 0x7ff000");
	CHECK_STR(line(out, 4), "  PT  [  9] bits 20..12  @0x7ff048  entry (outside guest memory)");
	CHECK_STR(line(out, 5),
		  "  stops at PT[9]: entry at 0x7ff048 is outside guest memory (size 0x200000)");
	walkfmt_json(&w, out, sizeof(out));
	CHECK_EQ(strstr(out, "\"entry_addr\":\"0x7ff048\",\"entry\":null,\"flags\":[],\"leaf\":false}],"
			"\"status\":\"outside_memory\",\"fail_level\":3,") != NULL, 1);
	view.size = MEM_SIZE;

	/* Non-canonical. */
	vmm_walk(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x0000800000000000ull, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(out, "linear 0x0000800000000000  (4-level paging, CR3=0x1000)\n"
		  "  stops: non-canonical address (bits 63..47 must all equal bit 47)\n");
	walkfmt_json(&w, out, sizeof(out));
	CHECK_STR(out, "{\"linear\":\"0x800000000000\",\"paging\":\"4-level\",\"cr3\":\"0x1000\","
		  "\"levels\":[],\"status\":\"noncanonical\",\"fail_level\":-1,\"phys\":null,"
		  "\"page_size\":null,\"writable\":null,\"user\":null,\"nx\":null,\"supervisor_write\":null,"
		  "\"supervisor_fetch\":null,\"supervisor_data\":null}");
}

static void test_other_modes(void)
{
	struct vmm_walk w;

	vmm_walk(&view, VMM_PAGING_NONE, 0, NULL, 0x1234, &w);
	CHECK_EQ(walkfmt_text(&w, out, sizeof(out)), 53);
	CHECK_STR(out, "linear 0x00001234 = physical 0x00001234 (paging off)\n");
	walkfmt_json(&w, out, sizeof(out));
	CHECK_STR(out, "{\"linear\":\"0x1234\",\"paging\":\"none\",\"cr3\":\"0x0\",\"levels\":[],"
		  "\"status\":\"ok\",\"fail_level\":-1,\"phys\":\"0x1234\",\"page_size\":0,"
		  "\"writable\":true,\"user\":true,\"nx\":false,\"supervisor_write\":true,"
		  "\"supervisor_fetch\":true,\"supervisor_data\":true}");

	/* 32-bit, PSE-36: a 4 MiB page at 0x12_00c00000. */
	memset(mem, 0, MEM_SIZE);
	put32(mem, 0x10c00, 0x00c24083);
	vmm_walk(&view, VMM_PAGING_32, 0x10000, NULL, 0xc0123456, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 0), "linear 0xc0123456  (32-bit paging, CR3=0x10000)");
	CHECK_STR(line(out, 1),
		  "  PD  [768] bits 31..22  @0x10c00   entry 0x00c24083  P RW PS     -> 4 MiB page 0x1200c00000");
	CHECK_STR(line(out, 2), "  offset 0x123456 (bits 21..0)");
	CHECK_STR(line(out, 3), "= physical 0x0000001200d23456  (writable, supervisor, executable)");
	CHECK_STR(line(out, 4), "  note: beyond guest memory (size 0x800000)");

	/* PAE: the PDPTE shows only P, and sends the walk on to a table. */
	put64(mem, 0x20030, 0x21001);
	put64(mem, 0x21010, 0x600087);
	vmm_walk(&view, VMM_PAGING_PAE, 0x20020, NULL, 0x80401234, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 0), "linear 0x80401234  (PAE paging, CR3=0x20020)");
	CHECK_STR(line(out, 1),
		  "  PDPT[  2] bits 31..30  @0x20030   entry 0x0000000000021001  P           -> table 0x21000");
	CHECK_STR(line(out, 2),
		  "  PD  [  2] bits 29..21  @0x21010   entry 0x0000000000600087  P RW US PS  -> "
		  "2 MiB page 0x600000");
	CHECK_STR(line(out, 4), "= physical 0x00601234  (writable, user, executable)");

	/* A corrupt walk (nlevels out of range, no names) is rendered without crashing. */
	memset(&w, 0, sizeof(w));
	w.paging = VMM_PAGING_4LEVEL;
	w.nlevels = 99;
	w.fail_level = 42;
	w.status = VMM_WALK_NOT_PRESENT;
	CHECK_EQ(walkfmt_text(&w, out, sizeof(out)) > 0, 1);
	CHECK_STR(line(out, 6), "  stops: not present");
	CHECK_EQ(walkfmt_json(&w, out, sizeof(out)) > 0, 1);
}

/* The verdict follows CR0.WP, CR4.SMEP and CR4.SMAP (SDM Vol. 3A 4.6.1). */
static void test_verdict(void)
{
	struct vmm_walk_opts o;
	struct vmm_walk w;

	build();
	put64(mem, 0x4048, 0x0000000000077065ull);	/* user, read-only, executable */
	vmm_walk_opts_cpu(&o, 0x80000011, 0, 0x500, 0);	/* WP clear */
	vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &o, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 6), "= physical 0x0000000000077abc  (read-only for user code; supervisor "
		  "writes succeed: CR0.WP=0, user, executable)");
	CHECK(w.sup_write && !w.writable);
	vmm_walk_opts_cpu(&o, 0x80010011, 3u << 20, 0x500, 0);	/* WP, SMEP, SMAP */
	vmm_walk_ex(&view, VMM_PAGING_4LEVEL, 0x1000, NULL, 0x18140e09abcull, &o, &w);
	walkfmt_text(&w, out, sizeof(out));
	CHECK_STR(line(out, 6), "= physical 0x0000000000077abc  (read-only, user, executable; a "
		  "supervisor fetch faults: CR4.SMEP; a supervisor data access faults unless "
		  "EFLAGS.AC=1: CR4.SMAP)");
	CHECK(!w.sup_write && !w.sup_fetch && !w.sup_data);
	walkfmt_json(&w, out, sizeof(out));
	CHECK(strstr(out, "\"supervisor_write\":false,\"supervisor_fetch\":false,\"supervisor_data\":false}") != NULL);
	CHECK_EQ(vmm_maxphyaddr(true, 0x302e, 0), 46);
	CHECK_EQ(vmm_maxphyaddr(false, 0, 1u << 6), 36);
	CHECK_EQ(vmm_maxphyaddr(false, 0, 0), 32);
}

int main(void)
{
	mem = calloc(1, MEM_SIZE);
	if (!mem) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	view.base = mem;
	view.size = MEM_SIZE;
	test_example();
	test_4k_and_failures();
	test_other_modes();
	test_verdict();
	free(mem);
	return check_summary();
}
