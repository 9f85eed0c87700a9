/* symbols.c - a guest ELF's symbol table (libelf), for naming addresses in traces and the TUI and
 * for typing names as addresses; the line table and the source text are in symlines.c. */
#include "symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"
#include "error.h"
#include "symlines.h"

#define MAX_SYMS 200000         /* symbols kept from one file */

/* ---- the symbol table ------------------------------------------------------------------------ */

static int add_name(struct symbols *s, size_t *cap, const char *name, uint32_t *off)
{
	size_t n = strlen(name) + 1;
	char *p = vmm_array_grow(s->names, cap, 1, s->names_len + n, 4096);

	if (!p)
		return -ENOMEM;
	s->names = p;
	memcpy(s->names + s->names_len, name, n);
	*off = (uint32_t)s->names_len;
	s->names_len += n;
	return 0;
}

/* Of several names at one address the one to show: sized before unsized, functions and objects
 * before labels, global before local, and a label that starts something before one that ends
 * something ("gdt_descriptor" rather than "gdt_end"). */
static int rank(const GElf_Sym *sym, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info), bind = GELF_ST_BIND(sym->st_info);
	size_t n = strlen(name);
	bool ends = n >= 3 && strcmp(name + n - 3, "end") == 0;

	return (sym->st_size ? 8 : 0) + (type == STT_FUNC || type == STT_OBJECT ? 4 : 0) +
	       (bind != STB_LOCAL ? 2 : 0) + !ends;
}

/* A symbol worth naming: a function, object or label inside an allocated section. */
static bool wanted(Elf *elf, const GElf_Sym *sym, const char *name, uint64_t *sec_end)
{
	int type = GELF_ST_TYPE(sym->st_info);
	GElf_Shdr sh;
	Elf_Scn *scn;
	size_t len;

	if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
		return false;
	if (!name || !*name || strncmp(name, ".L", 2) == 0)
		return false;
	len = strnlen(name, SYMBOLS_NAME_MAX + 1);
	if (len > SYMBOLS_NAME_MAX)
		return false;
	if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE)
		return false;
	scn = elf_getscn(elf, sym->st_shndx);
	if (!scn || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
		return false;
	if (sym->st_value < sh.sh_addr || sym->st_value >= sh.sh_addr + sh.sh_size)
		return false;
	*sec_end = sh.sh_addr + sh.sh_size;
	return true;
}

static int by_addr(const void *a, const void *b)
{
	const struct symbols_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return (int)x->rank - (int)y->rank;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static const struct symbols *sort_ctx;

static int by_name(const void *a, const void *b)
{
	const struct symbols_sym *x = &sort_ctx->sym[*(const uint32_t *)a];
	const struct symbols_sym *y = &sort_ctx->sym[*(const uint32_t *)b];
	int c = strcmp(sort_ctx->names + x->name, sort_ctx->names + y->name);

	if (c == 0 && x->rank != y->rank)
		c = (int)y->rank - (int)x->rank;
	return c ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int read_symtab(struct symbols *s, Elf *elf)
{
	size_t sym_cap = 0, names_cap = 0;
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 1; i < n && s->nsym < MAX_SYMS; i++) {
			struct symbols_sym *grown;
			GElf_Sym sym;
			const char *name;
			uint64_t sec_end;

			if (!gelf_getsym(d, (int)i, &sym))
				break;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!wanted(elf, &sym, name, &sec_end))
				continue;
			grown = vmm_array_grow(s->sym, &sym_cap, sizeof(*s->sym), s->nsym + 1, 256);
			if (!grown)
				return -ENOMEM;
			s->sym = grown;
			s->sym[s->nsym] = (struct symbols_sym){
				.addr = sym.st_value,
				.idx = (uint32_t)i,
				.end = sym.st_size ? (sym.st_size < sec_end - sym.st_value
						      ? sym.st_value + sym.st_size : sec_end) : sec_end,
				.rank = (uint8_t)rank(&sym, name),
			};
			if (add_name(s, &names_cap, name, &s->sym[s->nsym].name) < 0)
				return -ENOMEM;
			s->nsym++;
		}
	}
	if (!s->nsym)
		return 0;
	qsort(s->sym, s->nsym, sizeof(*s->sym), by_addr);
	/* A label without a size runs up to the next symbol at a higher address. */
	for (size_t i = 0, j = 0; i < s->nsym; i++) {
		if (s->sym[i].rank >= 8)
			continue;  /* sized */
		if (j <= i)
			j = i + 1;
		while (j < s->nsym && s->sym[j].addr == s->sym[i].addr)
			j++;
		if (j < s->nsym && s->sym[j].addr < s->sym[i].end)
			s->sym[i].end = s->sym[j].addr;
	}
	s->by_name = calloc(s->nsym, sizeof(*s->by_name));
	if (!s->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < s->nsym; i++)
		s->by_name[i] = (uint32_t)i;
	sort_ctx = s;
	qsort(s->by_name, s->nsym, sizeof(*s->by_name), by_name);
	sort_ctx = NULL;
	return 0;
}

