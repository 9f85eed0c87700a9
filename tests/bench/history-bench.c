/* history-bench.c - history size and speed over a million steps: bytes per step, append rate,
 * a jump 500,000 steps back, and memory rewound 500,000 steps. Prints figures; fails only on
 * errors, never on a slow figure. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "history.h"

#define STEPS 1000000u
#define BACK 500000u
#define GETS 1000
#define MEMS 101
#define LIVE (1u << 20)		/* guest memory for the write run */
#define ARRAY 0x10000u		/* the array the write run stores into */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* RFLAGS after inc/dec with result res from old: ZF, SF, PF, AF (CF kept), bit 1 set. */
static uint64_t arith_flags(uint64_t rflags, uint64_t old, uint64_t res)
{
	uint64_t f = (rflags & 1) | 2;

	f |= (uint64_t)!__builtin_parity((unsigned)(res & 0xff)) << 2;
	f |= ((old ^ res) & 0x10);
	f |= (uint64_t)(res == 0) << 6;
	f |= (res >> 63) << 7;
	return f;
}

/* One loop step into s (its before is the previous after). With store, the loop is ten
 * instructions, the first `mov [rbx+rax*8], rax` into a 64 KiB array it sweeps. */
static void loop_step(struct step *s, uint64_t n, int store, uint8_t *mem)
{
	static const uint8_t inc[] = { 0x48, 0xff, 0xc0 }, dec[] = { 0x48, 0xff, 0xc9 },
			     jnz[] = { 0x75, 0xf8 }, mov[] = { 0x48, 0x89, 0x04, 0xc3 },
			     nop[] = { 0x90 };
	unsigned len = store ? 10 : 3, i = (unsigned)((n - 1) % len);
	const uint8_t *code;
	uint64_t old;

	s->n = n;
	s->before = s->after;
	s->nwrites = 0;
	if (i == len - 1) {
		code = jnz, s->insn_len = sizeof(jnz);
		s->after.rip = 0x1000;
	} else if (i == len - 2) {
		code = dec, s->insn_len = sizeof(dec);
		old = s->after.rcx--;
		s->after.rflags = arith_flags(s->after.rflags, old, s->after.rcx);
	} else if (i == len - 3) {
		code = inc, s->insn_len = sizeof(inc);
		old = s->after.rax++;
		s->after.rflags = arith_flags(s->after.rflags, old, s->after.rax);
	} else if (i == 0 && store) {
		struct step_write *w = &s->w[0];

		code = mov, s->insn_len = sizeof(mov);
		s->nwrites = 1;
		w->gpa = ARRAY + s->after.rax * 8 % ARRAY;
		w->gva = w->gpa;
		w->len = 8;
		memcpy(w->old, mem + w->gpa, 8);
		memcpy(w->new, &s->after.rax, 8);
		memcpy(mem + w->gpa, w->new, 8);
	} else {
		code = nop, s->insn_len = sizeof(nop);
	}
	memcpy(s->insn, code, s->insn_len);
	if (i != len - 1)
		s->after.rip += s->insn_len;
}

/* Append STEPS loop steps to h; the append rate into *rate. */
static int fill(struct history *h, int store, uint8_t *mem, double *rate)
{
	static struct step s;
	double t0;
	int r;

	memset(&s, 0, sizeof(s));
	s.after.rip = 0x1000;
	s.after.rflags = 2;
	s.after.rcx = STEPS;
	s.after.rbx = 0x10000;
	s.sbefore.cr0 = s.safter.cr0 = 0x80050033;
	s.sbefore.efer = s.safter.efer = 0xd01;
	t0 = vmm_clock_s();
	for (uint64_t n = 1; n <= STEPS; n++) {
		loop_step(&s, n, store, mem);
		r = history_append(h, &s);
		if (r)
			return r;
	}
	*rate = STEPS / (vmm_clock_s() - t0);
	return 0;
}

int main(void)
{
	static double t[GETS];
	static uint8_t live[LIVE], buf[4096];
	struct history h;
	struct step out;
	double rate;
	uint64_t seed = 1;
	int r;

	history_init(&h);
	r = fill(&h, 0, live, &rate);
	if (r)
		goto fail;
	printf("history: %u steps of a tight loop (inc rax; dec rcx; jnz)\n", STEPS);
	printf("  bytes per step         %8.2f   (target <= 64)\n", history_bytes(&h) / 1e6);
	printf("  append rate            %8.0f   steps/s\n", rate);
	for (int i = 0; i < GETS; i++) {
		uint64_t n = STEPS - BACK - (seed = seed * 6364136223846793005ull + 1) % 1024;
		double t0 = vmm_clock_s();

		r = history_get(&h, n, &out);
		t[i] = vmm_clock_s() - t0;
		if (r)
			goto fail;
		if (out.n != n || out.after.rcx + (n + 1) / 3 != STEPS) {
			fprintf(stderr, "history-bench: step %llu rebuilt wrong\n",
				(unsigned long long)n);
			history_free(&h);
			return 1;
		}
	}
	printf("  get, %u steps back %8.2f   us (median of %d; target < 10000)\n", BACK,
	       median(t, GETS) * 1e6, GETS);
	history_free(&h);

	history_init(&h);
	r = fill(&h, 1, live, &rate);
	if (r)
		goto fail;
	printf("history: %u steps, one 8-byte store in 10 steps\n", STEPS);
	printf("  bytes per step         %8.2f\n", history_bytes(&h) / 1e6);
	printf("  append rate            %8.0f   steps/s\n", rate);
	for (int i = 0; i < MEMS; i++) {
		double t0 = vmm_clock_s();

		r = history_mem(&h, STEPS - BACK, live, LIVE, ARRAY + 4096, buf, sizeof(buf));
		t[i] = vmm_clock_s() - t0;
		if (r)
			goto fail;
	}
	printf("  mem 4 KiB, %u back %8.2f   us (median of %d)\n", BACK,
	       median(t, MEMS) * 1e6, MEMS);
	history_free(&h);
	return 0;
fail:
	fprintf(stderr, "history-bench: %s\n", strerror(-r));
	history_free(&h);
	return 1;
}
