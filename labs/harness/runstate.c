/* runstate.c - a finished run as JSON for a script check (json-c). */
#include "runstate.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exits.h"
#include "memchange.h"

#define PAGE 4096u

static void put(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

/* Output bytes as text: printable ASCII, tab and newline kept, anything else '?'. */
static struct json_object *text(const char *s, size_t n)
{
	char *t = malloc(n + 1);
	struct json_object *o;

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		t[i] = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' ? (char)c : '?';
	}
	o = json_object_new_string_len(t, (int)n);
	free(t);
	return o;
}

static struct json_object *segment(const struct kvm_segment *s)
{
	struct json_object *o = json_object_new_object();

	put(o, "selector", hex(s->selector));
	put(o, "base", hex(s->base));
	put(o, "limit", hex(s->limit));
	put(o, "type", json_object_new_int(s->type));
	put(o, "dpl", json_object_new_int(s->dpl));
	put(o, "l", json_object_new_boolean(s->l));
	put(o, "db", json_object_new_boolean(s->db));
	return o;
}

static struct json_object *registers(const struct lab_run *run)
{
	static const struct { const char *name; size_t off; } gpr[] = {
#define R(n) { #n, offsetof(struct kvm_regs, n) }
		R(rax), R(rbx), R(rcx), R(rdx), R(rsi), R(rdi), R(rsp), R(rbp), R(r8), R(r9),
		R(r10), R(r11), R(r12), R(r13), R(r14), R(r15), R(rip), R(rflags),
#undef R
	};
	const struct kvm_sregs *s = &run->sregs;
	struct json_object *o = json_object_new_object(), *t;

	for (size_t i = 0; i < sizeof(gpr) / sizeof(gpr[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)&run->regs + gpr[i].off, sizeof(v));
		put(o, gpr[i].name, hex(v));
	}
	put(o, "cr0", hex(s->cr0));
	put(o, "cr2", hex(s->cr2));
	put(o, "cr3", hex(s->cr3));
	put(o, "cr4", hex(s->cr4));
	put(o, "efer", hex(s->efer));
	put(o, "cs", segment(&s->cs));
	put(o, "ds", segment(&s->ds));
	put(o, "es", segment(&s->es));
	put(o, "ss", segment(&s->ss));
	put(o, "fs", segment(&s->fs));
	put(o, "gs", segment(&s->gs));
	t = json_object_new_object();
	put(t, "base", hex(s->gdt.base));
	put(t, "limit", hex(s->gdt.limit));
	put(o, "gdt", t);
	t = json_object_new_object();
	put(t, "base", hex(s->idt.base));
	put(t, "limit", hex(s->idt.limit));
	put(o, "idt", t);
	return o;
}

static void io_entry(struct json_object *list, unsigned vm, unsigned port, int dir,
		     unsigned size, uint64_t n)
{
	struct json_object *e = json_object_new_object();

	if (vm)
		put(e, "vm", json_object_new_int((int)vm));
	put(e, "port", hex(port));
	put(e, "dir", json_object_new_string(dir ? "out" : "in"));
	put(e, "size", json_object_new_int((int)size));
	put(e, "count", json_object_new_uint64(n));
	json_object_array_add(list, e);
}

/* IO exits kvmlab's VMM counted: one entry per port, direction and size. */
static void io_vmm(struct json_object *list, const struct vmm_exit_stats *st)
{
	static const unsigned sizes[3] = { 1, 2, 4 };

	for (unsigned i = 0; i < st->nports; i++)
		for (int d = 0; d < 2; d++)
			for (int k = 0; k < 3; k++)
				if (st->ports[i].sized[d][k])
					io_entry(list, 0, st->ports[i].port, d, sizes[k],
						 st->ports[i].sized[d][k]);
}

#define IO_KEYS 256   /* distinct (VM, port, direction, size) listed; the rest in io_other */

struct io_key {
	uint32_t vm;
	uint16_t port;
	uint8_t dir, size;
	uint64_t n;
};

/* IO exits kvmlab exec saw: the same, per VM, in the order first seen.  Returns those past
 * IO_KEYS distinct entries. */