/* ---- loading -------------------------------------------------------------------------------------- */

static int load(struct symbols *s, const char *path, bool lines)
{
	struct stat st;
	Elf *elf;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO must not block */
	if (fd < 0)
		return vmm_fail(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vmm_fail(-EINVAL, "%s: not a regular file", path);
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		close(fd);
		return vmm_fail(-ENOSYS, "libelf: %s", elf_errmsg(-1));
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		/* A flat binary: nothing to name, not an error. */
		if (elf)
			elf_end(elf);
		close(fd);
		return 0;
	}
	ret = read_symtab(s, elf);
	if (ret == 0 && lines)
		ret = symbols_read_lines(s, elf);
	elf_end(elf);
	close(fd);
	if (ret < 0) {
		symbols_free(s);
		return vmm_fail(ret, "%s: reading its symbols: %s", path, strerror(-ret));
	}
	return 0;
}

int symbols_load(struct symbols *s, const char *path)
{
	return load(s, path, true);
}

int symbols_load_table(struct symbols *s, const char *path)
{
	return load(s, path, false);
}

void symbols_free(struct symbols *s)
{
	symbols_free_lines(s);
	free(s->sym);
	free(s->by_name);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

bool symbols_any(const struct symbols *s)
{
	return s && (s->nsym || s->nrows);
}

/* ---- lookups ---------------------------------------------------------------------------------------- */

int symbols_lookup(const struct symbols *s, const char *name, size_t len, uint64_t *addr)
{
	size_t lo = 0, hi = s ? s->nsym : 0;

	if (len == 0 || len > SYMBOLS_NAME_MAX)
		return -ENOENT;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *n = s->names + s->sym[s->by_name[mid]].name;
		int c = strncmp(n, name, len);

		if (c == 0 && n[len])
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < (s ? s->nsym : 0)) {
		const struct symbols_sym *sym = &s->sym[s->by_name[lo]];

		if (strncmp(s->names + sym->name, name, len) == 0 && !s->names[sym->name + len]) {
			*addr = sym->addr;
			return 0;
		}
	}
	return -ENOENT;
}

const char *symbols_find(const struct symbols *s, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = s ? s->nsym : 0;

	_Static_assert(offsetof(struct symbols_sym, addr) == 0, "symbols_upto reads addr first");
	lo = symbols_upto(s ? s->sym : NULL, hi, sizeof(*s->sym), addr);
	if (lo == 0)
		return NULL;
	/* Of the symbols at the nearest address below, the highest-ranked one that covers addr. */
	for (size_t i = lo; i-- > 0 && s->sym[i].addr == s->sym[lo - 1].addr;) {
		if (addr < s->sym[i].end) {
			*off = addr - s->sym[i].addr;
			return s->names + s->sym[i].name;
		}
	}
	return NULL;
}

int symbols_label(const struct symbols *s, uint64_t addr, char *buf, size_t len)
{
	uint64_t off;
	const char *name = symbols_find(s, addr, &off);

	if (len)
		buf[0] = '\0';
	if (!name)
		return -ENOENT;
	if (off)
		snprintf(buf, len, "%s+0x%llx", name, (unsigned long long)off);
	else
		snprintf(buf, len, "%s", name);
	return 0;
}

/* ---- names typed for addresses ------------------------------------------------------------------ */

bool symbols_is_name(const char *text)
{
	unsigned char c = (unsigned char)text[0];

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}

int symbols_parse(const struct symbols *s, const char *text, size_t len, uint64_t *addr)
{
	size_t n = 0;
	uint64_t base, off = 0;
	char num[32], *end;

	if (len == 0 || !symbols_is_name(text))
		return -EINVAL;
	while (n < len && text[n] != '+' && text[n] != '-')
		n++;
	if (n < len) {
		size_t k = len - n - 1;

		if (k == 0 || k >= sizeof(num) || text[n + 1] == '-' || text[n + 1] == '+')
			return -EINVAL;
		memcpy(num, text + n + 1, k);
		num[k] = '\0';
		errno = 0;
		off = strtoull(num, &end, 0);
		if (errno || *end)
			return -EINVAL;
	}
	if (symbols_lookup(s, text, n, &base) < 0)
		return -ENOENT;
	*addr = text[n] == '-' && n < len ? base - off : base + off;
	return 0;
}
