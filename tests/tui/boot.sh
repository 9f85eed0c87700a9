#!/bin/sh
# boot.sh - step the `boot` guest from real mode to long mode in the TUI at 80x24: the mode
# label, CR0/CR4/EFER bits and the page-walk pane change at the right steps; step back shows
# the earlier state again (from the history); the guest's halt is reported and the TUI stays.
#
# boot runs 11 real-mode instructions, 25 protected, 14 long (guests/boot.S).  Instruction 10
# sets CR0.PE, 35 sets CR0.PG (long mode active, 32-bit code: compat), 36 jumps to 64-bit code.
# A host that single-steps with the trap flag may merge `mov ss` with the next instruction
# (guests/README.md), so later steps may come one or two early; the test allows that.
. "$(dirname "$0")/lib.sh"

start 80 24 boot
expect "step 0/0 .*mode: real" "starts in real mode"
expect "0000:1000 <_start> cli" "real-mode code as CS:IP, named by its symbol"
expect "paging off" "no paging yet"
for p in code registers system "page walk" events memory; do
	expect "$p" "pane '$p' visible at 80x24"
done

# Step 9 instructions with a count: still real mode, CR0.PE clear.
keys 9 s
at_step 9
expect "mode: real" "real mode after 9 steps"
expect "CR0 +60000010 ET NW CD" "CR0 without PE"
keys s
at_step 10
expect "mode: protected" "protected mode at step 10 (mov cr0, eax)"
expect "CR0 +60000011 PE ET" "CR0.PE set"
expect "CR0.PE set" "the explanation of step 10"
expect "│R *$" "console output in the console pane"

# On to EFER.LME (wrmsr): step one at a time until the label says compat.
n=10
while [ "$n" -lt 40 ]; do
	if screen | grep -q "mode: compat"; then
		break
	fi
	keys s
	n=$((n + 1))
	at_step "$n"
done
case $n in 33|34|35) ;; *) fail "compat mode (CR0.PG with EFER.LME) came at step $n, not 35" ;; esac
pass "long mode active (compat) at step $n"
expect "EFER +00000500 LME LMA" "EFER.LME and LMA"
expect "CR0 +e0000011 PE ET NW CD PG" "CR0.PG"
expect "CR4 +00000020 PAE" "CR4.PAE"
expect "4-level CR3 2000" "the walk pane shows 4-level paging"
expect "PML4\[ *0\] 0000000000003023" "the PML4 entry"
expect "=> phys 10" "the walk's physical address"
compat=$n

# Back one step: EFER has LME but not LMA, paging off, from the history.
keys b
at_step $((compat - 1))
expect "HISTORY" "the title says we are in the history"
expect "mode: protected" "protected again one step back"
expect "EFER +00000100 LME" "EFER.LME only"
refute "LMA" "no LMA before paging"
expect "paging off" "the walk pane without paging"
keys Left Left Left
at_step $((compat - 4))
keys Right Right Right Right
at_step "$compat"
expect "mode: compat" "forward through the history"

# The far jump to the 64-bit code segment.
keys s
at_step $((compat + 1))
expect "mode: long" "long mode after the far jump"
expect "64-bit" "64-bit code"

# Run to the end: the halt is reported and the TUI stays open.
keys 100 s
expect "STOPPED" "the title bar says the guest stopped"
expect "halted at step [0-9]+ in long mode, RAX=42" "the status line says it halted"
expect "│RPL *$" "all console output"
last=$(screen | sed -n 's/.*step \([0-9]*\)\/\([0-9]*\) .*/\2/p' | head -1)
case $last in 48|49|50) ;; *) fail "halted after $last steps, not 50" ;; esac
keys s
expect "STOPPED" "still open after another step key"

# Jump to step 0 and back to the end.
keys 0 g
at_step 0
expect "mode: real" "step 0 is real mode again"
keys End
at_step "$last"
keys q
expect "EXITED 0" "q quits with status 0"
pass "boot stepped from real to long mode, back and forth"
