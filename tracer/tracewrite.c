/* tracewrite.c - each step as readable text or as one JSON object per line.
 *
 * JSONL fields (stable): step, pc, cs, rip, mode, bits, bytes, asm, changed {name: [old, new]},
 * exit {type, port, size, count, in, data | addr}, writes [{addr, gpa, old, new, cut}],
 * retired {count, exact, skipped [{pc, asm}], fault {pc, vector}} (only for a step that did
 * not retire exactly one instruction: a fault, or a single-step trap that came late),
 * explain, walk (with --walk), and from the guest's ELF sym ("hello_main+0x5": the symbol the pc
 * is in) and src ("hello.c:23": its source line). Numbers that are addresses or register values
 * are hex strings.
 *
 * Text: a line "-- hello_main (hello.c:23) outb(...);" comes before a step whose symbol or source
 * line differs from the step written before it.
 */
#include "tracewrite.h"

#include <string.h>

#include "cpumode.h"
#include "exits.h"
#include "regdiff.h"
#include "symbols.h"
#include "vcpu.h"
#include "walkfmt.h"

void tracewriter_init(struct tracewriter *w, struct engine *e, enum trace_format format, bool walk, FILE *f)
{
	w->format = format;
	w->walk = walk;
	w->e = e;
	explain_init(&w->ex, e);
	outbuf_init(&w->out, f);
	w->where[0] = '\0';
	memset(w->where_cache, 0, sizeof(w->where_cache));
}

/* The symbol the step's pc is in, and its source line, when the guest's ELF names them (""
 * when not): an entry of the cache, valid until the next call. */
static const struct tracewriter_where *step_where(struct tracewriter *w, const struct step *st)
{
	uint64_t pc = engine_pc(&st->before, &st->sbefore);
	struct tracewriter_where *c = &w->where_cache[pc % TRACEWRITER_WHERE_CACHE];

	if (!c->valid || c->pc != pc) {
		symbols_label(w->e->syms, pc, c->sym, sizeof(c->sym));
		symbols_where(w->e->syms, pc, c->src, sizeof(c->src));
		c->pc = pc;
		c->valid = true;
	}
	return c;
}

/* "-- hello_main (hello.c:23) outb(...);" when the symbol or the source line changed. */
static void text_where(struct tracewriter *w, const char *sym, const char *src, const struct step *st)
{
	char fn[SYMBOLS_NAME_MAX + 1], line[200] = "", key[sizeof(w->where)];
	const char *file;
	unsigned lineno;
	uint64_t off;
	const char *name = symbols_find(w->e->syms, engine_pc(&st->before, &st->sbefore), &off);

	if (!*sym && !*src)
		return;
	snprintf(fn, sizeof(fn), "%s", name ? name : "");
	if (*src && symbols_line(w->e->syms, engine_pc(&st->before, &st->sbefore), &file, &lineno) == 0)
		symbols_source(w->e->syms, file, lineno, line, sizeof(line));
	snprintf(key, sizeof(key), "%s|%s", fn, src);
	if (strcmp(key, w->where) == 0)
		return;
	snprintf(w->where, sizeof(w->where), "%s", key);
	outbuf_str(&w->out, "          -- ");
	outbuf_str(&w->out, *sym ? sym : "?");
	if (*src) {
		outbuf_str(&w->out, " (");
		outbuf_str(&w->out, src);
		outbuf_str(&w->out, ")");
	}
	if (*line) {
		outbuf_str(&w->out, " ");
		outbuf_str(&w->out, line);
	}
	outbuf_put(&w->out, "\n", 1);
}

static void text_step(struct tracewriter *w, const struct step *st, const char *asm_text,
		      const char *why, const struct reg_change *ch, int nch)
{
	struct outbuf *o = &w->out;
	const struct kvm_sregs *s = &st->sbefore;
	char head[96];
	int n;

	if (vmm_cpu_mode(s) == VMM_CPU_REAL)
		n = snprintf(head, sizeof(head), "%8llu  %04x:%04llx  %-16s ", (unsigned long long)st->n,
			     s->cs.selector, (unsigned long long)st->before.rip, vmm_cpu_label(s));
	else
		n = snprintf(head, sizeof(head), "%8llu  %9llx  %-16s ", (unsigned long long)st->n,
			     (unsigned long long)engine_pc(&st->before, s), vmm_cpu_label(s));
	outbuf_put(o, head, (size_t)n);
	n = snprintf(head, sizeof(head), "%-30s", asm_text);
	outbuf_put(o, head, (size_t)n);
	for (int i = 0; i < nch; i++) {
		if (strcmp(ch[i].name, "rip") == 0)
			continue;
		outbuf_str(o, "  ");
		outbuf_str(o, ch[i].name);
		outbuf_put(o, " ", 1);
		outbuf_hex(o, ch[i].old);
		outbuf_put(o, "->", 2);
		outbuf_hex(o, ch[i].new);
	}
	for (int k = 0; k < st->nwrites; k++) {
		outbuf_str(o, "  [");
		outbuf_hex(o, st->w[k].gva);
		outbuf_str(o, "] <- ");
		outbuf_bytes(o, st->w[k].new, st->w[k].len, ' ');
	}
	outbuf_put(o, "\n", 1);
	if (*why) {
		outbuf_str(o, "          = ");
		outbuf_str(o, why);
		outbuf_put(o, "\n", 1);
	}
}

