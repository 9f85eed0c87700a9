/* options.c - parsing the options shared by the guest-running commands. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "error.h"
#include "vm.h"

enum {
	OPT_MEM = 0x100, OPT_FLAT, OPT_SMALL, OPT_MAX_EXITS, OPT_TIMEOUT,
	OPT_IOCTLS, OPT_DEV, OPT_HYPERCALLS, OPT_FILES,
};

const struct cli_opt vm_opt_table[] = {
	{ "mode", 'm', "MODE", "start mode: real, protected, paged32, pae or long\n"
	  "(default: the mode the guest names, else long for ELF64,\n"
	  "protected for ELF32 and real for flat images)" },
	{ "mem", OPT_MEM, "SIZE", "guest memory, e.g. 2M, 512K, 1G (default 2M)" },
	{ "flat", OPT_FLAT, "ADDR", "load GUEST as a raw binary at guest address ADDR" },
	{ "4k-pages", OPT_SMALL, NULL, "long mode: map memory with 4 KiB pages (default 2 MiB)" },
	{ "max-exits", OPT_MAX_EXITS, "N", "stop after N VM exits" },
	{ "timeout", OPT_TIMEOUT, "MS", "stop after MS milliseconds of wall-clock time" },
	{ "hypercalls", OPT_HYPERCALLS, "MAP", "port map, e.g. print8=0x500,print32=0x501 (see README)" },
	{ "files", OPT_FILES, "DIR", "let the file hypercalls (fileOpen, ...) use the files\n"
	  "under DIR (default: off, every call gives -EACCES)" },
	{ "show-ioctls", OPT_IOCTLS, NULL, "log every KVM ioctl, decoded, to stderr" },
	{ "dev", OPT_DEV, "PATH", "KVM device (default /dev/kvm)" },
	{ 0 },
};

#define HELP_COLUMN 24
#define HELP_WIDTH 80

void cli_opts_help(FILE *f, const struct cli_opt *t)
{
	for (; t->name; t++) {
		const char *h = t->help;
		int n;

		if (t->id > 0 && t->id < 128)
			n = fprintf(f, "  -%c, --%s", t->id, t->name);
		else
			n = fprintf(f, "      --%s", t->name);
		if (t->arg)
			n += fprintf(f, " %s", t->arg);
		fprintf(f, "%*s", n < HELP_COLUMN ? HELP_COLUMN - n : 1, "");
		n = n < HELP_COLUMN ? HELP_COLUMN : n + 1;   /* the column the text starts at */
		for (;;) {   /* lines end at '\n', or at the last space that keeps them in 80 columns */
			size_t len = strcspn(h, "\n"), room = n < HELP_WIDTH ? (size_t)(HELP_WIDTH - n) : 1;

			if (len > room) {
				size_t cut = room;

				while (cut > 0 && h[cut] != ' ')
					cut--;
				len = cut ? cut : len;
			}
			fprintf(f, "%.*s\n", (int)len, h);
			if (!h[len])
				break;
			h += len + 1;
			n = fprintf(f, "%*s", HELP_COLUMN, "");
		}
	}
}

int cli_opts_getopt(const struct cli_opt *const *tables, struct option **longs, char **shorts)
{
	size_t n = 0, k = 0, s = 0;

	for (const struct cli_opt *const *t = tables; *t; t++)
		for (const struct cli_opt *o = *t; o->name; o++)
			n++;
	*longs = calloc(n + 1, sizeof(**longs));
	*shorts = calloc(2 * n + 1, 1);
	if (!*longs || !*shorts) {
		free(*longs);
		free(*shorts);
		*longs = NULL;
		*shorts = NULL;
		return -ENOMEM;
	}
	for (const struct cli_opt *const *t = tables; *t; t++) {
		for (const struct cli_opt *o = *t; o->name; o++) {
			(*longs)[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
							 NULL, o->id };
			if (o->id > 0 && o->id < 128) {
				(*shorts)[s++] = (char)o->id;
				if (o->arg)
					(*shorts)[s++] = ':';
			}
		}
	}
	return 0;
}

int cli_opts_main(const struct cli_opt *const *tables, int argc, char **argv, cli_args_fn fn)
{
	struct option *longs;
	char *shorts;
	int status;

	if (cli_opts_getopt(tables, &longs, &shorts) < 0)
		return -ENOMEM;
	status = fn(argc, argv, longs, shorts);
	free(longs);
	free(shorts);
	return status;
}

int parse_u64(const char *what, const char *text, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!text || !isdigit((unsigned char)*text)) {   /* strtoull takes " -1" as 2^64 - 1 */
		cli_error(EXIT_USAGE, "%s: '%s' is not a number", what, text ? text : "");
		return -EINVAL;
	}
	*out = strtoull(text, &end, 0);
	if (errno || *end) {
		cli_error(EXIT_USAGE, "%s: '%s' is not a number (decimal, or hex with 0x)", what, text);
		return -EINVAL;
	}
	return 0;
}

