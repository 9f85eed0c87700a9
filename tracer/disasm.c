/* disasm.c - Zydis decoding and formatting. */
#include "disasm.h"

#include <errno.h>
#include <stdio.h>

int disasm_init(struct disasm *d)
{
	if (ZYAN_FAILED(ZydisDecoderInit(&d->dec16, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16)) ||
	    ZYAN_FAILED(ZydisDecoderInit(&d->dec32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32)) ||
	    ZYAN_FAILED(ZydisDecoderInit(&d->dec64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisFormatterInit(&d->fmt, ZYDIS_FORMATTER_STYLE_INTEL)))
		return -EINVAL;
	return 0;
}

int disasm_decode(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, struct insn *out)
{
	const ZydisDecoder *dec = bits == 64 ? &d->dec64 : bits == 32 ? &d->dec32 : &d->dec16;

	out->bits = bits;
	if (len == 0 || ZYAN_FAILED(ZydisDecoderDecodeFull(dec, bytes, len, &out->i, out->op)))
		return -EILSEQ;
	return 0;
}

int disasm_format(const struct disasm *d, const struct insn *in, uint64_t addr, char *buf, size_t len)
{
	if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&d->fmt, &in->i, in->op,
							 in->i.operand_count_visible, buf, len,
							 addr, NULL)))
		return -EINVAL;
	return 0;
}

int disasm_text(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, uint64_t addr,
		char *buf, size_t buflen)
{
	struct insn in;

	if (disasm_decode(d, bits, bytes, len, &in) < 0 || disasm_format(d, &in, addr, buf, buflen) < 0) {
		snprintf(buf, buflen, "(bad)");
		return 0;
	}
	return in.i.length;
}