static void json_exit(struct outbuf *o, const struct step_exit *x)
{
	outbuf_str(o, ",\"exit\":{\"type\":");
	outbuf_json_str(o, vmm_exit_name(x->kind));
	if (x->kind == VMM_EXIT_IO_IN || x->kind == VMM_EXIT_IO_OUT) {
		uint32_t v = 0;

		memcpy(&v, x->data, x->size <= 4 ? x->size : 4);
		outbuf_str(o, ",\"port\":\"");
		outbuf_hex(o, x->port);
		outbuf_str(o, "\",\"size\":");
		outbuf_u64(o, x->size);
		outbuf_str(o, ",\"count\":");
		outbuf_u64(o, x->count);
		outbuf_str(o, ",\"data\":\"");
		outbuf_hex(o, v);
		outbuf_put(o, "\"", 1);
	} else if (x->kind == VMM_EXIT_MMIO_READ || x->kind == VMM_EXIT_MMIO_WRITE) {
		outbuf_str(o, ",\"addr\":\"");
		outbuf_hex(o, x->addr);
		outbuf_str(o, "\",\"size\":");
		outbuf_u64(o, x->size);
		outbuf_str(o, ",\"data\":\"");
		outbuf_bytes(o, x->data, x->size <= 8 ? x->size : 8, 0);
		outbuf_put(o, "\"", 1);
	}
	outbuf_put(o, "}", 1);
}

/* A step in which the trap came late: how many instructions it retired, and the ones after its
 * own (with the one that raised an exception on the way, if any). */
static void json_retired(struct tracewriter *w, const struct step *st)
{
	struct outbuf *o = &w->out;
	char text[96];

	outbuf_str(o, ",\"retired\":{\"count\":");
	outbuf_u64(o, st->flow.retired);
	outbuf_str(o, st->flow.unknown ? ",\"exact\":false,\"skipped\":[" : ",\"exact\":true,\"skipped\":[");
	for (int i = 0; i < st->flow.nskip; i++) {
		explain_skip_text(&w->ex, st, i, text, sizeof(text));
		outbuf_str(o, i ? ",{\"pc\":\"" : "{\"pc\":\"");
		outbuf_hex(o, st->flow.skip[i]);
		outbuf_str(o, "\",\"asm\":");
		outbuf_json_str(o, text);
		outbuf_put(o, "}", 1);
	}
	outbuf_put(o, "]", 1);
	if (st->flow.fault_vector >= 0) {
		outbuf_str(o, ",\"fault\":{\"pc\":\"");
		outbuf_hex(o, st->flow.fault_pc);
		outbuf_str(o, "\",\"vector\":");
		outbuf_u64(o, (uint64_t)st->flow.fault_vector);
		outbuf_put(o, "}", 1);
	}
	outbuf_put(o, "}", 1);
}

static void json_step(struct tracewriter *w, const struct step *st, const char *asm_text,
		      const char *why, const struct reg_change *ch, int nch, const char *walk,
		      const char *sym, const char *src)
{
	struct outbuf *o = &w->out;
	const struct kvm_sregs *s = &st->sbefore;

	outbuf_str(o, "{\"step\":");
	outbuf_u64(o, st->n);
	outbuf_str(o, ",\"pc\":\"");
	outbuf_hex(o, engine_pc(&st->before, s));
	outbuf_str(o, "\",\"cs\":\"");
	outbuf_hex(o, s->cs.selector);
	outbuf_str(o, "\",\"rip\":\"");
	outbuf_hex(o, st->before.rip);
	outbuf_str(o, "\",\"mode\":");
	outbuf_json_str(o, vmm_cpu_label(s));
	outbuf_str(o, ",\"bits\":");
	outbuf_u64(o, (uint64_t)vmm_cpu_code_bits(s));
	outbuf_str(o, ",\"bytes\":\"");
	outbuf_bytes(o, st->insn, st->insn_len, 0);
	outbuf_str(o, "\",\"asm\":");
	outbuf_json_str(o, asm_text);
	outbuf_str(o, ",\"changed\":{");
	for (int i = 0; i < nch; i++) {
		outbuf_str(o, i ? ",\"" : "\"");
		outbuf_str(o, ch[i].name);
		outbuf_str(o, "\":[\"");
		outbuf_hex(o, ch[i].old);
		outbuf_str(o, "\",\"");
		outbuf_hex(o, ch[i].new);
		outbuf_str(o, "\"]");
	}
	outbuf_put(o, "}", 1);
	if (st->has_exit)
		json_exit(o, &st->exit);
	if (st->nwrites) {
		outbuf_str(o, ",\"writes\":[");
		for (int k = 0; k < st->nwrites; k++) {
			outbuf_str(o, k ? ",{\"addr\":\"" : "{\"addr\":\"");
			outbuf_hex(o, st->w[k].gva);
			outbuf_str(o, "\",\"gpa\":\"");
			outbuf_hex(o, st->w[k].gpa);
			outbuf_str(o, "\",\"old\":\"");
			outbuf_bytes(o, st->w[k].old, st->w[k].len, 0);
			outbuf_str(o, "\",\"new\":\"");
			outbuf_bytes(o, st->w[k].new, st->w[k].len, 0);
			outbuf_str(o, st->w[k].cut ? "\",\"cut\":true}" : "\"}");
		}
		outbuf_put(o, "]", 1);
	}
	if (st->flow.retired != 1 || st->flow.nskip || st->flow.unknown || st->flow.fault_vector >= 0)
		json_retired(w, st);
	if (*why) {
		outbuf_str(o, ",\"explain\":");
		outbuf_json_str(o, why);
	}
	if (*sym) {
		outbuf_str(o, ",\"sym\":");
		outbuf_json_str(o, sym);
	}
	if (*src) {
		outbuf_str(o, ",\"src\":");
		outbuf_json_str(o, src);
	}
	if (walk) {
		outbuf_str(o, ",\"walk\":");
		outbuf_str(o, walk);
	}
	outbuf_str(o, "}\n");
}

