/* symbols.c - a guest ELF's symbol table (libelf) and line table (libdw), and the source text
 * of the lines, for naming addresses in traces and the TUI and for typing names as addresses. */
#include "symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
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

#define MAX_SYMS 200000         /* symbols kept from one file */
#define MAX_ROWS 2000000        /* line-table rows kept */
#define MAX_FILES 4096          /* distinct source files */
#define MAX_SRC 32              /* source files read for their text */
#define SRC_MAX_SIZE (1 << 20)

struct symbols_src {
	char *path;
	char *text;                  /* NULL: could not be read */
	size_t len;
	uint32_t *line_off;          /* start of each line */
	size_t nlines;
};

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

/* ---- the line table ---------------------------------------------------------------------------- */

static int file_index(struct symbols *s, size_t *cap, const char *path, uint32_t *out)
{
	char **grown;

	/* Consecutive rows nearly always name the file of the row before. */
	for (size_t i = s->nfiles; i-- > 0 && i + 8 >= s->nfiles;)
		if (strcmp(s->files[i], path) == 0)
			return (int)(*out = (uint32_t)i), 0;
	for (size_t i = 0; i + 8 < s->nfiles; i++)
		if (strcmp(s->files[i], path) == 0)
			return (int)(*out = (uint32_t)i), 0;
	if (s->nfiles >= MAX_FILES)
		return -E2BIG;
	grown = vmm_array_grow(s->files, cap, sizeof(*s->files), s->nfiles + 1, 16);
	if (!grown)
		return -ENOMEM;
	s->files = grown;
	if (!(s->files[s->nfiles] = strdup(path)))
		return -ENOMEM;
	*out = (uint32_t)s->nfiles++;
	return 0;
}

static int by_row(const void *a, const void *b)
{
	const struct symbols_row *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* The end of one sequence before the start of the next at the same address. */
	return (x->file != UINT32_MAX) - (y->file != UINT32_MAX);
}

static int read_lines(struct symbols *s, Elf *elf)
{
	size_t rows_cap = 0, files_cap = 0;
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	int ret = 0;

	if (!dw)
		return 0;  /* no debug information */
	while (ret == 0 && dwarf_get_units(dw, cu, &cu, NULL, NULL, &cudie, NULL) == 0) {
		Dwarf_Attribute attr;
		const char *comp_dir = dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &attr));
		char path[1024];
		Dwarf_Lines *lines;
		size_t n;

		if (dwarf_getsrclines(&cudie, &lines, &n) != 0)
			continue;
		for (size_t i = 0; i < n && ret == 0; i++) {
			Dwarf_Line *l = dwarf_onesrcline(lines, i);
			struct symbols_row *grown, row;
			Dwarf_Addr addr;
			bool end = false;
			int lineno = 0;
			const char *src;

			if (!l || dwarf_lineaddr(l, &addr) != 0 || dwarf_lineendsequence(l, &end) != 0)
				continue;
			row = (struct symbols_row){ .addr = addr, .file = UINT32_MAX };
			if (!end) {
				if (dwarf_lineno(l, &lineno) != 0 || lineno <= 0 ||
				    !(src = dwarf_linesrc(l, NULL, NULL)))
					continue;
				row.line = (uint32_t)lineno;
				/* gcc names files relative to the folder it ran in (meson's build folder) */
				if (src[0] != '/' && comp_dir && comp_dir[0] == '/' &&
				    (size_t)snprintf(path, sizeof(path), "%s/%s", comp_dir, src) < sizeof(path))
					src = path;
				if ((ret = file_index(s, &files_cap, src, &row.file)) < 0)
					break;
			}
			if (s->nrows >= MAX_ROWS)
				break;
			grown = vmm_array_grow(s->rows, &rows_cap, sizeof(*s->rows), s->nrows + 1, 256);
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			s->rows = grown;
			s->rows[s->nrows++] = row;
		}
	}
	dwarf_end(dw);
	if (ret == -E2BIG)
		ret = 0;  /* more files than kept: the rows so far stand */
	if (ret == 0 && s->nrows)
		qsort(s->rows, s->nrows, sizeof(*s->rows), by_row);
	return ret;
}

/* ---- loading -------------------------------------------------------------------------------------- */

