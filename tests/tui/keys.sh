#!/bin/sh
# keys.sh - the keys a gdb user guesses: the help overlay lists them, Tab moves the focus,
# arrows and PgUp/PgDn scroll the focused pane, a count prefix shows while typed, prompts
# take addresses (hex, registers, p:ADDR), n steps over a call, unknown keys say so.
. "$(dirname "$0")/lib.sh"

start 80 24 boot
keys "?"
expect "kvmlab tui keys" "? shows the help"
expect "^.*s F7 +execute one instruction" "the help lists s/F7 from the action table"
expect "b Left +step back" "the help lists step back"
keys PageDown PageDown
expect "q F10 +quit" "the help scrolls to quit"
keys "?"
gone "kvmlab tui keys" "? closes the help"

# focus: code first, Tab to registers, system; S-Tab back
expect "^>code" "the code pane has the focus"
keys Tab
expect ">registers" "Tab: registers"
keys Tab
expect ">system" "Tab: system"
keys BTab
expect ">registers" "S-Tab: back to registers"
keys Tab

# Enter repeats the last step command, as in gdb
keys s
at_step 1
keys Enter
at_step 2
keys 3 s
at_step 5
keys Enter
at_step 8

# scrolling the system pane shows the segment registers that do not fit at 80x24
keys 2 8 s
at_step 36
refute "^.*GS 0010" "GS below the system pane at first"
keys Down Down Down Down Down Down Down Down
expect "GS 0010" "Down scrolls the system pane"
keys Home
gone "GS 0010" "Home scrolls back"

# a count shows while it is typed
keys 1 2
expect "count 12: now a key" "the count prefix is shown"
keys Escape
gone "count 12" "Escape drops the count"

# an unbound key says what to do
keys Z
expect "Z does nothing here; \? lists the keys" "an unknown key is explained"

# prompts: memory at a register, the code pane at an address, a bad address
keys x
keys -l rsp
keys Enter
expect "0000fff0 " "x rsp shows the stack"
keys :
keys -l 0x1000
keys Enter
expect "\*00001000 <_start> cli|00001000 <_start> cli" "the code pane shows 1000"
keys G
keys -l nonsense
keys Enter
expect "'nonsense' is not an address" "a bad address is explained"
keys q
expect "EXITED 0" "quit"
stop

# n steps over a call: hello-64 calls hello_main, which prints and halts
start 80 24 hello --mode long
keys n
expect "│Hello, world! *$" "n ran the whole call"
expect "halted at step [0-9]+ in long mode, RAX=42" "and the guest halted inside it"
keys q
expect "EXITED 0" "quit"
pass "help, focus, scrolling, counts, prompts and step over"
