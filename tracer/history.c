/* history.c - steps as small delta records, full keyframes every few hundred steps.
 *
 * A record holds the step's after state as changes from its before state, and its before state
 * as changes from the previous step's after state (normally none). Layout:
 *   head     varint: bit 0 insn from the cache, bit 1 an extra byte follows, bits 2.. the mask of
 *            after regs that changed (bit order: rip, rflags, rax, rbx, ... r15)
 *   extra    X_* flags (only if head bit 1)
 *   [X_BEFORE]  mask varint + values: before regs against the previous after regs
 *   [X_SBEFORE] sregs delta: before sregs against the previous after sregs
 *   values   one varint per bit of the head mask: rflags as XOR, the others zigzag(new - old)
 *   [X_SAFTER]  sregs delta: after against before (word mask varint + changed 8-byte words)
 *   insn     unless cached: length byte + bytes (then it enters the cache)
 *   [X_EXIT]    kind, in, size, port, count, addr varints, data[8]
 *   [X_WRITES]  count byte, then per write: len | cut << 7, gpa, zigzag(gva - gpa), old, new
 *   [X_FLOW]    retired byte, unknown byte, vector + 1, land, land_cs, fault_vector + 1, fault_pc varints,
 *               fault_at byte, nskip byte, skip varints (only for a step that delivered a vector or retired other
 *               than one instruction)
 * Keys (every KEY_EVERY steps) hold the state before their first step, its record's offset and
 * an index into a pool of distinct sregs. The instruction cache is cleared at every key, so
 * decoding from any key rebuilds it exactly. The write log lists (step, offset of its writes).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "array.h"
#include "steplog.h"

#define KEY_EVERY 256u
#define RECORD_MAX 2048u	/* more than the largest possible record */
#define NREGS 18
#define RIP 16
#define RFLAGS 17
#define SREG_WORDS (sizeof(struct kvm_sregs) / 8)

enum { H_CACHED = 1, H_EXTRA = 2 };	/* head bits */
enum { X_BEFORE = 1, X_SBEFORE = 2, X_SAFTER = 4, X_EXIT = 8, X_WRITES = 16, X_FLOW = 32 };	/* extra bits */

static_assert(sizeof(struct kvm_regs) == NREGS * 8, "kvm_regs is 18 words");
static_assert(sizeof(struct kvm_sregs) % 8 == 0 && SREG_WORDS <= 64, "kvm_sregs in words");

struct history_key {
	uint64_t regs[NREGS];        /* state before the key's first step */
	uint64_t off;                /* that step's record in buf */
	uint32_t sregs;              /* index into h->sregs */
};

struct history_wlog {
	uint64_t step, off;          /* a step with writes, its X_WRITES block in buf */
};

/* Mask bit i is field order[i] of struct kvm_regs: rip and rflags first, they change most. */
static const uint8_t order[NREGS] = { RIP, RFLAGS, 0, 1, 2, 3, 4, 5, 6, 7,
				      8, 9, 10, 11, 12, 13, 14, 15 };

static void put_varint(uint8_t **p, uint64_t v)
{
	while (v >= 0x80) {
		*(*p)++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*(*p)++ = (uint8_t)v;
}

static uint64_t get_varint(const uint8_t **p)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	return v;
}

static void put_bytes(uint8_t **p, const void *src, size_t n)
{
	memcpy(*p, src, n);
	*p += n;
}

static void get_bytes(const uint8_t **p, void *dst, size_t n)
{
	memcpy(dst, *p, n);
	*p += n;
}

static uint64_t zigzag(uint64_t d)
{
	return (d << 1) ^ (0 - (d >> 63));
}

static uint64_t unzigzag(uint64_t z)
{
	return (z >> 1) ^ (0 - (z & 1));
}

static unsigned icache_slot(uint64_t rip)
{
	return (unsigned)((rip * 0x9e3779b97f4a7c15ull) >> 58) % HISTORY_ICACHE;
}

/* The history's arrays start at 16 elements and double (array.h). */
static void *grow(void *a, size_t *cap, size_t size, size_t need)
{
	return vmm_array_grow(a, cap, size, need, 16);
}

static uint64_t regs_mask(const uint64_t *a, const uint64_t *b)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < NREGS; i++)
		if (a[order[i]] != b[order[i]])
			m |= 1ull << i;
	return m;
}

static void regs_put(uint8_t **p, const uint64_t *a, const uint64_t *b, uint64_t mask)
{
	for (unsigned i = 0; mask; i++, mask >>= 1) {
		unsigned f = order[i];

		if (mask & 1)
			put_varint(p, f == RFLAGS ? a[f] ^ b[f] : zigzag(b[f] - a[f]));
	}
}

