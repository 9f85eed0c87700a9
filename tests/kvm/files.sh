#!/bin/bash
# files.sh - the file hypercalls (fileOpen/Read/Write/Seek/Close): kvmlab run --files DIR
# with tests/guests/files-guest.c; confinement to DIR, off without --files, moved ports.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

G=$TEST_GUESTS_DIR
D=$TMP/dir
# check's command negated: check WHAT not CMD...
not() { ! "$@"; }
mkdir -p "$D"

CASE="files-guest-64 --files DIR"
run_kvmlab 0 run --mem 4M --files "$D" "$G/files-guest-64"
expect_err "halted in long mode, RAX=42"
expect_err "[0x400]=42"
check "out.txt on the host holds what the guest wrote" \
	[ "$(cat "$D/out.txt" 2>/dev/null)" = "hello from files-guest" ]
head=$(printf '%s\n' "$OUT" | sed -n 1,5p)
check "open, write, seek, read back" [ "$head" = "open out.txt: 0
write: 23
seek: 0
read: 23
data: hello from files-guest" ]
esc=$(printf '%s\n' "$OUT" | sed -n 's/^open \.\.\/escape: //p')
abs=$(printf '%s\n' "$OUT" | sed -n 's/^open \/etc\/passwd: //p')
echo "     (../escape -> $esc, /etc/passwd -> $abs)"
for v in "$esc" "$abs"; do
	case $v in
	-18|-13|-2|-1) pass "escape refused with $v (-EXDEV/-EACCES/-ENOENT/-EPERM)" ;;
	*) fail "escape not refused: '$v'" ;;
	esac
done
check "no file created outside DIR" [ ! -e "$TMP/escape" ]
check "DIR holds only out.txt" [ "$(ls -A "$D")" = "out.txt" ]
expect_out "$(printf '%s\n' "$OUT" | sed -n 1,5p)
open ../escape: $esc
open /etc/passwd: $abs
open bad pointer: -14
close: 0
read closed fd: -9"

# A symlink inside DIR pointing out of it is not followed out.
CASE="files-guest-64, out.txt a symlink to a file outside DIR"
rm -f "$D/out.txt"
echo "outside" >"$TMP/target"
ln -s "$TMP/target" "$D/out.txt"
run_kvmlab 0 run --mem 4M --files "$D" "$G/files-guest-64"
check "the file outside DIR is untouched" [ "$(cat "$TMP/target")" = "outside" ]
check "open through the symlink refused" grep -qE '^open out.txt: -[0-9]+$' "$TMP/out"
rm -f "$D/out.txt"

# Without --files: the device answers, every call gives -EACCES.
CASE="files-guest-64 without --files"
run_kvmlab 0 run --mem 4M "$G/files-guest-64"
expect_err "halted in long mode, RAX=42"
nums=$(sed -n 's/^[^:]*: //p' "$TMP/out" | sort -u)
check "every call gave -13 ($(printf '%s' "$nums" | tr '\n' ' '))" [ "$nums" = "-13" ]
check "no data read" not grep -q '^data:' "$TMP/out"
check "9 results printed" [ "$(wc -l <"$TMP/out")" -eq 9 ]

# The trace explains the refusal.
CASE="trace files-guest-64 without --files"
run_kvmlab 0 trace --mem 4M "$G/files-guest-64"
check "the trace names fileOpen" grep -qF "file hypercall fileOpen: OUT to port 0x510" "$TMP/out"
check "the trace says the calls are off" \
	grep -qF "(file hypercalls are off: run with --files DIR)" "$TMP/out"

# --files must name a directory.
CASE="--files on a regular file"
run_kvmlab 1 run --mem 4M --files "$TMP/target" "$G/files-guest-64"
expect_one_line
expect_err "--files $TMP/target"

# Moved ports: a guest built for 0x600.. works with a --hypercalls map.
CASE="files-guest-600 --hypercalls fileOpen=0x600,..."
run_kvmlab 0 run --mem 4M --files "$D" \
	--hypercalls print32=0x501,fileOpen=0x600,fileRead=0x601,fileWrite=0x602,fileSeek=0x603,fileClose=0x604 \
	"$G/files-guest-600"
expect_err "halted in long mode, RAX=42"
check "open, write, seek, read back on 0x600.." grep -q '^data: hello from files-guest$' "$TMP/out"
check "out.txt written" [ "$(cat "$D/out.txt" 2>/dev/null)" = "hello from files-guest" ]

CASE="files-guest-600 with the default map"
run_kvmlab 0 run --mem 4M --files "$D" "$G/files-guest-600"
check "no file call answered (results stay 1)" [ "$(sed -n 's/^open out.txt: //p' "$TMP/out")" = "1" ]

CASE="--hypercalls fileOpen=0xe9"
run_kvmlab 1 run --mem 4M --hypercalls fileOpen=0xe9 "$G/files-guest-64"
expect_one_line
expect_err "port '0xe9' for fileOpen"

# An unmapped parameter block stops the run, naming the call and the pointer.
CASE="files-guest-badblock"
run_kvmlab 4 run --mem 4M --files "$D" "$G/files-guest-badblock"
expect_err "fileClose: parameter block at 0xfff00000 (8 bytes) is not mapped to guest memory"
check "the guest did not go on" not grep -q "still running" "$TMP/out"

finish
