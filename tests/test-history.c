/* test-history.c - synthetic runs appended, every step rebuilt and memory rewound, compared. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "testkit.h"

#define NSTEPS 100000u
#define MEM 8192u	/* the simulated guest memory */

/* A deterministic synthetic run: registers, sregs and memory carried from step to step. */
struct gen {
	uint64_t rng;
	uint64_t n;
	uint64_t regs[18];
	struct kvm_sregs sregs;
	uint8_t mem[MEM];
};

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void gen_init(struct gen *g, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->rng = seed;
	for (unsigned i = 0; i < 16; i++)
		g->regs[i] = rnd(g) % 4 ? rnd(g) % 1000 : rnd(g);
	g->regs[16] = 0x1000;
	g->regs[17] = 0x2;
	for (unsigned i = 0; i < sizeof(g->sregs); i++)
		((uint8_t *)&g->sregs)[i] = (uint8_t)rnd(g);
	for (unsigned i = 0; i < MEM; i++)
		g->mem[i] = (uint8_t)rnd(g);
}

/* The code at rip: its length and bytes are a function of rip. */
static uint8_t code_at(uint64_t rip, uint8_t *bytes)
{
	uint64_t h = rip * 0xd6e8feb86659fd93ull;
	uint8_t len = (uint8_t)(1 + (h >> 60) % 15);

	for (unsigned i = 0; i < len; i++)
		bytes[i] = (uint8_t)((h >> (i % 8 * 8)) + i);
	return len;
}

/* Step g->n + 1 into s (zeroed first, so everything unused is zero). */
static void gen_step(struct gen *g, struct step *s)
{
	uint64_t r[18];

	memset(s, 0, sizeof(*s));
	s->n = ++g->n;
	if (rnd(g) % 700 == 0)	/* someone changed a register between steps */
		g->regs[rnd(g) % 18] = rnd(g);
	if (rnd(g) % 1500 == 0)
		((uint8_t *)&g->sregs)[rnd(g) % sizeof(g->sregs)] ^= (uint8_t)(1 + rnd(g) % 255);
	memcpy(&s->before, g->regs, sizeof(s->before));
	s->sbefore = g->sregs;

	s->insn_len = code_at(g->regs[16], s->insn);
	if (rnd(g) % 500 == 0)	/* self-modified code: other bytes at a known rip */
		s->insn[rnd(g) % s->insn_len] ^= 0x5a;
	if (rnd(g) % 400 == 0) {
		memset(s->insn, 0, sizeof(s->insn));
		s->insn_len = 0;
	}

	memcpy(r, g->regs, sizeof(r));
	r[16] += s->insn_len ? s->insn_len : 1;
	if (rnd(g) % 8 == 0)
		r[16] = 0x1000 + rnd(g) % 0x400;
	for (unsigned k = rnd(g) % 4; k; k--) {
		unsigned i = (unsigned)(rnd(g) % 16);

		r[i] = rnd(g) % 4 ? r[i] + rnd(g) % 64 - 32 : rnd(g);
	}
	if (rnd(g) % 2)
		r[17] = 0x2 | (rnd(g) & 0x8d5);
	if (rnd(g) % 5000 == 0)
		r[17] = rnd(g);
	memcpy(&s->after, r, sizeof(s->after));
	memcpy(g->regs, r, sizeof(r));

	if (rnd(g) % 300 == 0) {
		uint8_t *b = (uint8_t *)&g->sregs;

		for (unsigned k = 1 + rnd(g) % 3; k; k--)
			b[rnd(g) % sizeof(g->sregs)] = (uint8_t)rnd(g);
	}
	if (rnd(g) % 20000 == 0)	/* everything changes: a context switch */
		for (unsigned i = 0; i < sizeof(g->sregs); i++)
			((uint8_t *)&g->sregs)[i] = (uint8_t)rnd(g);
	s->safter = g->sregs;

	if (rnd(g) % 40 == 0) {
		s->has_exit = 1;
		s->exit.kind = (uint8_t)rnd(g);
		s->exit.in = rnd(g) % 2;
		s->exit.size = (uint8_t)(1 + rnd(g) % 8);
		s->exit.port = (uint16_t)rnd(g);
		s->exit.count = (uint32_t)rnd(g);
		s->exit.addr = rnd(g) % 2 ? rnd(g) : rnd(g) % 0x10000;
		for (unsigned i = 0; i < 8; i++)
			s->exit.data[i] = (uint8_t)rnd(g);
	}

	if (rnd(g) % 4 == 0) {
		s->nwrites = (uint8_t)(1 + rnd(g) % STEP_MAX_WRITES);
		for (unsigned i = 0; i < s->nwrites; i++) {
			struct step_write *w = &s->w[i];
			uint64_t kind = rnd(g) % 50;

			w->len = (uint8_t)(rnd(g) % (STEP_WRITE_MAX + 1));
			w->cut = w->len == STEP_WRITE_MAX && rnd(g) % 3 == 0;
			if (kind == 0)		/* outside guest memory (MMIO-like) */
				w->gpa = 0xfee00000 + rnd(g) % 0x1000;
			else if (kind == 1)	/* wraps around the address space */
				w->gpa = UINT64_MAX - rnd(g) % 8;
			else if (kind < 25)	/* a hot spot: overlaps often */
				w->gpa = 0x100 + rnd(g) % 48;
			else
				w->gpa = rnd(g) % (MEM - STEP_WRITE_MAX + 1);
			w->gva = rnd(g) % 2 ? w->gpa : 0xffff800000000000ull + rnd(g) % (1ull << 40);
			for (unsigned b = 0; b < w->len; b++) {
				w->new[b] = (uint8_t)rnd(g);
				if (w->gpa < MEM && w->gpa + b < MEM) {
					w->old[b] = g->mem[w->gpa + b];
					g->mem[w->gpa + b] = w->new[b];
				} else {
					w->old[b] = (uint8_t)rnd(g);
				}
			}
		}
	}
}

