/* symlines.c - a guest ELF's line table (elfutils' libdw) and the source text of its lines:
 * "hello.c:23" for an address, and the text of line 23. */
#include "symlines.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"

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

int symbols_read_lines(struct symbols *s, Elf *elf)
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

void symbols_free_lines(struct symbols *s)
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
	s->src = NULL;
	s->files = NULL;
	s->rows = NULL;
	s->nsrc = s->nfiles = s->nrows = 0;
	s->src_cap = 0;
}

/* ---- lookups ---------------------------------------------------------------------------------------- */

int symbols_line(const struct symbols *s, uint64_t addr, const char **file, unsigned *line)
{
	size_t lo = 0, hi = s ? s->nrows : 0;
	const struct symbols_row *r;

	_Static_assert(offsetof(struct symbols_row, addr) == 0, "symbols_upto reads addr first");
	lo = symbols_upto(s ? s->rows : NULL, hi, sizeof(*s->rows), addr);
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
		grown = vmm_array_grow(s->src, &s->src_cap, sizeof(*s->src), s->nsrc + 1, 4);
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
