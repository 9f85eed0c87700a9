/* probe.c - what this host's KVM supports, found by trying it. */
#include "probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "loader.h"
#include "mode.h"
#include "run.h"
#include "vcpu.h"
#include "vm.h"

#define PROBE_MEM (256u << 10)
#define PROBE_ENTRY 0x1000

static const char *backend_name(void)
{
	if (access("/sys/module/kvm_intel", F_OK) == 0)
		return "vmx";
	if (access("/sys/module/kvm_amd", F_OK) == 0)
		return "svm";
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		return "pvm";
	return "unknown";
}

const char *vmm_probe_paging_fact(void)
{
	static _Thread_local char buf[200];

	snprintf(buf, sizeof(buf), "this host's KVM (backend: %s) cannot run 32-bit paging: a guest "
		 "with paged32 or PAE paging on shuts down before its first instruction completes",
		 backend_name());
	return buf;
}

const char *vmm_probe_limitation(enum vmm_mode mode)
{
	static _Thread_local char buf[360];

	snprintf(buf, sizeof(buf), "%s mode cannot run here: %s, which is the host's limit, not "
		 "your guest's fault; use --mode real, protected or long here, or a VMX/SVM host.",
		 vmm_mode_name(mode), vmm_probe_paging_fact());
	return buf;
}

int vmm_probe_mode(const char *dev, enum vmm_mode mode, char *why, unsigned whylen)
{
	static const unsigned char hlt = 0xf4;
	struct vmm_vm vm;
	struct vmm_vcpu vcpu = { .fd = -1 };
	struct vmm_image img;
	struct vmm_layout lay;
	struct vmm_limits lim = { .max_exits = 16, .timeout_ms = 1000 };
	enum vmm_stop stop = VMM_STOP_OTHER;
	int ret = vmm_vm_create(&vm, dev, PROBE_MEM);

	if (ret < 0)
		return ret;
	ret = vmm_vcpu_create(&vcpu, &vm);
	if (ret == 0)
		ret = vmm_load_bytes(&vm, &hlt, 1, PROBE_ENTRY, &img);
	if (ret == 0)
		ret = vmm_mode_setup(&vcpu, mode, &img, false, &lay);
	if (ret == 0)
		ret = vmm_run(&vcpu, &lim, &stop);
	if (ret == 0) {
		ret = stop == VMM_STOP_HLT;
		if (!ret)
			snprintf(why, whylen, "a one-instruction hlt guest ended with \"%s\" (%s)",
				 vmm_stop_name(stop), vmm_kvm_exit_reason_name(vcpu.run->exit_reason));
	}
	vmm_vcpu_destroy(&vcpu);
	vmm_vm_destroy(&vm);
	return ret;
}

/* Run code in protected mode with the given debug set-up; 1 if it stops with a debug exit for
 * exception vec at pc, 0 if not, -errno if the probe VM could not be made. */
static int debug_probe(const char *dev, const uint8_t *code, size_t len, uint32_t ctl,
		       const uint64_t dr[8], unsigned vec, uint64_t pc)
{
	struct vmm_vm vm;
	struct vmm_vcpu vcpu = { .fd = -1 };
	struct vmm_image img;
	struct vmm_layout lay;
	enum vmm_exit kind = VMM_EXIT_OTHER;
	int ret = vmm_vm_create(&vm, dev, PROBE_MEM);

	if (ret < 0)
		return ret;
	ret = vmm_vcpu_create(&vcpu, &vm);
	if (ret == 0)
		ret = vmm_load_bytes(&vm, code, len, PROBE_ENTRY, &img);
	if (ret == 0)
		ret = vmm_mode_setup(&vcpu, VMM_MODE_PROTECTED, &img, false, &lay);
	if (ret == 0)
		ret = vmm_vcpu_set_debug(&vcpu, ctl, dr);
	for (int i = 0; ret == 0 && i < 4; i++) {
		ret = vmm_vcpu_enter(&vcpu, &kind);
		if (ret == 0 && kind != VMM_EXIT_INTR)
			break;
	}
	if (ret == 0)
		ret = kind == VMM_EXIT_DEBUG && vcpu.run->debug.arch.exception == vec &&
		      (vec != 3 || vcpu.run->debug.arch.pc == pc);
	vmm_vcpu_destroy(&vcpu);
	vmm_vm_destroy(&vm);
	return ret;
}

int vmm_probe_sw_breakpoints(const char *dev)
{
	static const uint8_t code[] = { 0x90, 0xcc, 0xf4 };  /* nop; int3 (as a breakpoint); hlt */

	return debug_probe(dev, code, sizeof(code), KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
			   NULL, 3, PROBE_ENTRY + 1);
}

int vmm_probe_hw_watchpoints(const char *dev)
{
	static const uint8_t code[] = { 0xa2, 0x00, 0x20, 0x00, 0x00, 0xf4 };  /* mov [0x2000], al; hlt */
	uint64_t dr[8] = { [0] = 0x2000, [7] = 1u | 1u << 16 };             /* L0, RW0 = write, LEN0 = 1 */

	return debug_probe(dev, code, sizeof(code), KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
			   dr, 1, 0);
}

int vmm_probe(const char *dev, struct vmm_probe *p)
{
	struct vmm_vm vm;
	int ret = vmm_vm_create(&vm, dev, PROBE_MEM);

	memset(p, 0, sizeof(*p));
	if (ret < 0)
		return ret;
	p->api_version = vm.api_version;
	p->caps = vm.caps;
	p->guestdbg = vm.guestdbg;
	snprintf(p->backend, sizeof(p->backend), "%s", backend_name());
	vmm_vm_destroy(&vm);
	for (int m = 0; m < VMM_MODE__COUNT; m++) {
		ret = vmm_probe_mode(dev, m, p->why[m], sizeof(p->why[m]));
		if (ret < 0)
			return ret;
		p->mode_ok[m] = ret;
	}
	ret = vmm_probe_sw_breakpoints(dev);
	if (ret >= 0)
		p->sw_breakpoints = ret;
	ret = ret < 0 ? ret : vmm_probe_hw_watchpoints(dev);
	if (ret >= 0)
		p->hw_watchpoints = ret;
	return ret < 0 ? ret : 0;
}
