#!/bin/bash
# run-limits.sh - guests that do not halt by themselves: limits, faults, --stats.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# loop-64: `jmp .` forever with no exits; only the wall clock can stop it.
CASE="loop --timeout 300"
t0=$(now_ms)
run_kvmlab 5 run loop --mode long --timeout 300
t1=$(now_ms)
expect_one_line
expect_err "timed out"
expect_err "in long mode at RIP=0x1000"
check "ended after 300 ms and well within 5 s ($((t1 - t0)) ms)" \
	test $((t1 - t0)) -ge 300 -a $((t1 - t0)) -lt 5000

# loop-16 makes no exits either: an exit budget alone cannot end it, so the timeout does.
CASE="loop-16 --max-exits 5 --timeout 200"
run_kvmlab 5 run loop-16 --max-exits 5 --timeout 200
expect_err "timed out"
expect_err "in real mode"
expect_err "after 0 exits"

# spin-out (tests/guests): OUT to an empty port forever; the exit budget ends it.
CASE="spin-out --max-exits 1000"
run_kvmlab 5 run --flat 0x1000 --mode long --max-exits 1000 "$TEST_GUESTS_DIR/spin-out.bin"
expect_one_line
expect_err "exit limit reached"
expect_err "after 1000 exits"

CASE="spin-out --max-exits 1"
run_kvmlab 5 run --flat 0x1000 --mode long --max-exits 1 "$TEST_GUESTS_DIR/spin-out.bin"
expect_err "after 1 exits"

CASE="spin-out --max-exits 100000000 --timeout 100"
run_kvmlab 5 run --flat 0x1000 --mode long --max-exits 100000000 --timeout 100 \
	"$TEST_GUESTS_DIR/spin-out.bin"
expect_err "timed out"

CASE="spin-out --stats"
run_kvmlab 5 run --flat 0x1000 --mode long --max-exits 50 --stats "$TEST_GUESTS_DIR/spin-out.bin"
expect_err_re "IO out +50"
expect_err_re "total +50"
expect_err "final mode:  long"

# A limit that is not reached changes nothing.
CASE="hello --max-exits 15 --timeout 10000"
run_kvmlab 0 run hello --mode long --max-exits 15 --timeout 10000
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

CASE="hello --max-exits 14"
run_kvmlab 5 run hello --mode long --max-exits 14
expect_out "Hello, world!"
expect_err "exit limit reached"

# ud2 with no IDT: #UD, #DF, triple fault.
CASE="ud2-64"
run_kvmlab 4 run ud2
expect_one_line
expect_err "triple fault (KVM_EXIT_SHUTDOWN"
expect_err "IDTR="
expect_err "RIP=0x1000"
expect_err "in long mode"
expect_err_re "CR0=0x[0-9a-f]+ CR3=0x[0-9a-f]+ CR4=0x[0-9a-f]+ EFER=0x[0-9a-f]+"

# --stats: exits by type and the final state.
CASE="hello --stats"
run_kvmlab 0 run hello --mode long --stats
expect_out "Hello, world!"
expect_err_re "^  IO out +14$"
expect_err_re "^  HLT +1$"
expect_err_re "^  total +15$"
expect_err "start mode:  long"
expect_err "final mode:  long"
expect_err "final RAX:   0x2a"

CASE="boot --stats"
run_kvmlab 0 run boot --stats
expect_out "RPL"
expect_err "start mode:  real"
expect_err "final mode:  long"

finish