static uint64_t io_obs(struct json_object *list, const struct lab_obs *obs)
{
	struct io_key *keys = calloc(IO_KEYS, sizeof(*keys));
	unsigned nk = 0;
	uint64_t other = 0;

	for (size_t i = 0; keys && i < obs->n; i++) {
		const struct lab_obs_exit *x = &obs->exits[i];
		uint8_t dir = x->type == VMM_EXIT_IO_OUT;
		unsigned k = 0;

		if (x->type != VMM_EXIT_IO_IN && x->type != VMM_EXIT_IO_OUT)
			continue;
		while (k < nk && !(keys[k].vm == x->vm && keys[k].port == x->port &&
				   keys[k].dir == dir && keys[k].size == x->size))
			k++;
		if (k == nk && nk == IO_KEYS) {
			other++;
			continue;
		}
		if (k == nk)
			keys[nk++] = (struct io_key){ x->vm, x->port, dir, x->size, 0 };
		keys[k].n++;
	}
	for (unsigned k = 0; k < nk; k++)
		io_entry(list, keys[k].vm, keys[k].port, keys[k].dir, keys[k].size, keys[k].n);
	free(keys);
	return other;
}

static struct json_object *exits(const struct lab_run *run)
{
	struct json_object *o = json_object_new_object(), *by = json_object_new_object();
	struct json_object *io = json_object_new_array();

	put(o, "total", json_object_new_uint64(run->total_exits));
	for (int k = 0; k < VMM_EXIT__COUNT; k++)
		if (run->exits[k])
			put(by, vmm_exit_name((enum vmm_exit)k), json_object_new_uint64(run->exits[k]));
	put(o, "by_type", by);
	if (run->obs) {
		put(o, "io_other", json_object_new_uint64(io_obs(io, run->obs)));
	} else {
		io_vmm(io, &run->stats);
		put(o, "io_other", json_object_new_uint64(run->stats.ports_other));
	}
	put(o, "io", io);
	return o;
}

static struct json_object *memory(const struct lab_run *run, unsigned n, const uint64_t *lo,
				  const uint64_t *hi)
{
	struct json_object *list = json_object_new_array();

	for (unsigned i = 0; i < n && run->mem; i++) {
		struct json_object *e = json_object_new_object();
		char *h = malloc((hi[i] - lo[i]) * 2 + 1);

		put(e, "from", hex(lo[i]));
		put(e, "to", hex(hi[i]));
		for (uint64_t a = lo[i]; h && a < hi[i]; a++)
			snprintf(h + (a - lo[i]) * 2, 3, "%02x", run->mem[a]);
		if (h)
			put(e, "hex", json_object_new_string_len(h, (int)((hi[i] - lo[i]) * 2)));
		free(h);
		json_object_array_add(list, e);
	}
	return list;
}

/* Each page the run wrote, with how many of its bytes differ from the image. */
static struct json_object *dirty_pages(const struct lab_run *run)
{
	struct json_object *list = json_object_new_array();

	for (uint64_t p = 0; p * PAGE < run->mem_size; p++) {
		struct json_object *e;
		uint64_t changed = 0;

		if (!lab_memchange_page_dirty(run, p))
			continue;
		for (uint64_t a = p * PAGE; a < (p + 1) * PAGE && a < run->mem_size; a++)
			changed += run->mem[a] != run->image[a];
		e = json_object_new_object();
		put(e, "page", hex(p * PAGE));
		put(e, "changed", json_object_new_uint64(changed));
		json_object_array_add(list, e);
	}
	return list;
}

struct json_object *lab_run_state(const struct lab_check *c, const struct lab_run *run,
				  const uint64_t *lo, const uint64_t *hi)
{
	struct json_object *o = json_object_new_object(), *t;

	if (!o)
		return NULL;
	t = json_object_new_object();
	put(t, "id", json_object_new_string(c->id));
	put(t, "points", json_object_new_int((int)c->points));
	put(o, "check", t);
	put(o, "stop", json_object_new_string(lab_stop_name(run->stop)));
	put(o, "stop_detail", json_object_new_string(run->stop_detail));
	put(o, "output", text(run->output ? run->output : "", run->output_len));
	put(o, "elapsed_ms", json_object_new_uint64(run->elapsed_ns / 1000000u));
	put(o, "exits", exits(run));
	if (!run->obs)   /* kvmlab's own VMM ran it: its registers and memory are known */
		put(o, "registers", registers(run));
	if (run->traced) {
		t = json_object_new_array();
		for (size_t i = 0; i < run->nmodes; i++)
			json_object_array_add(t, json_object_new_string(
				lab_cpu_mode_name(run->modes[i].cpu_mode)));
		put(o, "instructions", json_object_new_uint64(run->instructions));
		put(o, "modes", t);
	}
	if (c->script && c->script->memory_count)
		put(o, "memory", memory(run, c->script->memory_count, lo, hi));
	if (run->image && run->dirty && run->mem)
		put(o, "dirty_pages", dirty_pages(run));
	return o;
}
