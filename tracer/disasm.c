/* disasm.c - Zydis decoding and formatting, with guest symbols for the addresses it prints. */
#include "disasm.h"

#include <Zycore/Format.h>
#include <errno.h>
#include <stdio.h>

#include "symbols.h"

/* What the address hook needs: the symbols and the base the printed addresses are offsets from. */
struct fmt_ctx {
	const struct symbols *syms;
	uint64_t base;
};

static ZydisFormatterFunc print_address_default;

/* An absolute address (a branch target, a RIP-relative or absolute memory operand) by name when
 * a symbol covers it, else as Zydis prints it. */
static ZyanStatus print_address(const ZydisFormatter *f, ZydisFormatterBuffer *buf,
				ZydisFormatterContext *ctx)
{
	const struct fmt_ctx *fc = ctx->user_data;
	ZyanU64 addr;
	ZyanString *str;
	char label[SYMBOLS_NAME_MAX + 24];

	if (fc && fc->syms &&
	    ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(ctx->instruction, ctx->operand, ctx->runtime_address,
						  &addr)) &&
	    symbols_label(fc->syms, fc->base + addr, label, sizeof(label)) == 0) {
		ZYAN_CHECK(ZydisFormatterBufferAppend(buf, ZYDIS_TOKEN_SYMBOL));
		ZYAN_CHECK(ZydisFormatterBufferGetString(buf, &str));
		return ZyanStringAppendFormat(str, "%s", label);
	}
	return print_address_default(f, buf, ctx);
}

int disasm_init(struct disasm *d)
{
	ZydisFormatterFunc hook = print_address;

	d->syms = NULL;
	if (ZYAN_FAILED(ZydisDecoderInit(&d->dec16, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16)) ||
	    ZYAN_FAILED(ZydisDecoderInit(&d->dec32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32)) ||
	    ZYAN_FAILED(ZydisDecoderInit(&d->dec64, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisFormatterInit(&d->fmt, ZYDIS_FORMATTER_STYLE_INTEL)) ||
	    ZYAN_FAILED(ZydisFormatterSetHook(&d->fmt, ZYDIS_FORMATTER_FUNC_PRINT_ADDRESS_ABS,
					      (const void **)&hook)))
		return -EINVAL;
	print_address_default = hook;  /* Zydis's own, the same for every formatter */
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

int disasm_format_at(const struct disasm *d, const struct insn *in, uint64_t addr, uint64_t base,
		     char *buf, size_t len)
{
	struct fmt_ctx fc = { d->syms, base };

	if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&d->fmt, &in->i, in->op,
							 in->i.operand_count_visible, buf, len,
							 addr, d->syms ? &fc : NULL)))
		return -EINVAL;
	return 0;
}

int disasm_format(const struct disasm *d, const struct insn *in, uint64_t addr, char *buf, size_t len)
{
	return disasm_format_at(d, in, addr, 0, buf, len);
}

int disasm_text_at(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, uint64_t addr,
		   uint64_t base, char *buf, size_t buflen)
{
	struct insn in;

	if (disasm_decode(d, bits, bytes, len, &in) < 0 ||
	    disasm_format_at(d, &in, addr, base, buf, buflen) < 0) {
		snprintf(buf, buflen, "(bad)");
		return 0;
	}
	return in.i.length;
}

int disasm_text(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, uint64_t addr,
		char *buf, size_t buflen)
{
	return disasm_text_at(d, bits, bytes, len, addr, 0, buf, buflen);
}
