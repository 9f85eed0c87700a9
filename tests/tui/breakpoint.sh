#!/bin/sh
# breakpoint.sh - set a breakpoint in the TUI and continue to it; a watch stops at the write;
# continuing from a past step replays the history up to the next breakpoint.
. "$(dirname "$0")/lib.sh"

start 80 24 boot
expect "step 0/0" "starts at step 0"

# B prompts for an address; 1087 is long_mode: (after the far jump to the 64-bit segment).
keys B
expect "toggle breakpoint at" "the breakpoint prompt"
keys -l 1087
keys Enter
expect "breakpoint at 1087 " "the breakpoint is confirmed"
keys c
expect "breakpoint 0x1087 \(long_mode\) reached by step [0-9]+" "continue stops at the breakpoint"
expect "mode: long" "long mode at the breakpoint"
expect "B>00001087 <long_mode> mov ax, 0x20" "the code pane marks the breakpoint on the current line"
bp=$(screen | sed -n 's/.*reached by step \([0-9]*\).*/\1/p' | head -1)

# A watch on the result address: the 8-byte store of 42 at 0x400 writes it.
keys w
expect "watch writes at" "the watch prompt"
keys -l "400 8"
keys Enter
expect "watching 8 bytes at 400" "the watch is confirmed"
keys c
expect "write to watched address 0x400 reached by step [0-9]+" "continue stops after the write"
expect "2a 00 00 00 00 00 00 00" "the memory pane shows the 42 just written"

# On to the end; then back before the breakpoint and continue again: it stops there again,
# this time from the recorded history.
keys c
expect "halted at step [0-9]+ in long mode, RAX=42" "continue runs to the halt"
keys 20 b
expect "HISTORY" "back in the history"
keys c
expect "breakpoint 0x1087 \(long_mode\) reached by step $bp" "continue in the history stops at the breakpoint"
expect "HISTORY" "still in the history (nothing re-run)"

# F9 toggles the breakpoint at the code cursor (the current line): off, then on again.
keys F9
expect "breakpoint at 1087 \(long_mode\) removed" "F9 removes it"
keys 0 g
at_step 0
keys c
expect "write to watched address 0x400 reached by step" "the watch still stops the replay"
keys c
expect "halted at step|the guest has stopped" "without the breakpoint continue runs to the end"
keys q
expect "EXITED 0" "quit"
pass "breakpoints, watches and continue, live and in the history"