int parse_timeout_ms(const char *what, const char *text, unsigned *out)
{
	uint64_t v;

	if (parse_u64(what, text, &v) < 0)
		return -EINVAL;
	if (v == 0 || v > 86400000) {
		cli_error(EXIT_USAGE, "%s: %s ms is out of range (1 to 86400000)", what, text);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

int parse_format(const char *what, const char *text, bool *jsonl)
{
	if (strcmp(text, "text") != 0 && strcmp(text, "jsonl") != 0) {
		cli_error(EXIT_USAGE, "%s: '%s' is not text or jsonl", what, text);
		return -EINVAL;
	}
	*jsonl = text[0] == 'j';
	return 0;
}

static int parse_shared(int opt, const char *arg, struct vm_opts *o)
{
	switch (opt) {
	case 'm':
		if (vmm_mode_parse(arg, &o->mode) < 0) {
			cli_error(EXIT_USAGE, "unknown mode '%s': use real, protected, paged32, pae or long", arg);
			return -EINVAL;
		}
		o->mode_set = true;
		return 0;
	case OPT_MEM:
		if (vmm_parse_size(arg, &o->mem) < 0) {
			cli_error(EXIT_USAGE, "--mem: '%s' is not a size (try 2M, 512K or 1G)", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_FLAT:
		o->flat = true;
		return parse_u64("--flat", arg, &o->flat_addr);
	case OPT_SMALL:
		o->small_pages = true;
		return 0;
	case OPT_MAX_EXITS:
		if (parse_u64("--max-exits", arg, &o->max_exits) < 0)
			return -EINVAL;
		if (o->max_exits == 0) {   /* 0 would be "no limit": not what anyone means by it */
			cli_error(EXIT_USAGE, "--max-exits: give 1 or more (leave it out for no limit)");
			return -EINVAL;
		}
		return 0;
	case OPT_TIMEOUT:
		return parse_timeout_ms("--timeout", arg, &o->timeout_ms);
	case OPT_IOCTLS:
		o->show_ioctls = true;
		return 0;
	case OPT_DEV:
		o->dev = arg;
		return 0;
	case OPT_HYPERCALLS:
		if (vmm_portmap_parse(&o->ports, arg) < 0) {
			cli_error(EXIT_USAGE, "%s", vmm_last_error());
			return -EINVAL;
		}
		return 0;
	case OPT_FILES:
		o->files = arg;
		return 0;
	}
	return 1;
}

int cli_opts_parse(int argc, char **argv, const struct cli_opt *const *tables, extra_opt_fn fn,
		   void *ctx)
{
	struct option *all = NULL;
	char *shortopts = NULL;
	int opt, ret = cli_opts_getopt(tables, &all, &shortopts);

	if (ret < 0) {
		cli_error(EXIT_USAGE, "%s: out of memory", argv[0]);
		return ret;
	}
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			cli_error(EXIT_USAGE, "%s: unknown option or missing value '%s' (see %s --help)",
				  argv[0], argv[optind - 1], argv[0]);
			ret = -EINVAL;
			break;
		}
		ret = fn(opt, optarg, ctx);
		if (ret < 0)
			break;
	}
	free(all);
	free(shortopts);
	return ret < 0 ? ret : optind;
}

struct shared_ctx {
	struct vm_opts *o;
	extra_opt_fn fn;
	void *ctx;
};

/* A shared option, else the command's own. */
static int shared_or_extra(int opt, const char *arg, void *ctx)
{
	struct shared_ctx *c = ctx;
	int ret = parse_shared(opt, arg, c->o);

	if (ret > 0)
		ret = c->fn ? c->fn(opt, arg, c->ctx) : -EINVAL;
	return ret;
}

int vm_opts_parse(int argc, char **argv, struct vm_opts *o, const struct cli_opt *const *extra,
		  extra_opt_fn fn, void *ctx)
{
	struct shared_ctx c = { o, fn, ctx };
	const struct cli_opt **tables;
	size_t n = 0;
	int ret;

	memset(o, 0, sizeof(*o));
	o->mem = VMM_MEM_DEFAULT;
	while (extra && extra[n])
		n++;
	tables = calloc(n + 2, sizeof(*tables));   /* the shared table, the command's, NULL */
	if (!tables) {
		cli_error(EXIT_USAGE, "%s: out of memory", argv[0]);
		return -ENOMEM;
	}
	tables[0] = vm_opt_table;
	if (n)
		memcpy(tables + 1, extra, n * sizeof(*tables));
	ret = cli_opts_parse(argc, argv, tables, shared_or_extra, &c);
	free(tables);
	if (ret < 0)
		return ret;
	if (ret >= argc) {
		cli_error(EXIT_USAGE, "%s: no guest given (try: kvmlab %s hello)", argv[0], argv[0]);
		return -EINVAL;
	}
	if (ret + 1 < argc) {
		cli_error(EXIT_USAGE, "%s: one guest at a time ('%s' is extra)", argv[0], argv[ret + 1]);
		return -EINVAL;
	}
	o->guest = argv[ret];
	return 0;
}
