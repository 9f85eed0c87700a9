/* addr.c - what a user types at the TUI's prompts: addresses (hex, registers, SEG:OFF,
 * p:ADDR), lengths and step numbers. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"

static int parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 16)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int c = tolower((unsigned char)s[i]);

		if (!isxdigit(c))
			return -EINVAL;
		v = v << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	*out = v;
	return 0;
}

/* A register's value: rax/eax/ax style names, r8..r15, rip; the stack and instruction pointers
 * get their segment's base as the CPU adds it (none for CS/SS in 64-bit mode). */
static int reg_named(const struct kvm_regs *r, const struct kvm_sregs *s, const char *t, size_t n,
		     uint64_t *out)
{
	static const char *const names[] = {
		"ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "ip",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	const uint64_t vals[] = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp, r->rip,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
	};
	uint64_t mask = ~0ull;
	char name[8];

	if (n < 2 || n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)t[i]);
	name[n] = '\0';
	if (n == 3 && (name[0] == 'r' || name[0] == 'e') && !isdigit((unsigned char)name[1])) {
		mask = name[0] == 'e' ? 0xffffffffull : ~0ull;
		memmove(name, name + 1, n);
	} else if (n == 2 && name[0] != 'r') {
		mask = 0xffff;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) != 0)
			continue;
		*out = vals[i] & mask;
		if (strcmp(name, "ip") == 0)
			*out = x86_linear(s, X86_SEG_CS, *out);
		else if (strcmp(name, "sp") == 0 || strcmp(name, "bp") == 0)
			*out = x86_linear(s, X86_SEG_SS, *out);
		return 0;
	}
	return -EINVAL;
}

/* The system registers the panes show; cr3 is the physical address of the top-level table. */
static int sreg_named(const struct kvm_sregs *s, const char *t, size_t n, uint64_t *out, bool *phys)
{
	const struct { const char *name; uint64_t v; } regs[] = {
		{ "cr0", s->cr0 }, { "cr2", s->cr2 }, { "cr4", s->cr4 }, { "cr8", s->cr8 },
		{ "efer", s->efer }, { "gdt", s->gdt.base }, { "gdtr", s->gdt.base },
		{ "idt", s->idt.base }, { "idtr", s->idt.base },
	};

	if (n == 3 && strncasecmp(t, "cr3", 3) == 0) {
		bool pae32 = (s->cr4 & X86_CR4(PAE)) && !(s->efer & X86_EFER(LMA));

		*out = s->cr3 & (pae32 ? ~0x1full : 0x000ffffffffff000ull);
		*phys = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (strlen(regs[i].name) == n && strncasecmp(t, regs[i].name, n) == 0) {
			*out = regs[i].v;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_term(const char *t, size_t n, const struct tui_addr_env *env, uint64_t *out,
		      bool *phys)
{
	const struct kvm_regs *r = env->r;
	const struct kvm_sregs *s = env->s;
	const char *colon = memchr(t, ':', n);
	uint64_t para, off;
	enum x86_seg seg;

	if (colon) {
		const char *o = colon + 1;
		size_t on = n - (size_t)(o - t);

		if (parse_hex(o, on, &off) < 0 && !(env->sym && (isalpha((unsigned char)*o) || *o == '_' ||
								  *o == '.') &&
						     env->sym(env->sym_ctx, o, on, &off) == 0))
			return -EINVAL;
		if (s && x86_seg_parse(t, (size_t)(colon - t), &seg) == 0)
			*out = x86_linear(s, seg, off);
		else if (parse_hex(t, (size_t)(colon - t), &para) == 0 && para <= 0xffff)
			*out = (para << 4) + off;  /* a real-mode segment value */
		else
			return -EINVAL;
		return 0;
	}
	if (r && s && reg_named(r, s, t, n, out) == 0)
		return 0;
	if (s && sreg_named(s, t, n, out, phys) == 0)
		return 0;
	if (env->sym && !(n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) &&
	    env->sym(env->sym_ctx, t, n, out) == 0)
		return 0;
	return parse_hex(t, n, out);
}

int tui_parse_addr(const char *text, const struct kvm_regs *r, const struct kvm_sregs *s,
		   struct tui_addr *out)
{
	const struct tui_addr_env env = { .r = r, .s = s };

	return tui_parse_addr_env(text, &env, out);
}

int tui_parse_addr_env(const char *text, const struct tui_addr_env *env, struct tui_addr *out)
{
	char buf[TUI_PROMPT_MAX];
	size_t n;
	char *p = buf, *op;
	uint64_t base, delta = 0;
	bool phys = false;

	while (isspace((unsigned char)*text))
		text++;
	n = strlen(text);
	while (n && isspace((unsigned char)text[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (strncasecmp(p, "p:", 2) == 0 || strncasecmp(p, "phys:", 5) == 0) {
		phys = true;
		p = strchr(p, ':') + 1;
	}
	op = strpbrk(p, "+-");
	if (op) {
		char sign = *op;

		if (parse_hex(op + 1, strlen(op + 1), &delta) < 0)
			return -EINVAL;
		if (sign == '-')
			delta = (uint64_t)0 - delta;
		*op = '\0';
	}
	if (parse_term(p, strlen(p), env, &base, &phys) < 0)
		return -EINVAL;
	out->addr = base + delta;
	out->phys = phys;
	return 0;
}

int tui_parse_addr_len(const char *text, const struct kvm_regs *r, const struct kvm_sregs *s,
		       struct tui_addr *out, uint64_t *len)
{
	const struct tui_addr_env env = { .r = r, .s = s };

	return tui_parse_addr_len_env(text, &env, out, len);
}

int tui_parse_addr_len_env(const char *text, const struct tui_addr_env *env, struct tui_addr *out,
			   uint64_t *len)
{
	char buf[TUI_PROMPT_MAX];
	char *sp, *end;
	unsigned long long v;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	while (isspace((unsigned char)*buf))
		memmove(buf, buf + 1, strlen(buf));
	sp = strpbrk(buf, " \t");
	if (sp) {
		*sp++ = '\0';
		while (isspace((unsigned char)*sp))
			sp++;
		if (*sp) {
			if (*sp == '-')
				return -EINVAL;
			errno = 0;
			v = strtoull(sp, &end, 0);
			while (isspace((unsigned char)*end))
				end++;
			if (errno || *end || v == 0)
				return -EINVAL;
			*len = v;
		}
	}
	return tui_parse_addr_env(buf, env, out);
}

int tui_parse_step(const char *text, uint64_t cur, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int sign = 0;

	while (isspace((unsigned char)*text))
		text++;
	if (*text == '+' || *text == '-')
		sign = *text++ == '+' ? 1 : -1;
	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end)
		return -EINVAL;
	if (sign > 0)
		*out = cur + v;
	else if (sign < 0)
		*out = v > cur ? 0 : cur - v;
	else
		*out = v;
	return 0;
}