/* Append KVM_TRANSLATE's answer for the walked address when the vCPU still has the same tables. */
static void cross_check(struct tracewriter *w, const struct step *st, const struct vmm_walk *wk,
			uint64_t lin, char *buf, size_t len)
{
	const struct kvm_sregs *a = &st->sbefore, *b = &w->e->cpu->sregs;
	bool valid, agree;
	uint64_t gpa;

	if (st != &w->e->last || a->cr3 != b->cr3 || ((a->cr0 ^ b->cr0) & 0x80000001u) ||
	    ((a->cr4 ^ b->cr4) & 0x1030u) || ((a->efer ^ b->efer) & 0x500u) ||
	    engine_translate(w->e, wk, lin, &gpa, &valid) < 0)
		return;
	agree = valid == (wk->status == VMM_WALK_OK) && (!valid || gpa == wk->phys);
	if (w->format == TRACE_JSONL) {
		/* walkfmt_json ended with '}': reopen the object for two more fields. */
		buf[-1] = '\0';
		if (valid)
			snprintf(buf - 1, len + 1, ",\"kvm_translate\":\"0x%llx\",\"agrees\":%s}",
				 (unsigned long long)gpa, agree ? "true" : "false");
		else
			snprintf(buf - 1, len + 1, ",\"kvm_translate\":null,\"agrees\":%s}", agree ? "true" : "false");
	} else {
		snprintf(buf, len, "  KVM_TRANSLATE: %s0x%llx  (%s)\n", valid ? "physical " : "not mapped, ",
			 (unsigned long long)gpa, agree ? "agrees" : "DISAGREES with the walk above");
	}
}

void tracewriter_step(struct tracewriter *w, const struct step *st)
{
	struct reg_change ch[REGDIFF_MAX];
	char asm_text[96], why[512], walkbuf[2048];
	const char *walk = NULL;
	int nch = regdiff(st, ch);
	const struct tracewriter_where *where = step_where(w, st);
	const char *sym = where->sym, *src = where->src;
	if (st == &w->e->last && w->e->last_insn)
		snprintf(asm_text, sizeof(asm_text), "%s", insncache_text(w->e->last_insn, &w->e->dis));
	else if (st->insn_len)
		disasm_text(&w->e->dis, vmm_cpu_code_bits(&st->sbefore), st->insn, st->insn_len,
			    engine_pc(&st->before, &st->sbefore), asm_text, sizeof(asm_text));
	else
		strcpy(asm_text, "(no code: RIP is not in guest memory)");
	explain_step(&w->ex, st, why, sizeof(why));
	if (w->walk) {
		struct vmm_walk wk;
		uint64_t pc = engine_pc(&st->before, &st->sbefore);
		int k;

		if (engine_walk(w->e, &st->sbefore, pc, &wk) == 0 &&
		    (k = w->format == TRACE_JSONL ? walkfmt_json(&wk, walkbuf, sizeof(walkbuf))
						  : walkfmt_text(&wk, walkbuf, sizeof(walkbuf))) >= 0) {
			cross_check(w, st, &wk, pc, walkbuf + k, sizeof(walkbuf) - (size_t)k);
			walk = walkbuf;
		}
	}
	if (w->format == TRACE_JSONL) {
		json_step(w, st, asm_text, why, ch, nch, walk, sym, src);
		return;
	}
	text_where(w, sym, src, st);
	text_step(w, st, asm_text, why, ch, nch);
	if (walk)
		outbuf_str(&w->out, walk);
}

int tracewriter_finish(struct tracewriter *w)
{
	return outbuf_flush(&w->out);
}
