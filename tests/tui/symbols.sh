#!/bin/sh
# symbols.sh - the guest's symbols and source lines in the TUI: B, G and W take symbols, W and x
# take the registers the panes show (cr2, cr3); the code pane names symbols and shows executed
# code as it ran (the far jump made in 32-bit code still reads as one in 64-bit mode); the events
# pane says where a step is in the C source; the console pane scrolls back.
. "$(dirname "$0")/lib.sh"

start 120 36 boot
expect "0000:1000 <_start> cli" "the entry named by its symbol"
keys B
keys -l long_mode
keys Enter
expect "breakpoint at 1087 \(long_mode\) \(1 set" "B takes a symbol"
keys c
expect "breakpoint 0x1087 \(long_mode\) reached by step" "c stops at it"
expect "B>00001087 <long_mode> mov ax, 0x20" "the code pane marks it"
# The instructions above ran in 32-bit code: shown as they ran, not re-decoded as 64-bit.
expect "00001080 jmp far 0x0018:0x00001087  \(32-bit\)" "the far jump as it ran"
expect "0000107d mov cr0, eax  \(32-bit\)" "mov cr0 as it ran"
refute "xchg" "nothing decoded from the middle of an instruction"
expect "in protected_mode\+0x5d \(boot.S:[0-9]+\): ljmp" "the events pane says where the step is in boot.S"

# G with a symbol: the code cursor goes there.
keys G
keys -l protected_mode+4
keys Enter
expect "\*00001027 mov ds, ax" "G protected_mode+4 puts the cursor there"
keys Home

# W with a register the panes show; cr3 holds a physical address; x cr3 shows that memory.
keys W
keys -l cr2
keys Enter
refute "is not an address" "W cr2 is an address"
expect "page walk  of cr2" "the walk pane walks CR2"
expect "linear 0 \(cr2\)" "CR2 is 0 here"
keys W
keys -l cr3
keys Enter
expect "'cr3' is a physical address" "W cr3 says why not"
keys x
keys -l cr3
keys Enter
expect "memory  physical" "x cr3: physical memory"
expect "00002000 23 30 00 00" "the PML4 at CR3"
keys W
keys -l nosuch
keys Enter
expect "'nosuch' is not an address \(hex, a symbol" "an unknown name is refused, with what would do"
keys q
expect "EXITED 0" "q quits"

# A tall code pane shows the C source line above its instructions (objdump -S style).
start 120 40 hello --mode long
keys 5 s
at_step 5
expect "^  hello.c:[0-9]+  for \(const char \*p = \"Hello, world!" "the C line above its code"
expect "^  [0-9]{8} <hello_main> mov edx" "hello_main's first instruction under it"
expect "^  hello.c:[0-9]+  __asm__ volatile\(\"outb" "the outb() line above the OUT"
expect "code  64-bit  hello.c:[0-9]+" "the title names the next instruction's line"
keys q
expect "EXITED 0" "q quits"

# A C guest: source lines, and a console that scrolls.
[ -n "${TEST_GUESTS_DIR:-}" ] || TEST_GUESTS_DIR="$(dirname "$GUESTS_DIR")/tests"
start 80 24 "$TEST_GUESTS_DIR/c-guest-64" --mem 4M
keys 3 s
at_step 3
expect "in cmain(\+0x[0-9a-f]+)? \(c-guest.c:[0-9]+\): " "a C line in the events pane"
keys c
expect "halted at step [0-9]+ in long mode" "the guest ran to its HLT"
expect "│c-guest: numExits answered" "the console's last line"
refute "832040" "the lines before are scrolled off at 80x24"
keys Tab Tab Tab Tab Tab
expect ">console" "Tab to the console pane"
keys Up
expect "│\[kvmlab's print32\] 832040" "Up scrolls the console back (kvmlab's print32 labelled)"
expect "console  1 lines up of 4" "the title says where"
keys PPage PPage PPage
expect "│c-guest: hello from above 1 MiB, 64-bit" "PgUp to the first line"
keys Home
expect "│c-guest: numExits answered" "Home: the newest again"
keys q
expect "EXITED 0" "q quits"
pass "symbols, registers, executed code as it ran, source lines and the console"
