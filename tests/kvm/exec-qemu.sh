#!/bin/bash
# exec-qemu.sh - kvmlab exec on Debian's QEMU with -accel kvm: a correct ioctl log of a real,
# threaded VMM (several memory slots, the vCPU in its own thread, port I/O answered by QEMU),
# and QEMU running on until --timeout ends it.  Skipped where qemu-system-x86 is not installed.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ] || [ ! -e /usr/share/seabios/bios-256k.bin ]; then
	echo "SKIP: qemu-system-x86_64 and its BIOS (Debian: qemu-system-x86 seabios) are not installed"
	exit 77
fi

CASE="qemu-system-x86_64 -accel kvm (the BIOS, for 2 s)"
LAST_CMD="kvmlab exec --stats --timeout 2000 -o log -- qemu-system-x86_64 -accel kvm ..."
timeout 30 "$KVMLAB" exec --stats --timeout 2000 -o "$TMP/log" -- "$QEMU" -accel kvm -nographic \
	-no-reboot -m 64 -net none -monitor none -display none >"$TMP/out" 2>"$TMP/err" </dev/null
STATUS=$?
check "ended by --timeout (124)" [ "$STATUS" = 124 ]
expect_err "was still running after 2000 ms: ended it (SIGTERM, then SIGKILL)"
# QEMU saw the SIGTERM itself and ended as it does alone
expect_err_re "qemu-system-x86_64: terminating on signal 15"
L="$TMP/log"
check "one VM created" grep -qE '^kvm KVM_CREATE_VM type=0 ret=[0-9]+ new=vm1$' "$L"
check "RAM at guest physical 0, the BIOS read-only below 4 GiB" sh -c \
	"grep -qE '^vm1 KVM_SET_USER_MEMORY_REGION .*arg=\{slot=[0-9]+ flags=0x0 guest_phys_addr=0x0 memory_size=0x4000000 ' '$L' &&
	 grep -qE '^vm1 KVM_SET_USER_MEMORY_REGION .*flag_names=READONLY guest_phys_addr=0xfffc0000 ' '$L'"
check "the vCPU runs in a thread of its own" grep -qE '^\[pid [0-9]+\] vm1.vcpu0 KVM_RUN ' "$L"
check "port I/O exits decoded (PCI configuration 0xcf8/0xcfc, the BIOS's debug port 0x402)" sh -c \
	"grep -qE 'exit=KVM_EXIT_IO dir=out port=0xcf8 size=4 count=1 data_offset=0x[0-9a-f]+ data=\[[0-9a-f ]{11}\]' '$L' &&
	 grep -qE 'exit=KVM_EXIT_IO dir=in port=0xcfc size=[24] ' '$L' && grep -qE 'exit=KVM_EXIT_IO dir=out port=0x402 size=1 ' '$L'"
check "QEMU's answers to IN exits are shown" grep -qE 'vm1.vcpu0 KVM_RUN (immediate_exit=0 )?in_answer=\[' "$L"
check "CPUID and MSRs decoded" sh -c \
	"grep -qE '^\[pid [0-9]+\] vm1.vcpu0 KVM_SET_CPUID2 argp=0x[0-9a-f]+ arg=\{nent=[0-9]+ entries=\[\{function=0x[0-9a-f]+ index=0x' '$L' &&
	 grep -qE 'KVM_SET_MSRS argp=0x[0-9a-f]+ arg=\{nmsrs=[0-9]+ entries=\[\{index=0x' '$L'"
check "every request named" sh -c "! grep -q 'KVM_IOC_0x' '$L'"
check "stats: many exits, IN and OUT" grep -qE '^stats   vm1.vcpu0 pid=[0-9]+ KVM_RUN=[0-9]{3,} exits=[0-9]+ by_type=\{IO_in=[0-9]+ IO_out=[0-9]+' "$L"

finish
