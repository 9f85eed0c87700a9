/* symbols.h - a guest ELF's symbols (libelf) and source lines (elfutils' libdw), so addresses
 * can be typed and shown by name ("setup_paging", "hello_main+0x5", "hello.c:23").
 *
 * Everything comes from the guest's file, which is untrusted: counts and names are bounded,
 * symbols outside any allocated section are ignored, and source text is read only from regular
 * files with a source suffix (.c .h .S .s .inc), at most 1 MiB each.  Addresses are the ELF's
 * virtual addresses, which kvmlab's guests run at as linear addresses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYMBOLS_NAME_MAX 128    /* longer names are ignored */

struct symbols_sym {
	uint64_t addr, end;          /* [addr, end): the symbol's size, or up to the next one */
	uint32_t name;               /* offset in names */
	uint32_t idx;                /* its index in the ELF symbol table */
	uint8_t rank;                /* which of several names at one address to show: higher wins,
					see rank() in symbols.c */
};

struct symbols_row {                 /* one row of the DWARF line table */
	uint64_t addr;
	uint32_t line;
	uint32_t file;               /* index in files; UINT32_MAX: the end of a sequence */
};

struct symbols_src;                  /* a source file read for its text (private) */

struct symbols {
	struct symbols_sym *sym;     /* sorted by addr, then rank (highest last) */
	size_t nsym;
	uint32_t *by_name;           /* indexes into sym, sorted by name */
	char *names;
	size_t names_len;
	struct symbols_row *rows;    /* sorted by addr */
	size_t nrows;
	char **files;                /* source paths as the DWARF names them */
	size_t nfiles;
	struct symbols_src *src;     /* source text cache */
	size_t nsrc, src_cap;
};

/* Read path's symbol table and line table.  A file with neither (stripped, flat binary) gives an
 * empty table and 0.  -errno with vmm_last_error() if it cannot be read at all. */
int symbols_load(struct symbols *s, const char *path);

/* The same, the symbol table alone (libelf only, no DWARF): for a hostile file read in the
 * grader. */
int symbols_load_table(struct symbols *s, const char *path);

/* Release everything (s may be loaded again). */
void symbols_free(struct symbols *s);

/* True if there is anything to look up. */
bool symbols_any(const struct symbols *s);

/* The address of the symbol named name[0..len); 0 or -ENOENT. */
int symbols_lookup(const struct symbols *s, const char *name, size_t len, uint64_t *addr);

/* The symbol addr is in and the offset into it; NULL if none. */
const char *symbols_find(const struct symbols *s, uint64_t addr, uint64_t *off);

/* "name" or "name+0x1f" for addr into buf; 0, or -ENOENT (buf = "") if no symbol covers it. */
int symbols_label(const struct symbols *s, uint64_t addr, char *buf, size_t len);

/* The source line of the instruction at addr: its file's path as the DWARF names it and the
 * line number; 0 or -ENOENT. */
int symbols_line(const struct symbols *s, uint64_t addr, const char **file, unsigned *line);

/* "hello.c:23" (the file's last path component) for addr into buf; 0 or -ENOENT (buf = ""). */
int symbols_where(const struct symbols *s, uint64_t addr, char *buf, size_t len);

/* Line `line` of source file `file` (as symbols_line gave it), without its newline and with
 * leading blanks and tabs dropped, into buf; 0, or -ENOENT when the file cannot be read or has
 * no such line (buf = ""). */
int symbols_source(struct symbols *s, const char *file, unsigned line, char *buf, size_t len);

/* True if text starts like a symbol name (a letter, '_' or '.'), so it is not a number. */
bool symbols_is_name(const char *text);

/* An address typed as a symbol: "name", "name+OFF" or "name-OFF" (OFF decimal, or hex with 0x)
 * from text[0..len); 0, -ENOENT (no symbol of that name) or -EINVAL (not of that form). */
int symbols_parse(const struct symbols *s, const char *text, size_t len, uint64_t *addr);
