#!/bin/bash
# exec-bad-input.sh - kvmlab exec with programs that misbehave: each a clear sentence, the
# program's own status, and nothing left running.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm
: "${HV_CLASSIC:?}"
# A copy of its own, so that "still running" counts this test's processes and not those of
# the exec tests meson runs beside it.
mkdir "$TMP/own" && cp "$HV_CLASSIC" "$TMP/own/hv-classic" || exit 1
HV_CLASSIC=$TMP/own/hv-classic

# No process of the test may outlive it: count the test hypervisors still running.
expect_nothing_left() {
	sleep 0.2
	if pgrep -f "^$HV_CLASSIC" >/dev/null; then
		fail "a hv-classic process is still running"
	else
		pass "nothing left running"
	fi
}

CASE="no such program"
run_kvmlab 127 exec -- /nonexistent/vmm -l
expect_one_line
expect_err "kvmlab: exec: /nonexistent/vmm: no such program"

CASE="not executable"
printf 'just text\n' >"$TMP/text"
chmod 644 "$TMP/text"
run_kvmlab 126 exec -- "$TMP/text"
expect_one_line
expect_err "permission denied"

CASE="not a program"
chmod 755 "$TMP/text"
printf '\x7fELF garbage' >"$TMP/text"
run_kvmlab 126 exec -- "$TMP/text"
expect_err "not an executable format"

CASE="no program given"
run_kvmlab 1 exec
expect_one_line
CASE="unknown option"
run_kvmlab 1 exec --frobnicate -- true
expect_one_line
CASE="bad --timeout"
run_kvmlab 1 exec --timeout -5 -- true
expect_one_line
CASE="bad --format"
run_kvmlab 1 exec --format xml -- true
expect_one_line
CASE="--memory into a folder that does not exist (refused before PROGRAM starts)"
run_kvmlab 1 exec --memory /nonexistent/dir/mem -- sh -c 'echo ran'
expect_one_line
expect_err "exec: --memory /nonexistent/dir/mem: cannot write into /nonexistent/dir/"

CASE="never uses KVM"
run_kvmlab 3 exec -- sh -c 'echo plain; exit 3'
expect_out "plain"
expect_err "kvmlab: exec: sh made no KVM ioctl: it never used /dev/kvm"

CASE="fork: the child's VM"
run_kvmlab 0 exec -- "$HV_CLASSIC" -F -l
expect_out "Hello, world!"
expect_err_re '^\[pid [0-9]+\] process fork pid=[0-9]+ parent=[0-9]+$'
expect_err_re '^\[pid [0-9]+\] vm1.vcpu0 KVM_RUN .*exit=KVM_EXIT_HLT'

CASE="exec another program"
run_kvmlab 0 exec -- "$HV_CLASSIC" -l -E "$HV_CLASSIC"
expect_out "Hello, world!
Hello, world!"
expect_err_re '^process exec pid=[0-9]+ program=.*hv-classic$'
# after exec the new program's VM is vm2 (the first one's fds were close-on-exec)
expect_err_re '^kvm KVM_CREATE_VM type=0 ret=[0-9]+ new=vm2$'
expect_err_re '^vm2.vcpu0 KVM_RUN .*exit=KVM_EXIT_HLT'

CASE="fds closed and reused, vCPU through dup2"
run_kvmlab 0 exec -- "$HV_CLASSIC" -R -l
expect_out "Hello, world!"
expect_err_re '^kvm KVM_CREATE_VM type=0 ret=([0-9]+) new=vm2$'
expect_err_re '^vm2.vcpu0 KVM_RUN .*exit=KVM_EXIT_IO dir=out port=0xe9 .*data=\[48\]'
expect_no_err 'vm1.vcpu0 KVM_RUN'
expect_no_err 'fd20 '

CASE="killed by a signal"
run_kvmlab 139 exec -- "$HV_CLASSIC" -K -l
expect_out "He"
expect_err "kvmlab: exec: $HV_CLASSIC was killed by signal 11 (Segmentation fault); its last KVM ioctls:"
expect_err_re '^  vm1.vcpu0 KVM_RUN = 0, KVM_EXIT_IO out port 0xe9$'
expect_nothing_left

CASE="hangs: --timeout"
start=$(date +%s%N)
run_kvmlab 124 exec --timeout 300 --stats -- "$HV_CLASSIC" -H
took=$((($(date +%s%N) - start) / 1000000))
check "ended within 3 s ($took ms)" [ "$took" -lt 3000 ]
expect_err "was still running after 300 ms: ended it (SIGTERM, then SIGKILL)"
# SIGTERM ends the guest's KVM_RUN (EINTR) before it ends the program
expect_err_re '^vm1.vcpu0 KVM_RUN (immediate_exit=0 )?ret=-1 errno=EINTR exit=KVM_EXIT_INTR us=[0-9.]+$'
expect_err_re '^stats   vm1.vcpu0 .*KVM_RUN=1 '
expect_nothing_left

CASE="-o to a folder that does not exist"
run_kvmlab 1 exec -o /nonexistent/log -- true
expect_one_line

finish
