#!/bin/sh
# exec.sh - kvmlab exec --tui: another program's guest in the TUI (the test hypervisor in
# long mode); stepping and stepping back; q lets the program run on to its own end, and its
# output, kept while the screen was up, comes out after.
. "$(dirname "$0")/lib.sh"
[ -n "${HV_CLASSIC:-}" ] || fail "HV_CLASSIC must name the test hypervisor"

# lib.sh's start, for `kvmlab exec --tui ARGS` instead of `kvmlab tui ARGS`
TUI_CMD="exec --tui"

start 100 30 -- "$HV_CLASSIC" -l
expect "mov esi, 0x" "the program's first instruction in the code pane"
keys 5 s
at_step 5
expect "out 0xE9, al" "the OUT of the program's guest"
keys b
at_step 4
keys 16 s
at_step 20
keys q
expect "EXITED 0" "q: the program ran on to its end, status 0"
expect "^Hello, world!" "the program's output, shown after the TUI"
expect "kvmlab exec: left vm1.vcpu0 at step 20 of 20" "where the guest was left"
refute "Got exit_reason" "the program saw no debug exit"
stop
pass "exec --tui on the test hypervisor"

# To the HLT: the program sees its HLT exit and checks RAX and [0x400] itself.
start 100 30 -- "$HV_CLASSIC" -l
keys c
expect "STOPPED" "continued to the end: stopped at the HLT"
keys q
expect "EXITED 0" "status 0 after the HLT"
refute "Wrong result" "the program's own check passed"
stop
pass "exec --tui to the HLT"
