#!/bin/sh
# late-trap.sh - the TUI says what the trace says: a step in which the single-step trap came late
# is marked in the events pane (where the explanation may be cut), and the mode labels follow
# the CS cache ("unreal" real mode running 32-bit code, "protected-16").
. "$(dirname "$0")/lib.sh"

G=${TEST_GUESTS_DIR:?TEST_GUESTS_DIR must name the test guests}

# Step 21 of explain-64 is its first SWAPGS; on this project's PVM hosts the NOP after it runs
# in the same step (kvmlab trace says so in its count line), elsewhere it does not.
start 160 48 --flat 0x1000 --mode long "$G/explain-64.bin"
expect "step 0/0" "starts at step 0"
keys 21 s
expect "step 21: swapgs" "step 21 is the SWAPGS"
expect "SWAPGS: GS.base 0x0 <-> IA32_KERNEL_GS_BASE" "its explanation"
if "$KVMLAB" trace --flat 0x1000 --mode long "$G/explain-64.bin" -o /dev/null 2>&1 |
	grep -q "instructions retired in [0-9]* steps"; then
	expect "step 21: swapgs  \[trap came late: 2 instructions\]" "the late trap is marked"
else
	refute "trap came late" "no late trap where the host traps after SWAPGS"
fi
pass "late traps in the events pane"

# explain-16: step 13 is the far jump in 16-bit protected mode, step 18 clears CR0.PE with a
# 32-bit CS and a 4 GiB DS cached: unreal mode, still decoding 32-bit code.
start 160 48 --flat 0x1000 --mode real "$G/explain-16.bin"
expect "step 0/0" "starts at step 0"
keys 12 s
expect "mode protected-16" "16-bit protected mode after CR0.PE"
expect "16-bit code" "the code is still 16-bit"
keys 6 s
expect "step 18: mov cr0, eax" "step 18 clears CR0.PE"
expect "mode unreal" "the system pane says unreal mode"
expect "mode: unreal" "so does the title"
expect "32-bit code" "and 32-bit code"
expect "CR0.PE cleared: real mode, but the segment caches" "the explanation says why"
expect ">0000103e mov eax, 0x12345678" "the code pane decodes the next instruction as 32-bit"
pass "mode labels follow the CS cache"
stop