static void regs_get(const uint8_t **p, uint64_t *r, uint64_t mask)
{
	for (unsigned i = 0; mask; i++, mask >>= 1) {
		unsigned f = order[i];

		if (!(mask & 1))
			continue;
		if (f == RFLAGS)
			r[f] ^= get_varint(p);
		else
			r[f] += unzigzag(get_varint(p));
	}
}

static void sregs_put(uint8_t **p, const struct kvm_sregs *a, const struct kvm_sregs *b)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	uint64_t mask = 0;

	for (unsigned i = 0; i < SREG_WORDS; i++)
		if (memcmp(x + 8 * i, y + 8 * i, 8))
			mask |= 1ull << i;
	put_varint(p, mask);
	for (unsigned i = 0; i < SREG_WORDS; i++)
		if (mask & (1ull << i))
			put_bytes(p, y + 8 * i, 8);
}

static void sregs_get(const uint8_t **p, struct kvm_sregs *s)
{
	uint8_t *x = (uint8_t *)s;
	uint64_t mask = get_varint(p);

	for (unsigned i = 0; mask; i++, mask >>= 1)
		if (mask & 1)
			get_bytes(p, x + 8 * i, 8);
}

static int step_valid(const struct step *s)
{
	if (s->insn_len > sizeof(s->insn) || s->nwrites > STEP_MAX_WRITES ||
	    s->flow.nskip > STEP_MAX_SKIP)
		return 0;
	for (unsigned i = 0; i < s->nwrites; i++)
		if (s->w[i].len > STEP_WRITE_MAX)
			return 0;
	return 1;
}

/* Write the record of s at p (h->regs, h->sregs_now: the state before it); returns the end.
 * *woff is the offset of its writes block (0 if none). */
static uint8_t *encode(struct history *h, const struct step *s, uint8_t *p, uint64_t *woff)
{
	uint64_t before[NREGS], after[NREGS], mask;
	struct history_icache *c;
	unsigned extra, head;

	memcpy(before, &s->before, sizeof(before));
	memcpy(after, &s->after, sizeof(after));
	extra = (memcmp(before, h->regs, sizeof(before)) ? X_BEFORE : 0) |
		(memcmp(&s->sbefore, &h->sregs_now, sizeof(s->sbefore)) ? X_SBEFORE : 0) |
		(memcmp(&s->safter, &s->sbefore, sizeof(s->safter)) ? X_SAFTER : 0) |
		(s->has_exit ? X_EXIT : 0) | (s->nwrites ? X_WRITES : 0) |
		(s->flow.retired != 1 || s->flow.unknown || s->flow.vector >= 0 || s->flow.land ?
		 X_FLOW : 0);
	c = &h->icache[icache_slot(before[RIP])];
	head = s->insn_len && c->len == s->insn_len && c->rip == before[RIP] &&
	       !memcmp(c->bytes, s->insn, s->insn_len) ? H_CACHED : 0;
	if (extra)
		head |= H_EXTRA;
	mask = regs_mask(before, after);
	put_varint(&p, head | mask << 2);
	if (extra)
		*p++ = (uint8_t)extra;
	if (extra & X_BEFORE) {
		uint64_t bm = regs_mask(h->regs, before);

		put_varint(&p, bm);
		regs_put(&p, h->regs, before, bm);
	}
	if (extra & X_SBEFORE)
		sregs_put(&p, &h->sregs_now, &s->sbefore);
	regs_put(&p, before, after, mask);
	if (extra & X_SAFTER)
		sregs_put(&p, &s->sbefore, &s->safter);
	if (!(head & H_CACHED)) {
		*p++ = s->insn_len;
		put_bytes(&p, s->insn, s->insn_len);
		if (s->insn_len) {
			c->rip = before[RIP];
			c->len = s->insn_len;
			memcpy(c->bytes, s->insn, s->insn_len);
		}
	}
	if (extra & X_EXIT) {
		const struct step_exit *e = &s->exit;

		*p++ = e->kind;
		*p++ = e->in;
		*p++ = e->size;
		put_varint(&p, e->port);
		put_varint(&p, e->count);
		put_varint(&p, e->addr);
		put_bytes(&p, e->data, sizeof(e->data));
	}
	*woff = 0;
	if (extra & X_WRITES) {
		*woff = (uint64_t)(p - h->buf);
		*p++ = s->nwrites;
		for (unsigned i = 0; i < s->nwrites; i++) {
			const struct step_write *w = &s->w[i];

			*p++ = (uint8_t)(w->len | (w->cut ? 0x80 : 0));
			put_varint(&p, w->gpa);
			put_varint(&p, zigzag(w->gva - w->gpa));
			put_bytes(&p, w->old, w->len);
			put_bytes(&p, w->new, w->len);
		}
	}
	if (extra & X_FLOW) {
		*p++ = s->flow.retired;
		*p++ = s->flow.unknown;
		put_varint(&p, (uint64_t)(s->flow.vector + 1));
		put_varint(&p, s->flow.land);
		put_varint(&p, s->flow.land_cs);
		put_varint(&p, (uint64_t)(s->flow.fault_vector + 1));
		put_varint(&p, s->flow.fault_pc);
		*p++ = s->flow.fault_at;
		*p++ = s->flow.nskip;
		for (unsigned i = 0; i < s->flow.nskip; i++)
			put_varint(&p, s->flow.skip[i]);
	}
	memcpy(h->regs, after, sizeof(after));
	h->sregs_now = s->safter;
	return p;
}

