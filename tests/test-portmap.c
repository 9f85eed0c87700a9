/* test-portmap.c - vmm/portmap.h: one map for hypercalls and file hypercalls, parsed once. */
#include <errno.h>

#include "error.h"
#include "portmap.h"
#include "testkit.h"

static void test_defaults(void)
{
	struct vmm_portmap m = { 0 };

	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT8), 0x500);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_GETTIMESTAMP), 0x506);
	CHECK_EQ(vmm_portmap_port(&m, VMM_PORTMAP_FC + VMM_FC_OPEN), 0x510);
	CHECK_EQ(vmm_portmap_port(&m, VMM_PORTMAP_FC + VMM_FC_CLOSE), 0x514);
	CHECK_EQ(vmm_portmap_port(NULL, VMM_HC_PRINT32), 0x501);
	CHECK_EQ(vmm_portmap_port(&m, VMM_PORTMAP__COUNT), 0);
	CHECK_EQ(vmm_portmap_port(&m, -1), 0);
	for (int i = 0; i < VMM_PORTMAP__COUNT; i++)
		CHECK_MSG(vmm_portmap_clash(&m, i) == -1, "%s clashes by default", vmm_portmap_name(i));
}

static void test_names(void)
{
	CHECK_STR(vmm_portmap_name(VMM_HC_PRINTSTR), "printStr");
	CHECK_STR(vmm_portmap_name(VMM_PORTMAP_FC + VMM_FC_SEEK), "fileSeek");
	CHECK_STR(vmm_portmap_name(VMM_PORTMAP__COUNT), "?");
	for (int i = 0; i < VMM_PORTMAP__COUNT; i++) {
		const char *n = vmm_portmap_name(i);

		CHECK_EQ(vmm_portmap_find(n, strlen(n)), i);
	}
	CHECK_EQ(vmm_portmap_find("FILEOPEN", 8), VMM_PORTMAP_FC + VMM_FC_OPEN);
	CHECK_EQ(vmm_portmap_find("print8=1", 6), VMM_HC_PRINT8);    /* only len bytes count */
	CHECK_EQ(vmm_portmap_find("print", 5), -ENOENT);
	CHECK_EQ(vmm_portmap_find("print88", 7), -ENOENT);
}

static void test_parse(void)
{
	struct vmm_portmap m = { 0 };

	/* hypercalls and file calls in one text, any case, hex or decimal */
	CHECK_EQ(vmm_portmap_parse(&m, "print8=0x600,FILEOPEN=0x610,numExits=1540"), 0);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT8), 0x600);
	CHECK_EQ(vmm_portmap_port(&m, VMM_PORTMAP_FC + VMM_FC_OPEN), 0x610);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_NUMEXITS), 1540);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT32), 0x501);        /* untouched */
	CHECK_EQ(vmm_portmap_parse(&m, ""), 0);
	CHECK_EQ(vmm_portmap_parse(&m, "print32=0x601,"), 0);          /* a trailing comma */
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT32), 0x601);

	/* refusals, each with its message */
	CHECK_EQ(vmm_portmap_parse(&m, "print8"), -EINVAL);
	CHECK_STR(vmm_last_error(), "hypercall map: 'print8' is not NAME=PORT");
	CHECK_EQ(vmm_portmap_parse(&m, "print8=1,,print32=2"), -EINVAL);
	CHECK_STR(vmm_last_error(), "hypercall map: '' is not NAME=PORT");
	CHECK_EQ(vmm_portmap_parse(&m, "fileOpn=0x600"), -EINVAL);
	CHECK_STR(vmm_last_error(), "hypercall map: unknown hypercall 'fileOpn' (known: print8, "
		  "print32, printStr, numExits, numExitsByType, gvaToHva, getTimestamp, fileOpen, "
		  "fileRead, fileWrite, fileSeek, fileClose)");
	CHECK_EQ(vmm_portmap_parse(&m, "fileOpen=0xe9"), -EINVAL);
	CHECK_STR(vmm_last_error(), "hypercall map: port '0xe9' for fileOpen is not a port number "
		  "from 1 to 0xffff other than the console's 0xe9");
	CHECK_EQ(vmm_portmap_parse(&m, "print8=0x10000"), -EINVAL);
	CHECK_EQ(vmm_portmap_parse(&m, "print8=0"), -EINVAL);
	CHECK_EQ(vmm_portmap_parse(&m, "print8=-1"), -EINVAL);
	CHECK_EQ(vmm_portmap_parse(&m, "print8="), -EINVAL);
	CHECK_EQ(vmm_portmap_parse(&m, "print8=0x600x"), -EINVAL);
	CHECK_EQ(vmm_portmap_parse(&m, "print8=99999999999999999999999"), -EINVAL);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT8), 0x600);          /* no refusal moved it */
	/* all or nothing: items before a bad one are not applied either */
	CHECK_EQ(vmm_portmap_parse(&m, "print8=0x700,bogus=1"), -EINVAL);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT8), 0x600);
}

static void test_set_and_clash(void)
{
	struct vmm_portmap m = { 0 };

	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_PRINTSTR, 0x501), 0);
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_PRINTSTR), VMM_HC_PRINT32);   /* print32's default */
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_PRINT32), VMM_HC_PRINTSTR);
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_PRINT8), -1);
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_PRINTSTR, 0x502), 0);
	/* sharing: told apart by size (print8 outb, print32 outl) or direction (numExits IN) */
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_PRINT8, 0x501), 0);
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_NUMEXITS, 0x501), 0);
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_PRINT8), -1);
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_PRINT32), -1);
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_NUMEXITS), -1);
	/* gvaToHva is OUT and IN: it meets print32's OUT and numExits' IN */
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_GVATOHVA, 0x501), 0);
	CHECK_EQ(vmm_portmap_clash(&m, VMM_HC_GVATOHVA), VMM_HC_PRINT32);
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_GVATOHVA, 0x505), 0);
	CHECK(vmm_hc_can_share(VMM_HC_PRINT8, VMM_HC_GVATOHVA));        /* a byte, dwords */
	CHECK(!vmm_hc_can_share(VMM_HC_NUMEXITS, VMM_HC_GETTIMESTAMP)); /* both IN dwords */
	CHECK(!vmm_hc_can_share(VMM_HC_PRINT32, VMM_HC_PRINT32));
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_NUMEXITS, 0x503), 0);
	CHECK_EQ(vmm_portmap_set(&m, VMM_PORTMAP_FC + VMM_FC_READ, 0x500), 0);  /* onto print8's old port */
	CHECK_EQ(vmm_portmap_clash(&m, VMM_PORTMAP_FC + VMM_FC_READ), -1);
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_PRINT8, 0xe9), -ERANGE);
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_PRINT8, 0), -ERANGE);
	CHECK_EQ(vmm_portmap_set(&m, VMM_HC_PRINT8, 0x10000), -ERANGE);
	CHECK_EQ(vmm_portmap_set(&m, VMM_PORTMAP__COUNT, 0x600), -ENOENT);
	CHECK_EQ(vmm_portmap_port(&m, VMM_HC_PRINT8), 0x501);
}

int main(void)
{
	test_defaults();
	test_names();
	test_parse();
	test_set_and_clash();
	return check_summary();
}
