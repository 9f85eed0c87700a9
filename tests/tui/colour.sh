#!/bin/sh
# colour.sh - changed values are highlighted; colours by default, none with NO_COLOR (bold,
# underline and reverse video instead), read back with the attributes (capture-pane -e).
. "$(dirname "$0")/lib.sh"

esc=$(printf '\033')
attrs() { tmx capture-pane -p -e -t tui; }

start 80 24 boot
keys s
at_step 1
attrs | grep -q "${esc}\[[0-9;]*3[1-7]m" || fail "colours are used by default"
# the value step 1 changed (eip 1000 -> 1001) is drawn in the changed colour (yellow)
attrs | grep -Eq "33m(${esc}\[[0-9;]*m)*00001001" || fail "the changed EIP is highlighted in colour"
keys q
expect "EXITED 0" "quit"
pass "colours by default"

TUI_ENV="NO_COLOR=1" start 80 24 boot
keys s
at_step 1
attrs | grep -Eq "${esc}\[[0-9;]*(3[0-7]|4[0-7])m" && fail "NO_COLOR: no colours"
attrs | grep -Eq "${esc}\[([0-9;]*;)?4m(${esc}\[[0-9;]*m)*00001001" ||
	fail "NO_COLOR: the changed EIP is underlined"
attrs | grep -Eq "${esc}\[([0-9;]*;)?7m" || fail "NO_COLOR: reverse video for the current line"
keys q
expect "EXITED 0" "quit"
pass "NO_COLOR: monochrome highlighting"
