/* bits.c - control registers, EFER and RFLAGS by bit name; segment types in a few letters. */
#include <stdio.h>
#include <string.h>

#include "model.h"

const struct tui_bit tui_cr0_bits[] = {
	{ 0, "PE" }, { 1, "MP" }, { 2, "EM" }, { 3, "TS" }, { 4, "ET" }, { 5, "NE" },
	{ 16, "WP" }, { 18, "AM" }, { 29, "NW" }, { 30, "CD" }, { 31, "PG" }, { 0, NULL },
};

const struct tui_bit tui_cr4_bits[] = {
	{ 0, "VME" }, { 1, "PVI" }, { 2, "TSD" }, { 3, "DE" }, { 4, "PSE" }, { 5, "PAE" },
	{ 6, "MCE" }, { 7, "PGE" }, { 8, "PCE" }, { 9, "OSFXSR" }, { 10, "OSXMMEXCPT" },
	{ 11, "UMIP" }, { 12, "LA57" }, { 13, "VMXE" }, { 14, "SMXE" }, { 16, "FSGSBASE" },
	{ 17, "PCIDE" }, { 18, "OSXSAVE" }, { 20, "SMEP" }, { 21, "SMAP" }, { 22, "PKE" },
	{ 23, "CET" }, { 0, NULL },
};

const struct tui_bit tui_efer_bits[] = {
	{ 0, "SCE" }, { 8, "LME" }, { 10, "LMA" }, { 11, "NXE" }, { 12, "SVME" }, { 13, "LMSLE" },
	{ 14, "FFXSR" }, { 15, "TCE" }, { 0, NULL },
};

const struct tui_bit tui_rflags_bits[] = {
	{ 0, "CF" }, { 2, "PF" }, { 4, "AF" }, { 6, "ZF" }, { 7, "SF" }, { 8, "TF" }, { 9, "IF" },
	{ 10, "DF" }, { 11, "OF" }, { 14, "NT" }, { 16, "RF" }, { 17, "VM" }, { 18, "AC" },
	{ 19, "VIF" }, { 20, "VIP" }, { 21, "ID" }, { 0, NULL },
};

size_t tui_bits_text(uint64_t v, const struct tui_bit *t, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (; t->name; t++) {
		size_t k = strlen(t->name) + (n ? 1 : 0);

		if (!(v >> t->bit & 1))
			continue;
		if (n + k + 1 > len)
			break;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", t->name);
	}
	return n;
}

const char *tui_seg_type(const struct kvm_segment *s)
{
	static const char *const code[8] = {
		"code X", "code X", "code RX", "code RX", "code XC", "code XC", "code RXC", "code RXC",
	};
	static const char *const data[8] = {
		"data R", "data R", "data RW", "data RW", "data Rv", "data Rv", "data RWv", "data RWv",
	};
	static const char *const sys[16] = {
		"sys 0", "TSS16", "LDT", "TSS16b", "call16", "taskgate", "int16", "trap16",
		"sys 8", "TSS", "sys 10", "TSSbusy", "call", "sys 13", "intgate", "trapgate",
	};

	if (s->unusable)
		return "-";
	if (!s->s)
		return sys[s->type & 15];
	return (s->type & 8) ? code[s->type & 7] : data[s->type & 7];
}