int history_init(struct history *h)
{
	memset(h, 0, sizeof(*h));
	return 0;
}

void history_free(struct history *h)
{
	free(h->buf);
	free(h->keys);
	free(h->sregs);
	free(h->wlog);
	memset(h, 0, sizeof(*h));
}

int history_append(struct history *h, const struct step *s)
{
	int key = h->count % KEY_EVERY == 0;
	uint64_t woff;
	uint8_t *end;
	void *p;

	if (s->n != h->count + 1 || !step_valid(s))
		return -EINVAL;
	/* Room for everything first: on -ENOMEM nothing has changed but capacities. */
	if (!(p = grow(h->buf, &h->cap, 1, h->len + RECORD_MAX)))
		return -ENOMEM;
	h->buf = p;
	if (key) {
		if (!(p = grow(h->keys, &h->keys_cap, sizeof(*h->keys), h->nkeys + 1)))
			return -ENOMEM;
		h->keys = p;
		if (!(p = grow(h->sregs, &h->sregs_cap, sizeof(*h->sregs), h->nsregs + 1)))
			return -ENOMEM;
		h->sregs = p;
	}
	if (s->nwrites) {
		if (!(p = grow(h->wlog, &h->wlog_cap, sizeof(*h->wlog), h->nwlog + 1)))
			return -ENOMEM;
		h->wlog = p;
	}
	if (h->count == 0) {
		/* Step 1's before state is the first key's state. */
		memcpy(h->regs, &s->before, sizeof(h->regs));
		h->sregs_now = s->sbefore;
	}
	if (key) {
		struct history_key *k = &h->keys[h->nkeys++];

		if (!h->nsregs || memcmp(&h->sregs[h->nsregs - 1], &h->sregs_now,
					 sizeof(h->sregs_now)))
			h->sregs[h->nsregs++] = h->sregs_now;
		memcpy(k->regs, h->regs, sizeof(k->regs));
		k->off = h->len;
		k->sregs = (uint32_t)(h->nsregs - 1);
		memset(h->icache, 0, sizeof(h->icache));
	}
	end = encode(h, s, h->buf + h->len, &woff);
	h->len = (size_t)(end - h->buf);
	h->count++;
	if (s->nwrites)
		h->wlog[h->nwlog++] = (struct history_wlog){ .step = h->count, .off = woff };
	return 0;
}

uint64_t history_count(const struct history *h)
{
	return h->count;
}

/* Decoding state: the after state of the last decoded step and the instruction cache. */
struct cursor {
	const uint8_t *p;
	uint64_t regs[NREGS];
	struct kvm_sregs sregs;
	struct history_icache icache[HISTORY_ICACHE];
};

static void decode_exit(const uint8_t **p, struct step_exit *e)
{
	e->kind = *(*p)++;
	e->in = *(*p)++;
	e->size = *(*p)++;
	e->port = (uint16_t)get_varint(p);
	e->count = (uint32_t)get_varint(p);
	e->addr = get_varint(p);
	get_bytes(p, e->data, sizeof(e->data));
}

static void decode_writes(const uint8_t **p, struct step *out)
{
	out->nwrites = *(*p)++;
	for (unsigned i = 0; i < out->nwrites; i++) {
		struct step_write *w = &out->w[i];
		uint8_t b = *(*p)++;

		w->len = b & 0x7f;
		w->cut = b >> 7;
		w->gpa = get_varint(p);
		w->gva = w->gpa + unzigzag(get_varint(p));
		get_bytes(p, w->old, w->len);
		get_bytes(p, w->new, w->len);
	}
}

