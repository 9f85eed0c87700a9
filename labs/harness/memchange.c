/* memchange.c - the bytes a run changed in guest memory, and memory ranges of lab files. */
#include "memchange.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirtylog.h"
#include "error.h"
#include "labdiag.h"
#include "symbols.h"
#include "vcpu.h"
#include "vm.h"

#define PAGE 4096u

int lab_memchange_start(const struct lab *lab, struct vmm_vm *vm, struct vmm_vcpu *vcpu,
			struct lab_run *run)
{
	int ret;

	run->stack_top = vcpu->regs.rsp + vcpu->sregs.ss.base;
	if (!lab->memlog)
		return 0;
	run->image = malloc(vm->mem_size);
	run->dirty = calloc(vmm_dirty_words(vm), sizeof(uint64_t));
	if (!run->image || !run->dirty)
		return -ENOMEM;
	memcpy(run->image, vm->mem, vm->mem_size);
	ret = vmm_dirty_start(vm);
	if (ret < 0)
		snprintf(run->error, sizeof(run->error), "%s", vmm_last_error());
	return ret;
}

int lab_memchange_finish(struct vmm_vm *vm, struct lab_run *run)
{
	int ret;

	if (!run->dirty)
		return 0;
	ret = vmm_dirty_read(vm, run->dirty);
	if (ret < 0)
		snprintf(run->error, sizeof(run->error), "%s", vmm_last_error());
	return ret;
}

bool lab_memchange_page_dirty(const struct lab_run *run, uint64_t page)
{
	return run->dirty && page < (run->mem_size + PAGE - 1) / PAGE &&
	       (run->dirty[page / 64] >> (page % 64) & 1);
}

bool lab_memchange_next(const struct lab_run *run, uint64_t *addr)
{
	if (!run->image || !run->mem)
		return false;
	for (uint64_t a = *addr; a < run->mem_size;) {
		uint64_t page = a / PAGE, end = (page + 1) * PAGE;

		if (end > run->mem_size)
			end = run->mem_size;
		if (!lab_memchange_page_dirty(run, page)) {
			a = end;
			continue;
		}
		for (; a < end; a++)
			if (run->mem[a] != run->image[a]) {
				*addr = a;
				return true;
			}
	}
	return false;
}

/* A number with nothing after it (decimal or 0x hex): 0 or -EINVAL. */
static int strict_number(const char *t, size_t len, uint64_t *v)
{
	char buf[32], *end;

	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)t[0]))
		return -EINVAL;
	memcpy(buf, t, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

/* Split "name+N" / "name-N" / "N": the base's length, and the offset (negative for -). */
static int split_end(const char *t, size_t *base_len, int64_t *off)
{
	const char *op = strpbrk(t, "+-");
	uint64_t v;

	*base_len = strlen(t);
	*off = 0;
	if (!op)
		return 0;
	*base_len = (size_t)(op - t);
	if (strict_number(op + 1, strlen(op + 1), &v) < 0 || v > INT64_MAX)
		return -EINVAL;
	*off = *op == '-' ? -(int64_t)v : (int64_t)v;
	return 0;
}

static bool is_name(const char *t, size_t len)
{
	if (len == 0 || !(isalpha((unsigned char)t[0]) || t[0] == '_' || t[0] == '.'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.'))
			return false;
	return true;
}

static int end_ok(const char *t)
{
	size_t n;
	int64_t off;
	uint64_t v;

	if (split_end(t, &n, &off) < 0)
		return -EINVAL;
	return is_name(t, n) || strict_number(t, n, &v) == 0 ? 0 : -EINVAL;
}

static int range_prepare(const struct lab_mem_range *r, struct lab_diag *d, const char *path)
{
	char sub[96];

	snprintf(sub, sizeof(sub), "%s.from", path);
	if (end_ok(r->from) < 0)
		return lab_diag_check(d, sub, "'%s' is not an address: give a number (0x400), a "
				      "symbol of the guest (result, result+8), stack_top-0x1000 or mem_end",
				      r->from);
	snprintf(sub, sizeof(sub), "%s.to", path);
	if (!r->to == !r->size)
		return lab_diag_check(d, path, "give to (the first address after the range) or "
				      "size, not both");
	if (r->to && end_ok(r->to) < 0)
		return lab_diag_check(d, sub, "'%s' is not an address: give a number, a symbol of "
				      "the guest, stack_top or mem_end, with +N or -N", r->to);
	if (r->size && *r->size == 0)
		return lab_diag_check(d, path, "size 0 is an empty range");
	return 0;
}

int lab_mem_ranges_prepare(const struct lab_mem_range *r, unsigned n, struct lab_diag *d,
			   const char *base)
{
	char path[64];

	for (unsigned i = 0; i < n; i++) {
		int ret;

		snprintf(path, sizeof(path), "%s.%u", base, i);
		ret = range_prepare(&r[i], d, path);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* One end of a range; syms loaded on first use. */
static int resolve_end(const char *t, const struct lab_run *run, struct symbols *syms,
		       bool *loaded, uint64_t *out, char *err, size_t errlen)
{
	size_t n;
	int64_t off;
	uint64_t base;

	if (split_end(t, &n, &off) < 0)
		return -EINVAL;
	if (strict_number(t, n, &base) == 0) {
		/* a number */
	} else if (n == 9 && strncmp(t, "stack_top", 9) == 0) {
		base = run->stack_top;
	} else if (n == 7 && strncmp(t, "mem_end", 7) == 0) {
		base = run->mem_size;
	} else {
		if (!*loaded) {
			if (!run->guest_path || symbols_load_table(syms, run->guest_path) < 0) {
				snprintf(err, errlen, "'%s': the guest's symbols cannot be read", t);
				return -EINVAL;
			}
			*loaded = true;
		}
		if (symbols_lookup(syms, t, n, &base) < 0) {
			snprintf(err, errlen, "the guest has no symbol '%.*s' (range end '%s')",
				 (int)n, t, t);
			return -EINVAL;
		}
	}
	*out = base + (uint64_t)off;
	return 0;
}

int lab_mem_ranges_resolve(const struct lab_mem_range *r, unsigned n, const struct lab_run *run,
			   uint64_t *lo, uint64_t *hi, char *err, size_t errlen)
{
	struct symbols syms;
	bool loaded = false;
	int ret = 0;

	memset(&syms, 0, sizeof(syms));
	for (unsigned i = 0; i < n && ret == 0; i++) {
		ret = resolve_end(r[i].from, run, &syms, &loaded, &lo[i], err, errlen);
		if (ret == 0 && r[i].to)
			ret = resolve_end(r[i].to, run, &syms, &loaded, &hi[i], err, errlen);
		else if (ret == 0)
			hi[i] = lo[i] + *r[i].size;
		if (ret == 0 && (hi[i] <= lo[i] || hi[i] > run->mem_size)) {
			snprintf(err, errlen, "range %u [0x%llx, 0x%llx) is empty or outside guest "
				 "memory (0x%llx bytes)", i + 1, (unsigned long long)lo[i],
				 (unsigned long long)hi[i], (unsigned long long)run->mem_size);
			ret = -EINVAL;
		}
	}
	if (loaded)
		symbols_free(&syms);
	return ret;
}
