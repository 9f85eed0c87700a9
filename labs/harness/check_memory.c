/* check_memory.c - guest physical memory at exit: a little-endian value, or exact bytes. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "labbuf.h"
#include "labdiag.h"

#define MAX_BYTES 4096

/* "de ad be ef", "deadbeef" or "de:ad" -> bytes; -EINVAL if malformed. */
static int parse_bytes(const char *s, uint8_t **out, size_t *len)
{
	uint8_t *b = malloc(strlen(s) / 2 + 1);
	size_t n = 0;

	if (!b)
		return -ENOMEM;
	while (*s) {
		if (isspace((unsigned char)*s) || *s == ':' || *s == ',') {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1])) {
			free(b);
			return -EINVAL;
		}
		b[n++] = (uint8_t)strtoul((char[3]){ s[0], s[1], 0 }, NULL, 16);
		s += 2;
	}
	if (n == 0 || n > MAX_BYTES) {
		free(b);
		return -EINVAL;
	}
	*out = b;
	*len = n;
	return 0;
}

static int prepare(struct lab_check *c, const struct lab *lab, struct lab_diag *d)
{
	struct lab_memory_spec *m = c->memory;
	uint64_t len;
	int ret;

	if (!m->equals == !m->bytes)
		return lab_diag_check(d, "memory", "give equals (with size) or bytes");
	if (m->bytes) {
		if (m->size)
			return lab_diag_check(d, "memory.size", "size goes with equals, not bytes");
		ret = parse_bytes(m->bytes, &m->raw, &m->raw_len);
		if (ret == -EINVAL)
			return lab_diag_check(d, "memory.bytes", "bytes must be 1 to %d hex pairs "
					      "like \"de ad be ef\"", MAX_BYTES);
		if (ret < 0)
			return ret;
		len = m->raw_len;
	} else {
		if (!m->size)
			return lab_diag_check(d, "memory", "equals needs size: 1, 2, 4 or 8");
		if (*m->size != 1 && *m->size != 2 && *m->size != 4 && *m->size != 8)
			return lab_diag_check(d, "memory.size", "size must be 1, 2, 4 or 8");
		if (*m->size < 8 && *m->equals >> (8 * *m->size))
			return lab_diag_check(d, "memory.equals", "0x%llx does not fit in %llu bytes",
					      (unsigned long long)*m->equals,
					      (unsigned long long)*m->size);
		len = *m->size;
	}
	if (m->address >= lab->mem_size || len > lab->mem_size - m->address)
		return lab_diag_check(d, "memory.address", "0x%llx is outside the lab's %llu "
				      "bytes of memory", (unsigned long long)m->address,
				      (unsigned long long)lab->mem_size);
	return 0;
}

static void release(struct lab_check *c)
{
	if (c->memory) {
		free(c->memory->raw);
		c->memory->raw = NULL;
	}
}

static char *hex(const uint8_t *p, size_t n)
{
	struct labbuf b = { 0 };

	for (size_t i = 0; i < n; i++)
		labbuf_printf(&b, "%s%02x", i ? " " : "", p[i]);
	return labbuf_take(&b);
}

static int evaluate(const struct lab_check *c, const struct lab_run *run,
		    struct lab_check_result *r)
{
	const struct lab_memory_spec *m = c->memory;
	unsigned long long addr = m->address, v = 0;
	size_t len = m->bytes ? m->raw_len : (size_t)*m->size;

	if ((!run->mem || addr >= run->mem_size || len > run->mem_size - addr) && run->obs)
		/* a program lab: the memory kvmlab read from the program (progobs.h) */
		return lab_result_set(r, false, NULL, NULL, run->mem_size ?
				      lab_strdupf("0x%llx is outside the guest memory read from the "
						  "program's VM 1 when its guest stopped (its memory "
						  "slots cover 0x0-0x%llx)", addr,
						  (unsigned long long)run->mem_size - 1) :
				      lab_strdupf("the program's VM 1 has no guest memory to read "
						  "at 0x%llx: its guest never stopped (HLT), or no "
						  "readable memory slot starts at guest physical 0",
						  addr));
	if (!run->mem || addr >= run->mem_size || len > run->mem_size - addr)
		return lab_result_set(r, false, NULL, NULL,
				      lab_strdupf("0x%llx is outside the guest's memory", addr));
	if (m->bytes) {
		bool ok = memcmp(run->mem + addr, m->raw, len) == 0;

		return lab_result_set(r, ok, hex(m->raw, len), hex(run->mem + addr, len),
				      lab_strdupf("the %zu bytes at 0x%llx differ", len, addr));
	}
	memcpy(&v, run->mem + addr, len);  /* little-endian */
	return lab_result_set(r, v == *m->equals,
			      lab_strdupf("0x%llx (%llu) at 0x%llx", (unsigned long long)*m->equals,
					  (unsigned long long)*m->equals, addr),
			      lab_strdupf("0x%llx (%llu) at 0x%llx", v, v, addr),
			      lab_strdupf("the %zu-byte value at 0x%llx is 0x%llx", len, addr, v));
}

const struct lab_check_ops lab_check_memory_ops = {
	.prepare = prepare,
	.evaluate = evaluate,
	.release = release,
};
