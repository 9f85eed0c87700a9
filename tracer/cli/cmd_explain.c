/* cmd_explain.c - `kvmlab explain`: how the kernel serves an ioctl, and each KVM ioctl. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "command.h"
#include "ioctl.h"
#include "ioctlpath.h"
#include "options.h"

enum { OPT_LIST = 256 };

static const struct cli_opt explain_opts[] = {
	{ "list", OPT_LIST, NULL, "the topics, then the KVM ioctls kvmlab decodes that have\n"
	  "no entry yet, and how many have one" },
	{ 0 },
};
static const struct cli_opt *const explain_tables[] = { explain_opts, NULL };

static int list(void)
{
	size_t with = 0, without = 0;

	puts("topics (kvmlab explain TOPIC):");
	for (size_t i = 0; ioctlpath_at(i); i++)
		printf("  %s\n", ioctlpath_at(i)->name);
	puts("\nKVM ioctls kvmlab decodes without an entry yet (their request codes are decoded by\n"
	     "kvmlab run --show-ioctls and kvmlab exec all the same):");
	for (size_t i = 0; vmm_ioctl_name_at(i); i++) {
		if (ioctlpath_find(vmm_ioctl_name_at(i))) {
			with++;
			continue;
		}
		printf("  %s\n", vmm_ioctl_name_at(i));
		without++;
	}
	printf("\n%zu of the %zu KVM ioctls kvmlab decodes have an entry, every one kvm-hello-world "
	       "makes among them.\n", with, with + without);
	return ferror(stdout) ? cli_error(EXIT_USAGE, "explain: standard output could not be "
					  "written") : 0;
}

/* A name kvmlab decodes but has no entry for, or one it does not know at all. */
static int no_entry(const char *topic)
{
	char name[128];
	unsigned long req;

	snprintf(name, sizeof(name), "%s%s", strncasecmp(topic, "KVM_", 4) ? "KVM_" : "", topic);
	for (char *p = name; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	req = vmm_ioctl_request(name);
	if (req) {
		struct vmm_ioctl_info i;

		vmm_ioctl_decode(req, &i);
		return cli_error(EXIT_USAGE, "explain: no entry for %s yet (its request code 0x%08lx: "
				 "dir %s, size %u, type 0x%02X, nr 0x%02X); `kvmlab explain ioctl` "
				 "gives the way every ioctl takes, `kvmlab explain --list` the entries",
				 name, req, i.dir, i.size, i.type, i.nr);
	}
	return cli_error(EXIT_USAGE, "explain: '%s' is neither a topic nor a KVM ioctl kvmlab "
			 "knows (kvmlab explain --list shows them)", topic);
}

static int explain_main(int argc, char **argv)
{
	struct option *longopts;
	char *shorts;
	bool want_list = false;
	int c;

	if (cli_wants_help(&cmd_explain, argc, argv))
		return 0;
	if (cli_opts_getopt(explain_tables, &longopts, &shorts) < 0)
		return cli_error(EXIT_USAGE, "explain: out of memory");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		if (c != OPT_LIST) {
			free(longopts);
			free(shorts);
			return cli_error(EXIT_USAGE, "explain: unknown option '%s' (see kvmlab "
					 "explain --help)", argv[optind - 1]);
		}
		want_list = true;
	}
	free(longopts);
	free(shorts);
	if (want_list && optind == argc)
		return list();
	if (want_list || argc - optind != 1)
		return cli_error(EXIT_USAGE, "explain: give one topic (ioctl, KVM_RUN, ...) or "
				 "--list: kvmlab explain KVM_RUN");
	if (!ioctlpath_find(argv[optind]))
		return no_entry(argv[optind]);
	if (ioctlpath_write(stdout, ioctlpath_find(argv[optind])) < 0)
		return cli_error(EXIT_USAGE, "explain: standard output could not be written");
	return 0;
}

const struct command cmd_explain = {
	.name = "explain",
	.summary = "how Linux serves an ioctl, and each KVM ioctl a VMM makes, step by step",
	.help =
	"usage: kvmlab explain TOPIC\n"
	"       kvmlab explain --list\n\n"
	"Explains how the kernel serves an ioctl, from ioctl(2) through the file's\n"
	"file_operations to KVM's handler and back, with the kernel function and source\n"
	"file of each step (Linux 6.x) and the line of kvmlab run --show-ioctls or\n"
	"kvmlab exec that shows it.  TOPIC is `ioctl` (how a module registers and serves\n"
	"ioctls) or a KVM ioctl: KVM_RUN, KVM_SET_SREGS, ... (any case; KVM_ may be left\n"
	"out).  Every ioctl kvm-hello-world makes has an entry; another one kvmlab\n"
	"decodes gets its request code and the words 'no entry', with status 1.\n",
	.opts = explain_tables,
	.main = explain_main,
	.epilogue = "Examples:\n"
	"  kvmlab explain ioctl\n"
	"  kvmlab explain KVM_RUN\n"
	"  kvmlab explain set_user_memory_region\n",
};
