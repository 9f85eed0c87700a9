#!/bin/sh
# resize.sh - every pane is visible at 80x24 and at 200x60, and the screen is redrawn from the
# model on each resize (also after a resize while the help is shown, and below the minimum).
. "$(dirname "$0")/lib.sh"

panes() {
	for p in ">?code" "registers" "system" "page walk" "events" "memory"; do
		expect "$p" "pane '$p' visible at $1"
	done
}

start 80 24 boot
keys 3 6 s
at_step 36
panes 80x24
expect "mode long" "the system pane's mode label"
expect "CS 0018" "the code segment at 80x24"
[ "$(screen | wc -l)" -eq 24 ] || fail "24 lines at 80x24"

resize 200 60
expect "acc type +DPL LD" "the system pane widens its segment table at 200x60"
panes 200x60
expect "\+- PML4 table @ 2000" "the page walk draws boxes with room"
expect "KVM_TRANSLATE 1087 agrees" "KVM_TRANSLATE beside the walk"
expect "GS 0010" "all segment registers at 200x60"
width=$(screen | awk '{ if (length($0) > w) w = length($0) } END { print w }')
[ "$width" -gt 150 ] || fail "the screen uses the width at 200x60 (widest line $width)"
[ "$(screen | wc -l)" -eq 60 ] || fail "60 lines at 200x60"

resize 80 24
expect "PML4\[ *0\] 0000000000003023" "the walk pane goes back to one line per level"
panes "80x24 again"
refute "acc type" "the narrow segment table again"

# the help overlay survives a resize
keys "?"
expect "kvmlab tui keys" "help shown"
resize 120 40
expect "kvmlab tui keys" "help shown after a resize"
keys Escape
gone "kvmlab tui keys" "Escape closes the help"

# too small: a message, then everything back
resize 50 12
expect "needs at least 60x16" "a message when the terminal is too small"
resize 80 24
panes "80x24 after too small"
at_step 36
keys q
expect "EXITED 0" "quit"
pass "all panes at 80x24 and 200x60, redrawn on resize"