int symbols_load(struct symbols *s, const char *path)
{
	struct stat st;
	Elf *elf;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	if (ret == 0)
		ret = read_lines(s, elf);
	elf_end(elf);
	close(fd);
	if (ret < 0) {
		symbols_free(s);
		return vmm_fail(ret, "%s: reading its symbols: %s", path, strerror(-ret));
	}
	return 0;
}

void symbols_free(struct symbols *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	for (size_t i = 0; i < s->nsrc; i++) {
		free(s->src[i].path);
		free(s->src[i].text);
		free(s->src[i].line_off);
	}
	free(s->src);
	free(s->files);
	free(s->rows);
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

	while (lo < hi) {  /* the first symbol above addr */
		size_t mid = (lo + hi) / 2;

		if (s->sym[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
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

int symbols_line(const struct symbols *s, uint64_t addr, const char **file, unsigned *line)
{
	size_t lo = 0, hi = s ? s->nrows : 0;
	const struct symbols_row *r;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->rows[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -ENOENT;
	r = &s->rows[lo - 1];
	if (r->file == UINT32_MAX)
		return -ENOENT;
	*file = s->files[r->file];
	*line = r->line;
	return 0;
}

int symbols_where(const struct symbols *s, uint64_t addr, char *buf, size_t len)
{
	const char *file, *base;
	unsigned line;

	if (len)
		buf[0] = '\0';
	if (symbols_line(s, addr, &file, &line) < 0)
		return -ENOENT;
	base = strrchr(file, '/');
	snprintf(buf, len, "%s:%u", base ? base + 1 : file, line);
	return 0;
}

/* ---- source text -------------------------------------------------------------------------------- */

static bool source_suffix(const char *path)
{
	static const char *const ok[] = { ".c", ".h", ".S", ".s", ".inc" };
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t k = strlen(ok[i]);

		if (n > k && strcmp(path + n - k, ok[i]) == 0)
			return true;
	}
	return false;
}

/* Read a source file into src (text NULL if it cannot or may not be read). */
static void read_source(struct symbols_src *src)
{
	struct stat st;
	size_t cap = 0;
	ssize_t got;
	int fd;

	if (!source_suffix(src->path))
		return;
	fd = open(src->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SRC_MAX_SIZE ||
	    !(src->text = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return;
	}
	while (src->len < (size_t)st.st_size &&
	       (got = read(fd, src->text + src->len, (size_t)st.st_size - src->len)) > 0)
		src->len += (size_t)got;
	close(fd);
	src->text[src->len] = '\0';
	for (size_t i = 0; i <= src->len; i++) {
		uint32_t *grown;

		if (i != 0 && src->text[i - 1] != '\n')
			continue;
		if (i == src->len)
			break;
		grown = vmm_array_grow(src->line_off, &cap, sizeof(*grown), src->nlines + 1, 256);
		if (!grown) {
			free(src->text);
			src->text = NULL;
			return;
		}
		src->line_off = grown;
		src->line_off[src->nlines++] = (uint32_t)i;
	}
}

int symbols_source(struct symbols *s, const char *file, unsigned line, char *buf, size_t len)
{
	struct symbols_src *src = NULL;
	const char *p;
	size_t n;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < s->nsrc; i++)
		if (strcmp(s->src[i].path, file) == 0)
			src = &s->src[i];
	if (!src) {
		struct symbols_src *grown;

		if (s->nsrc >= MAX_SRC)
			return -ENOENT;
		grown = realloc(s->src, (s->nsrc + 1) * sizeof(*s->src));
		if (!grown)
			return -ENOENT;
		s->src = grown;
		src = &s->src[s->nsrc];
		*src = (struct symbols_src){ .path = strdup(file) };
		if (!src->path)
			return -ENOENT;
		s->nsrc++;
		read_source(src);
	}
	if (!src->text || line == 0 || line > src->nlines)
		return -ENOENT;
	p = src->text + src->line_off[line - 1];
	while (*p == ' ' || *p == '\t')
		p++;
	n = strcspn(p, "\n");
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < n && i + 1 < len; i++)  /* tabs and control bytes as spaces */
		buf[i] = (unsigned char)p[i] < 32 || p[i] == 127 ? ' ' : p[i];
	if (len)
		buf[n < len ? n : len - 1] = '\0';
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