/* Name of the first promised field where a and b differ, or NULL. */
static const char *step_diff(const struct step *a, const struct step *b)
{
	if (a->n != b->n)
		return "n";
	if (memcmp(&a->before, &b->before, sizeof(a->before)))
		return "before";
	if (memcmp(&a->after, &b->after, sizeof(a->after)))
		return "after";
	if (memcmp(&a->sbefore, &b->sbefore, sizeof(a->sbefore)))
		return "sbefore";
	if (memcmp(&a->safter, &b->safter, sizeof(a->safter)))
		return "safter";
	if (a->insn_len != b->insn_len || memcmp(a->insn, b->insn, sizeof(a->insn)))
		return "insn";
	if (a->has_exit != b->has_exit)
		return "has_exit";
	if (a->exit.kind != b->exit.kind || a->exit.in != b->exit.in ||
	    a->exit.size != b->exit.size || a->exit.port != b->exit.port ||
	    a->exit.count != b->exit.count || a->exit.addr != b->exit.addr ||
	    memcmp(a->exit.data, b->exit.data, sizeof(a->exit.data)))
		return "exit";
	if (a->nwrites != b->nwrites)
		return "nwrites";
	for (unsigned i = 0; i < STEP_MAX_WRITES; i++) {
		const struct step_write *x = &a->w[i], *y = &b->w[i];

		if (x->gpa != y->gpa || x->gva != y->gva || x->len != y->len || x->cut != y->cut ||
		    memcmp(x->old, y->old, sizeof(x->old)) || memcmp(x->new, y->new, sizeof(x->new)))
			return "w";
	}
	return NULL;
}

static const uint64_t snap_at[] = { 0, 1, 2, 255, 256, 257, 1000, 4097, 50000, 99743,
				    NSTEPS - 1, NSTEPS };
#define NSNAP (sizeof(snap_at) / sizeof(snap_at[0]))

static void test_run(void)
{
	static struct gen g;
	static uint8_t snap[NSNAP][MEM], buf[MEM];
	struct history h;
	struct step s, got;
	unsigned next = 0;
	const char *d;
	int r;

	CHECK_EQ(history_init(&h), 0);
	gen_init(&g, 42);
	memcpy(snap[next++], g.mem, MEM);
	for (uint64_t n = 1; n <= NSTEPS; n++) {
		gen_step(&g, &s);
		r = history_append(&h, &s);
		if (r) {
			CHECK_MSG(r == 0, "append %llu: %d", (unsigned long long)n, r);
			break;
		}
		while (next < NSNAP && snap_at[next] == n)
			memcpy(snap[next++], g.mem, MEM);
	}
	CHECK_EQ(history_count(&h), NSTEPS);
	printf("# %u synthetic steps: %.1f bytes per step\n", NSTEPS,
	       (double)history_bytes(&h) / NSTEPS);

	/* Every step, rebuilt from the nearest key, equals the step appended. */
	gen_init(&g, 42);
	for (uint64_t n = 1; n <= NSTEPS; n++) {
		gen_step(&g, &s);
		memset(&got, 0xa5, sizeof(got));
		r = history_get(&h, n, &got);
		d = r ? "return value" : step_diff(&s, &got);
		CHECK_MSG(d == NULL, "step %llu differs in %s", (unsigned long long)n, d);
	}
	CHECK_EQ(history_get(&h, 0, &got), -ERANGE);
	CHECK_EQ(history_get(&h, NSTEPS + 1, &got), -ERANGE);

	/* Memory after each snapshot step, whole and in random pieces, from the live memory. */
	for (unsigned i = 0; i < NSNAP; i++) {
		uint64_t n = snap_at[i];

		CHECK_EQ(history_mem(&h, n, g.mem, MEM, 0, buf, MEM), 0);
		CHECK_MSG(!memcmp(buf, snap[i], MEM), "memory after step %llu", (unsigned long long)n);
		for (unsigned k = 0; k < 200; k++) {
			uint64_t gpa = rnd(&g) % 2 ? 0xf0 + rnd(&g) % 0x60 : rnd(&g) % MEM;
			size_t len = (size_t)(rnd(&g) % (MEM - gpa + 1));

			if (k % 2)
				len = len % 40;
			memset(buf, 0, MEM);
			r = history_mem(&h, n, g.mem, MEM, gpa, buf, len);
			CHECK_MSG(r == 0 && !memcmp(buf, snap[i] + gpa, len),
			      "memory [%#llx, +%zu) after step %llu: %d", (unsigned long long)gpa,
			      len, (unsigned long long)n, r);
		}
	}
	CHECK_EQ(history_mem(&h, NSTEPS + 1, g.mem, MEM, 0, buf, 1), -ERANGE);
	CHECK_EQ(history_mem(&h, 0, g.mem, MEM, MEM, buf, 1), -EINVAL);
	CHECK_EQ(history_mem(&h, 0, g.mem, MEM, MEM - 1, buf, 2), -EINVAL);
	CHECK_EQ(history_mem(&h, 0, g.mem, MEM, UINT64_MAX, buf, 2), -EINVAL);
	CHECK_EQ(history_mem(&h, 0, g.mem, MEM, MEM, buf, 0), 0);
	history_free(&h);
	CHECK_EQ(history_count(&h), 0);
}

