#!/bin/bash
# run-ioctls.sh - --show-ioctls: every KVM ioctl, named and decoded, in order.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

CASE="hello --show-ioctls"
run_kvmlab 0 run hello --mode long --show-ioctls
# The log goes to stderr; the guest's output is still the only thing on stdout.
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

F='kvmlab: ioctl: '
expect_err_re "^${F}KVM_GET_API_VERSION +req=0x0000ae00 dir=none +size=0 +type=0xAE nr=0x00 -> 12$"
expect_err_re "^${F}KVM_CREATE_VM +req=0x0000ae01 dir=none +size=0 +type=0xAE nr=0x01 -> [0-9]+$"
expect_err_re "^${F}KVM_CHECK_EXTENSION +req=0x0000ae03 dir=none +size=0 +type=0xAE nr=0x03 -> [0-9]+$"
expect_err_re "^${F}KVM_GET_VCPU_MMAP_SIZE +req=0x0000ae04 dir=none +size=0 +type=0xAE nr=0x04 -> [0-9]+$"
expect_err_re "^${F}KVM_SET_USER_MEMORY_REGION req=0x4020ae46 dir=write +size=32 +type=0xAE nr=0x46 -> 0$"
expect_err_re "^${F}KVM_CREATE_VCPU +req=0x0000ae41 dir=none +size=0 +type=0xAE nr=0x41 -> [0-9]+$"
expect_err_re "^${F}KVM_RUN +req=0x0000ae80 dir=none +size=0 +type=0xAE nr=0x80 -> 0$"
expect_err_re "^${F}KVM_GET_REGS +req=0x8090ae81 dir=read +size=144 +type=0xAE nr=0x81 -> 0$"
expect_no_err "(unknown)"

# One KVM_RUN per exit: 14 OUTs and the HLT.
nrun=$(grep -c "^${F}KVM_RUN " "$TMP/err")
check "15 KVM_RUN lines ($nrun)" [ "$nrun" = 15 ]

# The order the VMM must follow: API version, VM, memory, vCPU, then runs.
order=$(grep -oE "^${F}(KVM_GET_API_VERSION|KVM_CREATE_VM|KVM_SET_USER_MEMORY_REGION|KVM_CREATE_VCPU|KVM_RUN) " \
	"$TMP/err" | sed "s/^$F//; s/ *$//" | uniq | tr '\n' ' ')
check "order: $order" [ "$order" = "KVM_GET_API_VERSION KVM_CREATE_VM KVM_SET_USER_MEMORY_REGION KVM_CREATE_VCPU KVM_RUN " ]

# Every line of the log has all the fields.
bad=$(grep "^${F}" "$TMP/err" | grep -cvE "^${F}KVM_[A-Z0-9_]+ +req=0x[0-9a-f]{8} dir=(none|read|write|read/write) +size=[0-9]+ +type=0x[0-9A-F]{2} nr=0x[0-9A-F]{2} -> -?[0-9]+")
check "every ioctl line is complete ($bad bad)" [ "$bad" = 0 ]

# Without the option: no log at all.
CASE="hello (no --show-ioctls)"
run_kvmlab 0 run hello --mode long
expect_no_err "ioctl:"

# No device, no ioctl: nothing logged, one line saying why.
CASE="--show-ioctls --dev /nonexistent"
run_kvmlab 3 run hello --show-ioctls --dev /nonexistent
expect_one_line
expect_no_err "ioctl:"

finish
