/* explain.c - the sentence under each notable step: it asks each concept (control registers,
 * segments and tables, interrupts, single instructions, page-table writes, VM exits) for its
 * clauses, and says when a step retired more than one instruction. Sources of each rule are in
 * the concept's file (explain_*.c), next to the rule. */
#include "explain.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cpumode.h"
#include "engine.h"
#include "explain_priv.h"
#include "idtgate.h"
#include "vm.h"

void say(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->t.n)
		textbuf_printf(&o->t, "; ");
	va_start(ap, fmt);
	textbuf_vprintf(&o->t, fmt, ap);
	va_end(ap);
}

void explain_init(struct explain_ctx *ctx, struct engine *e)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->e = e;
	ctx->tables_cr3 = ~0ull;
	ctx->host_paged32 = -1;
	ctx->start_mode = -1;
}

void explain_set_reader(struct explain_ctx *ctx, explain_read_fn fn, void *fn_ctx)
{
	ctx->read = fn;
	ctx->read_ctx = fn_ctx;
	ctx->tables_cr3 = ~0ull;
}

int explain_read_phys(struct explain_ctx *ctx, uint64_t gpa, void *buf, size_t len)
{
	if (ctx->read)
		return ctx->read(ctx->read_ctx, gpa, buf, len);
	return tvcpu_read(ctx->e->cpu, gpa, buf, len);
}

int explain_read_lin(struct explain_ctx *ctx, const struct kvm_sregs *s, uint64_t lin, void *buf,
		     size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t gpa, chunk = 4096 - ((lin + done) & 4095);

		if (chunk > len - done)
			chunk = len - done;
		if (engine_lin_to_phys(ctx->e, s, lin + done, &gpa) < 0 ||
		    explain_read_phys(ctx, gpa, (uint8_t *)buf + done, chunk) < 0)
			return -EFAULT;
		done += chunk;
	}
	return 0;
}

int explain_lin_reader(void *lr, uint64_t lin, void *buf, size_t len)
{
	struct explain_lin *l = lr;

	return explain_read_lin(l->ctx, l->s, lin, buf, len);
}

void explain_skip_text(struct explain_ctx *ctx, const struct step *st, int i, char *buf, size_t len)
{
	uint8_t bytes[15];
	size_t n = sizeof(bytes);

	if (!len)
		return;
	buf[0] = '\0';
	if (i < 0 || i >= st->flow.nskip)
		return;
	while (n && explain_read_lin(ctx, &st->safter, st->flow.skip[i], bytes, n) < 0)
		n--;  /* the last instruction of a page: read what there is */
	if (!n || disasm_text(&ctx->e->dis, vmm_cpu_code_bits(&st->safter), bytes, n, st->flow.skip[i],
			      buf, len) == 0)
		snprintf(buf, len, "(unreadable)");
}

/* A step in which the single-step trap came late (tracer/stepflow.c says how that happens). */
void explain_flow(struct explain_ctx *ctx, struct out *o, const struct step *st)
{
	char list[600], one[80];
	size_t n = 0;

	if (st->flow.unknown) {
		say(o, "the single-step trap came late: RIP 0x%llx is not where this instruction leads and "
		    "the path there could not be recovered, so more ran than this step shows (at least "
		    "%u instruction%s retired)", (unsigned long long)st->after.rip, st->flow.retired,
		    st->flow.retired == 1 ? "" : "s");
		return;
	}
	if (!st->flow.nskip && st->flow.fault_vector < 0)
		return;
	list[0] = '\0';
	for (int i = 0; i <= st->flow.nskip && n < sizeof(list); i++) {
		if (i == st->flow.fault_at && st->flow.fault_vector >= 0) {
			const char *name = idtgate_exception_name((unsigned)st->flow.fault_vector);

			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s0x%llx, which raised %s (vector "
					      "%d), delivered through the IDT", n ? ", " : "",
					      (unsigned long long)st->flow.fault_pc, name ? name : "an exception",
					      st->flow.fault_vector);
		}
		if (i == st->flow.nskip || n >= sizeof(list))
			break;
		explain_skip_text(ctx, st, i, one, sizeof(one));
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s0x%llx %s", n ? ", " : "",
				      (unsigned long long)st->flow.skip[i], one);
	}
	say(o, "the single-step trap came late: the CPU also ran %s before it trapped, so the registers "
	    "and memory shown are after all of them (this step retired %u instruction%s)", list,
	    st->flow.retired, st->flow.retired == 1 ? "" : "s");
}

int explain_step(struct explain_ctx *ctx, const struct step *st, char *buf, size_t len)
{
	struct out o;
	struct insn insn, *in = NULL;

	textbuf_init(&o.t, buf, len);
	if (st == &ctx->e->last && ctx->e->last_insn)   /* the engine decoded it already */
		in = &ctx->e->last_insn->in;
	else if (st->insn_len && disasm_decode(&ctx->e->dis, vmm_cpu_code_bits(&st->sbefore),
					       st->insn, st->insn_len, &insn) == 0)
		in = &insn;
	if (memcmp(&st->sbefore, &st->safter, sizeof(st->sbefore)) != 0) {
		explain_control(&o, st);
		explain_segments(ctx, &o, st, in);
		explain_tables(ctx, &o, st);
	}
	explain_interrupts(ctx, &o, st, in);
	explain_insn(ctx, &o, st, in);
	if (st->nwrites)
		explain_ptwrites(ctx, &o, st);
	if (st->has_exit)
		explain_exit(ctx, &o, st);
	explain_flow(ctx, &o, st);
	if (o.t.n && !o.t.full)
		textbuf_printf(&o.t, ".");
	return (int)o.t.n;
}