static void test_bad_input(void)
{
	struct history h;
	struct step s, got;
	uint8_t live[16] = { 1, 2, 3 }, buf[16];

	history_init(&h);
	CHECK_EQ(history_get(&h, 1, &got), -ERANGE);
	CHECK_EQ(history_mem(&h, 0, live, sizeof(live), 0, buf, sizeof(buf)), 0);
	CHECK_MSG(!memcmp(buf, live, sizeof(buf)), "empty history: memory is the live memory");
	CHECK_EQ(history_mem(&h, 1, live, sizeof(live), 0, buf, sizeof(buf)), -ERANGE);

	memset(&s, 0, sizeof(s));
	s.n = 2;
	CHECK_EQ(history_append(&h, &s), -EINVAL);
	s.n = 1;
	s.insn_len = 16;
	CHECK_EQ(history_append(&h, &s), -EINVAL);
	s.insn_len = 0;
	s.nwrites = STEP_MAX_WRITES + 1;
	CHECK_EQ(history_append(&h, &s), -EINVAL);
	s.nwrites = 1;
	s.w[0].len = STEP_WRITE_MAX + 1;
	CHECK_EQ(history_append(&h, &s), -EINVAL);
	CHECK_EQ(history_count(&h), 0);
	s.w[0].len = 1;
	s.w[0].gpa = 3;
	s.w[0].old[0] = 9;
	s.w[0].new[0] = live[3];
	CHECK_EQ(history_append(&h, &s), 0);
	CHECK_EQ(history_append(&h, &s), -EINVAL);
	CHECK_EQ(history_count(&h), 1);
	CHECK_EQ(history_get(&h, 1, &got), 0);
	CHECK_MSG(step_diff(&s, &got) == NULL, "a lone step");
	CHECK_EQ(history_mem(&h, 0, live, sizeof(live), 2, buf, 2), 0);
	CHECK_EQ(buf[1], 9);
	history_free(&h);
	CHECK_EQ(history_init(&h), 0);
	CHECK_EQ(history_count(&h), 0);
	history_free(&h);
}

/* The benchmark's shape, kept small: a tight loop stays well under 64 bytes a step. */
static void test_tight_loop_size(void)
{
	static const uint8_t code[3][3] = { { 0x48, 0xff, 0xc0 }, { 0x48, 0xff, 0xc9 },
					    { 0x75, 0xf8 } };
	struct history h;
	struct step s;
	uint64_t rax = 0, rcx = 100000, rip = 0x1000;

	history_init(&h);
	memset(&s, 0, sizeof(s));
	s.after.rip = rip;
	s.after.rflags = 2;
	for (uint64_t n = 1; n <= 30000; n++) {
		unsigned i = (unsigned)(n - 1) % 3;

		s.n = n;
		s.before = s.after;
		s.insn_len = i == 2 ? 2 : 3;
		memcpy(s.insn, code[i], s.insn_len);
		if (i == 0)
			s.after.rax = ++rax;
		else if (i == 1)
			s.after.rcx = --rcx;
		s.after.rip = i == 2 ? 0x1000 : rip + s.insn_len;
		s.after.rflags = 2 | (i == 2 ? 0 : (rax & 1) << 2) | (rcx == 0) << 6;
		rip = s.after.rip;
		if (history_append(&h, &s))
			break;
	}
	CHECK_EQ(history_count(&h), 30000);
	CHECK_MSG(history_bytes(&h) / 30000 <= 64, "%zu bytes per step", history_bytes(&h) / 30000);
	history_free(&h);
}

int main(void)
{
	test_bad_input();
	test_tight_loop_size();
	test_run();
	return check_summary();
}