/* Decode the next record into c; fill out (zeroed by the caller) unless it is NULL. */
static void decode(struct cursor *c, struct step *out)
{
	uint64_t head = get_varint(&c->p), rip;
	unsigned extra = head & H_EXTRA ? *c->p++ : 0;
	struct history_icache *ic;
	struct step tmp, *o = out ? out : &tmp;
	const uint8_t *insn;
	uint8_t ilen;

	if (extra & X_BEFORE)
		regs_get(&c->p, c->regs, get_varint(&c->p));
	if (extra & X_SBEFORE)
		sregs_get(&c->p, &c->sregs);
	rip = c->regs[RIP];
	if (out) {
		memcpy(&out->before, c->regs, sizeof(out->before));
		out->sbefore = c->sregs;
	}
	regs_get(&c->p, c->regs, head >> 2);
	if (extra & X_SAFTER)
		sregs_get(&c->p, &c->sregs);
	ic = &c->icache[icache_slot(rip)];
	if (head & H_CACHED) {
		ilen = ic->len;
		insn = ic->bytes;
	} else {
		ilen = *c->p++;
		insn = c->p;
		c->p += ilen;
		if (ilen) {
			ic->rip = rip;
			ic->len = ilen;
			memcpy(ic->bytes, insn, ilen);
		}
	}
	if (extra & X_EXIT)
		decode_exit(&c->p, &o->exit);
	if (extra & X_WRITES)
		decode_writes(&c->p, o);
	o->flow.retired = 1;
	o->flow.vector = -1;
	o->flow.fault_vector = -1;
	if (extra & X_FLOW) {
		o->flow.retired = *c->p++;
		o->flow.unknown = *c->p++;
		o->flow.vector = (int16_t)((int)get_varint(&c->p) - 1);
		o->flow.land = get_varint(&c->p);
		o->flow.land_cs = (uint16_t)get_varint(&c->p);
		o->flow.fault_vector = (int16_t)((int)get_varint(&c->p) - 1);
		o->flow.fault_pc = get_varint(&c->p);
		o->flow.fault_at = *c->p++;
		o->flow.nskip = *c->p++;
		for (unsigned i = 0; i < o->flow.nskip && i < STEP_MAX_SKIP; i++)
			o->flow.skip[i] = get_varint(&c->p);
	}
	if (!out)
		return;
	memcpy(&out->after, c->regs, sizeof(out->after));
	out->safter = c->sregs;
	out->insn_len = ilen;
	memcpy(out->insn, insn, ilen);
	out->has_exit = extra & X_EXIT;
}

int history_get(const struct history *h, uint64_t n, struct step *out)
{
	const struct history_key *k;
	struct cursor c;
	uint64_t first;

	if (n == 0 || n > h->count)
		return -ERANGE;
	k = &h->keys[(n - 1) / KEY_EVERY];
	first = (n - 1) / KEY_EVERY * KEY_EVERY + 1;
	c.p = h->buf + k->off;
	memcpy(c.regs, k->regs, sizeof(c.regs));
	c.sregs = h->sregs[k->sregs];
	memset(c.icache, 0, sizeof(c.icache));
	for (uint64_t i = first; i < n; i++)
		decode(&c, NULL);
	memset(out, 0, sizeof(*out));
	out->n = n;
	decode(&c, out);
	return 0;
}

int history_mem(const struct history *h, uint64_t n, const uint8_t *live, uint64_t live_size,
		uint64_t gpa, void *buf, size_t len)
{
	if (n > h->count)
		return -ERANGE;
	if (gpa > live_size || len > live_size - gpa)
		return -EINVAL;
	if (len)
		memcpy(buf, live + gpa, len);
	return history_undo(h, n, gpa, buf, len);
}

int history_undo(const struct history *h, uint64_t n, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t first;

	if (n > h->count)
		return -ERANGE;
	if (!len)
		return 0;
	first = STEPLOG_AFTER(struct history_wlog, h->wlog, h->nwlog, n);
	for (size_t i = h->nwlog; i-- > first;) {
		const uint8_t *p = h->buf + h->wlog[i].off, *old[STEP_MAX_WRITES];
		uint64_t at[STEP_MAX_WRITES], end, lo, hi;
		uint8_t wl[STEP_MAX_WRITES];
		unsigned nw = *p++;

		for (unsigned j = 0; j < nw; j++) {	/* only what undoing needs */
			wl[j] = *p++ & 0x7f;
			at[j] = get_varint(&p);
			get_varint(&p);
			old[j] = p;
			p += 2u * wl[j];
		}
		while (nw--) {	/* undo the step's writes last to first */
			end = at[nw] + wl[nw];
			lo = at[nw] > gpa ? at[nw] : gpa;
			hi = end < gpa + len ? end : gpa + len;
			if (end >= at[nw] && lo < hi)	/* (a write that wraps is not memory) */
				memcpy(out + (lo - gpa), old[nw] + (lo - at[nw]), hi - lo);
		}
	}
	return 0;
}

size_t history_bytes(const struct history *h)
{
	return sizeof(*h) + h->cap + h->keys_cap * sizeof(*h->keys) +
	       h->sregs_cap * sizeof(*h->sregs) + h->wlog_cap * sizeof(*h->wlog);
}
