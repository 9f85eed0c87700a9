/* options.c - parsing the options shared by the guest-running commands. */
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "error.h"
#include "vm.h"

enum {
	OPT_MODE = 0x100, OPT_MEM, OPT_FLAT, OPT_SMALL, OPT_MAX_EXITS, OPT_TIMEOUT,
	OPT_IOCTLS, OPT_DEV, OPT_HYPERCALLS, OPT_FILES,
};

const char vm_opts_help[] =
	"Guest options:\n"
	"  GUEST                 a built-in guest name (hello, boot, loop, ...) or a file path\n"
	"  -m, --mode MODE       start mode: real, protected, paged32, pae or long\n"
	"                        (default: the mode the guest names, else long for ELF64,\n"
	"                        protected for ELF32 and real for flat images)\n"
	"      --mem SIZE        guest memory, e.g. 2M, 512K, 1G (default 2M)\n"
	"      --flat ADDR       load GUEST as a raw binary at guest address ADDR\n"
	"      --4k-pages        long mode: map memory with 4 KiB pages (default 2 MiB)\n"
	"      --max-exits N     stop after N VM exits\n"
	"      --timeout MS      stop after MS milliseconds of wall-clock time\n"
	"      --hypercalls MAP  port map, e.g. print8=0x500,print32=0x501 (see README)\n"
	"      --files DIR       let the file hypercalls (fileOpen, ...) use the files\n"
	"                        under DIR (default: off, every call gives -EACCES)\n"
	"      --show-ioctls     log every KVM ioctl, decoded, to stderr\n"
	"      --dev PATH        KVM device (default /dev/kvm)\n";

int parse_u64(const char *what, const char *text, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!text || !*text || *text == '-') {
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

static int parse_shared(int opt, const char *arg, struct vm_opts *o)
{
	uint64_t v;

	switch (opt) {
	case 'm':
	case OPT_MODE:
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
		return parse_u64("--max-exits", arg, &o->max_exits);
	case OPT_TIMEOUT:
		if (parse_u64("--timeout", arg, &v) < 0)
			return -EINVAL;
		if (v == 0 || v > 86400000) {
			cli_error(EXIT_USAGE, "--timeout: %s ms is out of range (1 to 86400000)", arg);
			return -EINVAL;
		}
		o->timeout_ms = (unsigned)v;
		return 0;
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

int vm_opts_parse(int argc, char **argv, struct vm_opts *o, const struct option *extra,
		  const char *extra_short, extra_opt_fn fn, void *ctx)
{
	static const struct option shared[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "flat", required_argument, NULL, OPT_FLAT },
		{ "4k-pages", no_argument, NULL, OPT_SMALL },
		{ "max-exits", required_argument, NULL, OPT_MAX_EXITS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "show-ioctls", no_argument, NULL, OPT_IOCTLS },
		{ "dev", required_argument, NULL, OPT_DEV },
		{ "hypercalls", required_argument, NULL, OPT_HYPERCALLS },
		{ "files", required_argument, NULL, OPT_FILES },
	};
	enum { NSHARED = sizeof(shared) / sizeof(shared[0]) };
	struct option *all;
	char *shortopts;
	size_t n = 0;
	int opt, ret = 0;

	memset(o, 0, sizeof(*o));
	o->mem = VMM_MEM_DEFAULT;
	while (extra && extra[n].name)   /* every one of them: none is dropped */
		n++;
	all = calloc(NSHARED + n + 1, sizeof(*all));
	shortopts = malloc(strlen("m:") + (extra_short ? strlen(extra_short) : 0) + 1);
	if (!all || !shortopts) {
		cli_error(EXIT_USAGE, "%s: out of memory", argv[0]);
		ret = -ENOMEM;
		goto out;
	}
	memcpy(all, shared, sizeof(shared));
	if (n)
		memcpy(all + NSHARED, extra, n * sizeof(*all));
	sprintf(shortopts, "m:%s", extra_short ? extra_short : "");
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			cli_error(EXIT_USAGE, "%s: unknown option or missing value '%s' (see %s --help)",
				  argv[0], argv[optind - 1], argv[0]);
			ret = -EINVAL;
			goto out;
		}
		ret = parse_shared(opt, optarg, o);
		if (ret > 0)
			ret = fn ? fn(opt, optarg, ctx) : -EINVAL;
		if (ret < 0)
			goto out;
	}
	if (optind >= argc) {
		cli_error(EXIT_USAGE, "%s: no guest given (try: kvmlab %s hello)", argv[0], argv[0]);
		ret = -EINVAL;
	} else if (optind + 1 < argc) {
		cli_error(EXIT_USAGE, "%s: one guest at a time ('%s' is extra)", argv[0], argv[optind + 1]);
		ret = -EINVAL;
	} else {
		o->guest = argv[optind];
	}
out:
	free(all);
	free(shortopts);
	return ret;
}
