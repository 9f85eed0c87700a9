/* trace-bench.c - raw single-step rate vs `kvmlab trace --format jsonl`, same guest, same run.
 *
 * usage: trace-bench KVMLAB GUEST   (GUEST: the tight-64 guest, 3,000,004 instructions)
 * Prints (a) raw single-steps/s with nothing read, (b) kvmlab trace steps/s with full state,
 * disassembly and explanations written to a file, and b/a. Never fails on a slow figure.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "session.h"
#include "error.h"
#include "history.h"
#include "loader.h"
#include "mode.h"
#include "vcpu.h"
#include "vm.h"

/* Single-step the guest to its HLT reading nothing; steps taken, or -1. */
static long raw_steps(const char *guest, double *secs)
{
	struct vmm_vm vm;
	struct vmm_vcpu vcpu;
	struct vmm_image img;
	struct vmm_layout lay;
	long steps = 0;
	double t0;

	if (vmm_vm_create(&vm, NULL, 2u << 20) < 0 || vmm_vcpu_create(&vcpu, &vm) < 0 ||
	    vmm_load_elf(&vm, guest, &img) < 0 || vmm_mode_setup(&vcpu, VMM_MODE_LONG, &img, false, &lay) < 0 ||
	    vmm_vcpu_set_debug(&vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL) < 0) {
		fprintf(stderr, "trace-bench: %s\n", vmm_last_error());
		return -1;
	}
	vcpu.sync_regs = false;        /* nothing read: no register copies either */
	vcpu.run->kvm_valid_regs = 0;
	t0 = vmm_clock_s();
	for (;;) {
		enum vmm_exit kind;

		if (vmm_vcpu_enter(&vcpu, &kind) < 0)
			return -1;
		steps++;
		if (kind != VMM_EXIT_DEBUG)
			break;
		if (vcpu.run->debug.arch.pc > img.hi) {
			fprintf(stderr, "trace-bench: ran past the guest\n");
			return -1;
		}
		if (vcpu.run->debug.arch.pc > 0 && vcpu.run->debug.arch.pc < img.lo)
			break;
		/* the HLT under single-step comes back as a debug exit past the HLT: stop there */
		if (steps > 1 && ((const uint8_t *)vm.mem)[vcpu.run->debug.arch.pc - 1] == 0xf4)
			break;
	}
	*secs = vmm_clock_s() - t0;
	vmm_vcpu_destroy(&vcpu);
	vmm_vm_destroy(&vm);
	return steps;
}

/* Record 1,000,000 real steps of the guest with the engine; report history size and jump-back time. */
static int history_figures(const char *guest)
{
	static struct engine e;
	static struct step st;
	struct vm_opts o = { .guest = guest, .mem = 2u << 20 };
	struct session s;
	double t0, get_s, rec_s;
	uint64_t n = 1000000;

	struct engine_goal g;

	if (session_open(&s, &o, NULL, NULL) != 0 || session_engine_init(&s, &e, true) < 0)
		return -1;
	e.max_steps = n;
	t0 = vmm_clock_s();
	engine_goal_init(&e, &g, ENGINE_GOAL_STEPS, 0, NULL, 0, NULL, 0);
	if (engine_go(&e, &g, NULL, NULL) < 0)
		return -1;
	rec_s = vmm_clock_s() - t0;
	n = history_count(&e.hist);
	t0 = vmm_clock_s();
	for (int i = 0; i < 100; i++)
		if (history_get(&e.hist, n - 500000 + (uint64_t)i, &st) < 0)
			return -1;
	get_s = (vmm_clock_s() - t0) / 100;
	printf("(c) history of %llu recorded steps (engine, real guest): %.2f bytes/step (target <= 64); "
	       "recording ran at %.0f steps/s\n", (unsigned long long)n,
	       (double)history_bytes(&e.hist) / (double)n, (double)n / rec_s);
	printf("(d) jump back 500,000 steps (history_get, mean of 100): %.1f us (target < 10 ms)\n", get_s * 1e6);
	engine_free(&e);
	session_close(&s);
	return 0;
}

int main(int argc, char **argv)
{
	char cmd[4096], out[] = "/tmp/kvmlab-trace-bench-XXXXXX";
	double raw_s, tr_s, t0;
	long raw;
	struct stat st;
	int fd, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: trace-bench KVMLAB GUEST\n");
		return 2;
	}
	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		printf("SKIP: /dev/kvm is not usable here\n");
		return 77;
	}
	raw = raw_steps(argv[2], &raw_s);
	if (raw < 0)
		return 1;
	fd = mkstemp(out);
	if (fd < 0)
		return 1;
	close(fd);
	snprintf(cmd, sizeof(cmd), "%s trace --format jsonl -o %s %s 2>/dev/null", argv[1], out, argv[2]);
	t0 = vmm_clock_s();
	rc = system(cmd);
	tr_s = vmm_clock_s() - t0;
	if (rc != 0) {
		fprintf(stderr, "trace-bench: '%s' failed (%d)\n", cmd, rc);
		return 1;
	}
	stat(out, &st);
	unlink(out);
	printf("guest: %s\n", argv[2]);
	printf("(a) raw single-step, nothing read:     %ld steps in %.3f s = %.0f steps/s (%.2f us/step)\n",
	       raw, raw_s, raw / raw_s, raw_s * 1e6 / raw);
	printf("(b) kvmlab trace --format jsonl (whole process, %.1f MB written): %ld steps in %.3f s = %.0f steps/s\n",
	       st.st_size / 1e6, raw, tr_s, raw / tr_s);
	printf("(b)/(a) = %.1f%%   (target: at least 80%%)\n", 100.0 * raw_s / tr_s);
	return history_figures(argv[2]) < 0 ? 1 : 0;
}
