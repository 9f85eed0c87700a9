#!/bin/bash
# foreign-guests.sh - guests no one on the core wrote (tests/guests/), in other styles:
# flat and ELF, real, protected and long mode, linked at other addresses.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

G=$TEST_GUESTS_DIR

# Protected mode, flat at 0x8000, string I/O: rep outsb and rep outsw.
CASE="pm-outsb.bin (protected, flat at 0x8000)"
run_kvmlab 0 run --flat 0x8000 --mode protected --stats "$G/pm-outsb.bin"
expect_out "rep outsb: a whole line in one string instruction
rep outsw: two bytes per element, in order!"
expect_err "halted in protected mode, RAX=42"
expect_err "[0x400]=42"
# 51 + 44 bytes: fewer exits than bytes means some exit carried several elements.
nout=$(sed -n 's/^  IO out *//p' "$TMP/err")
echo "     (IO out exits for 95 bytes of string I/O: $nout)"
check "at most one OUT exit per element (73 elements): $nout" [ "${nout:-999}" -le 73 ]

# Real mode, boot-sector style at 0x7c00, CS=0x07c0 after a far jump, IN from 0xE9.
CASE="bootsect.bin (real, flat at 0x7c00)"
run_kvmlab 0 run --flat 0x7c00 --mode real --stats "$G/bootsect.bin"
expect_out "bootsect: CS=0x07c0, lodsb/outb
bootsect: rep outsw in real mode

bootsect: IN 0xE9 = 0xE9"
expect_err "halted in real mode, RAX=42"
expect_err "[0x400]=42"
expect_err_re "^  IO in +1$"

# Plain C, ELF64 linked at 1 MiB, no .kvmlab.mode: long mode from the ELF class.
EXPECT_C64="c-guest: hello from above 1 MiB, 64-bit
c-guest: bss zero, data ok
832040
c-guest: numExits answered"
CASE="c-guest-64 (long, ELF64 at 1 MiB, --mem 4M)"
run_kvmlab 0 run --mem 4M "$G/c-guest-64"
expect_out "$EXPECT_C64"
expect_err "halted in long mode, RAX=42"
expect_err "[0x400]=42"

CASE="c-guest-64 --4k-pages"
run_kvmlab 0 run --mem 4M --4k-pages "$G/c-guest-64"
expect_out "$EXPECT_C64"
expect_err "halted in long mode, RAX=42"

CASE="c-guest-64 (default 2 MiB)"
run_kvmlab 0 run "$G/c-guest-64"
expect_out "$EXPECT_C64"

# The same C as ELF32 at 2 MiB: protected mode from the ELF class.
CASE="c-guest-32 (protected, ELF32 at 2 MiB, --mem 4M)"
run_kvmlab 0 run --mem 4M "$G/c-guest-32"
expect_out "c-guest: hello from above 1 MiB, 32-bit
c-guest: bss zero, data ok
832040
c-guest: numExits answered"
expect_err "halted in protected mode, RAX=42"

# Hypercalls moved: the guest uses 0x501/0x503, so a map that moves print32 away
# leaves its OUT unanswered (no number printed) and the rest unchanged.
CASE="c-guest-64 --hypercalls print32=0x600"
run_kvmlab 0 run --mem 4M --hypercalls print32=0x600 "$G/c-guest-64"
expect_out "c-guest: hello from above 1 MiB, 64-bit
c-guest: bss zero, data ok
c-guest: numExits answered"

# kvm-hello-world's long-mode image in the smallest memory kvmlab accepts.
CASE="hello-flat-64.bin --mem 64K"
run_kvmlab 0 run --flat 0 --mode long --mem 64K "$GUESTS_DIR/hello-flat-64.bin"
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

finish
