/* disasm.h - x86 decoding and Intel-syntax text with Zydis, in the CPU's real mode. */
#pragma once

#include <Zydis/Zydis.h>
#include <stddef.h>
#include <stdint.h>

struct symbols;

struct disasm {
	ZydisDecoder dec16, dec32, dec64;
	ZydisFormatter fmt;
	const struct symbols *syms;  /* branch targets and absolute addresses by name; NULL: none */
};

struct insn {
	ZydisDecodedInstruction i;
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	int bits;
};

/* Set up decoders for 16-, 32- and 64-bit code. */
int disasm_init(struct disasm *d);

/* Decode one instruction of len bytes in bits (16/32/64) mode; -EILSEQ if invalid. */
int disasm_decode(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, struct insn *out);

/* Intel-syntax text of a decoded instruction at address addr into buf; an address it names is
 * shown as a symbol ("call setup_paging", "jmp hello_main+0x12") when d->syms has one there. */
int disasm_format(const struct disasm *d, const struct insn *in, uint64_t addr, char *buf, size_t len);

/* The same for an instruction whose addresses are offsets from a segment base (16-bit code shown
 * as CS:IP: addr is IP): symbols are looked up at base + address. */
int disasm_format_at(const struct disasm *d, const struct insn *in, uint64_t addr, uint64_t base,
		     char *buf, size_t len);

/* Decode and format in one go ("(bad)" for undecodable bytes); returns the instruction length or 0. */
int disasm_text(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, uint64_t addr,
		char *buf, size_t buflen);

/* disasm_text with symbols looked up at base + address (see disasm_format_at). */
int disasm_text_at(const struct disasm *d, int bits, const uint8_t *bytes, size_t len, uint64_t addr,
		   uint64_t base, char *buf, size_t buflen);
