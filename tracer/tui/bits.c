/* bits.c - segment types in a few letters (bit names come from x86.h). */

#include "model.h"

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
	return (s->type & X86_SEG_TYPE_CODE) ? code[s->type & 7] : data[s->type & 7];
}
