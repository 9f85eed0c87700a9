/* cmd_probe.c - `kvmlab probe`: what this host's KVM can do. */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "sandbox.h"
#include "error.h"
#include "probe.h"
#include "session.h"
#include "vm.h"

static int probe_main(int argc, char **argv)
{
	static const struct {
		unsigned bit;
		const char *name, *use;
	} caps[] = {
		{ VMM_CAP_SYNC_REGS, "SYNC_REGS", "registers in kvm_run, no ioctl per step" },
		{ VMM_CAP_GUEST_DEBUG, "SET_GUEST_DEBUG", "single-step and breakpoints" },
		{ VMM_CAP_BLOCKIRQ, "GUESTDBG_BLOCKIRQ", "no interrupts injected while stepping" },
		{ VMM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT", "the --timeout safety net" },
		{ VMM_CAP_SREGS2, "SREGS2", "PAE PDPTRs for page walks" },
		{ VMM_CAP_TSS_ADDR, "SET_TSS_ADDR", "real mode on Intel" },
		{ VMM_CAP_READONLY_MEM, "READONLY_MEM", "read-only guest memory" },
	};
	struct vmm_probe p;
	char why[256];
	const char *dev = argc > 2 && strcmp(argv[1], "--dev") == 0 ? argv[2] : NULL;
	int ret, nbad = 0;

	if (cli_wants_help(&cmd_probe, argc, argv))
		return 0;
	if (argc > 1 && !dev)
		return cli_error(EXIT_USAGE, "probe: unknown argument '%s' (see kvmlab probe --help)", argv[1]);
	ret = vmm_probe(dev, &p);
	if (ret < 0)
		return cli_error(EXIT_HOST, "%s", vmm_last_error());
	printf("KVM API version %d, backend %s\n\ncapabilities:\n", p.api_version, p.backend);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("  %-3s %-18s %s\n", p.caps & caps[i].bit ? "yes" : "no", caps[i].name, caps[i].use);
	printf("  %-3s %-18s %s\n", p.sw_breakpoints ? "yes" : "no", "int3 breakpoints",
	       "KVM_GUESTDBG_USE_SW_BP stops at an int3 (else kvmlab single-steps to breakpoints)");
	printf("  %-3s %-18s %s\n", p.hw_watchpoints ? "yes" : "no", "DR watchpoints",
	       "KVM_GUESTDBG_USE_HW_BP stops after a watched write (else single-stepping)");
	printf("\nmodes (a one-instruction guest set up by the VMM):\n");
	for (int m = 0; m < VMM_MODE__COUNT; m++) {
		printf("  %-3s %-10s %s\n", p.mode_ok[m] ? "yes" : "no", vmm_mode_name(m),
		       p.mode_ok[m] ? "runs" : p.why[m]);
		nbad += !p.mode_ok[m];
	}
	if (!p.mode_ok[VMM_MODE_PAGED32] && !p.mode_ok[VMM_MODE_PAE])
		printf("\nNote: %s; real, protected and long mode work.\n", vmm_probe_paging_fact());
	else if (nbad)
		printf("\nSome modes cannot run on this host (see above).\n");
	if (lab_sandbox_probe(why, sizeof(why)) == 0)
		printf("\nsandbox for student code (bubblewrap, user namespaces, seccomp): yes\n");
	else
		printf("\nsandbox for student code: no (%s): kvmlab grade refuses student code here "
		       "unless --no-sandbox\n", why);
	return 0;
}

const struct command cmd_probe = {
	.name = "probe",
	.summary = "show what this host's KVM supports, and which modes run here",
	.help =
	"usage: kvmlab probe [--dev PATH]\n\n"
	"Opens /dev/kvm (or PATH), lists the capabilities kvmlab uses and, for each start\n"
	"mode, runs a one-instruction guest to see whether this host can run it; then\n"
	"whether student code can be sandboxed here (what kvmlab grade needs).\n",
	.main = probe_main,
};
