/* xmap.c - executed instructions by address (open addressing, linear probing), for the code pane. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define EMPTY (~0ull)

static size_t hash(uint64_t a, size_t cap)
{
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	a ^= a >> 32;
	return (size_t)a & (cap - 1);
}

static struct tui_xslot *slot_of(struct tui_xslot *s, size_t cap, uint64_t addr)
{
	size_t i = hash(addr, cap);

	while (s[i].addr != EMPTY && s[i].addr != addr)
		i = (i + 1) & (cap - 1);
	return &s[i];
}

static int grow(struct tui_xmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct tui_xslot *s;

	if (cap > SIZE_MAX / sizeof(*s) || !(s = malloc(cap * sizeof(*s))))
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		s[i].addr = EMPTY;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].addr != EMPTY)
			*slot_of(s, cap, m->slot[i].addr) = m->slot[i];
	free(m->slot);
	m->slot = s;
	m->cap = cap;
	return 0;
}

int tui_xmap_add(struct tui_xmap *m, uint64_t addr, uint64_t step, int bits, const uint8_t *bytes,
		 size_t len)
{
	struct tui_xrec r = { .step = step, .bits = (uint8_t)bits, .len = (uint8_t)len };
	struct tui_xslot *s;

	if (len == 0 || len > sizeof(r.bytes) || addr == EMPTY)
		return -EINVAL;
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -ENOMEM;
	memcpy(r.bytes, bytes, len);
	s = slot_of(m->slot, m->cap, addr);
	if (s->addr == EMPTY) {
		s->addr = addr;
		s->first = r;
		m->n++;
	}
	s->last = r;
	return 0;
}

const struct tui_xrec *tui_xmap_find(const struct tui_xmap *m, uint64_t addr, uint64_t pos)
{
	const struct tui_xslot *s;

	if (!m->cap || addr == EMPTY)
		return NULL;
	s = slot_of(m->slot, m->cap, addr);
	if (s->addr == EMPTY)
		return NULL;
	if (s->last.step <= pos)
		return &s->last;
	return s->first.step <= pos ? &s->first : NULL;
}

void tui_xmap_free(struct tui_xmap *m)
{
	free(m->slot);
	memset(m, 0, sizeof(*m));
}
