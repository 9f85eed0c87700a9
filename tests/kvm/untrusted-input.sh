#!/bin/sh
# untrusted-input.sh - files that are not what they claim (a FIFO as a guest or a trace, a
# trace of unbounded line length, a folder as a trace) and numbers that are not numbers
# (" -1", 2^32 + 1, "1/2/3", 0 meaning "no limit").  Each ends at once with one line and
# its status, none hangs, reads without bound or is taken as something else.  And walk and
# tui on a mode this host cannot run say so as run does (status 3), never "paging off".
set -u
if [ ! -w /dev/kvm ]; then echo "SKIP: /dev/kvm is not usable here"; exit 77; fi
: "${KVMLAB:?KVMLAB must name the kvmlab binary}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
mkfifo "$T/fifo"
mkdir "$T/dir"
# expect STATUS TEXT CMD...: within 10 s, that status and that text on stderr
expect() {
	want=$1 text=$2
	shift 2
	timeout 10 "$KVMLAB" "$@" >/dev/null 2>"$T/err"
	rc=$?
	if [ $rc -eq "$want" ] && grep -qF -- "$text" "$T/err"; then ok "$*: $rc, '$text'"
	else bad "$*: exit $rc (124: it hung), expected $want and '$text'"; cat "$T/err"; fi
}
expect 2 "not a regular file" run "$T/fifo"
expect 2 "not a regular file" trace "$T/fifo"
expect 2 "a line longer than 1 MiB is not a trace step" diff /dev/zero /dev/zero
expect 2 "a folder, not a trace file" diff "$T/dir" "$T/dir"
# a FIFO nobody writes reads as an empty trace, at once
timeout 10 "$KVMLAB" diff "$T/fifo" "$T/fifo" >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "identical (0 steps)" "$T/out" && ok "diff on FIFOs without a writer: empty" ||
	{ bad "diff on FIFOs: exit $rc"; cat "$T/out"; }
# a step with a key given twice is the same step as itself
"$KVMLAB" trace hello --mode long --format jsonl --max-steps 3 -o "$T/t.jsonl" >/dev/null 2>&1
sed 's/"bits":64,/"bits":64,"bits":32,/' "$T/t.jsonl" >"$T/dup.jsonl"
timeout 10 "$KVMLAB" diff "$T/dup.jsonl" "$T/dup.jsonl" >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '"bits":32' "$T/dup.jsonl" && grep -q "identical (3 steps)" "$T/out" &&
	ok "a trace with a duplicate key does not differ from itself" || { bad "duplicate key: exit $rc"; cat "$T/out"; }
# numbers
expect 1 "--max-exits: ' -1' is not a number" run hello --max-exits " -1"
expect 1 "--max-exits: give 1 or more" run hello --max-exits 0
expect 1 "--timeout: '-1' is not a number" grade 04 --batch "$T/dir" --timeout -1
expect 1 "-j: give 1 to 64" grade 04 --batch "$T/dir" -j 4294967297
expect 1 "--shard: expected K/N" grade 04 --batch "$T/dir" --shard 1/2/3
expect 1 "--shard: expected K/N" grade 04 --batch "$T/dir" --shard 3/2
# modes this host cannot run (kvmlab probe says which)
for m in paged32 pae; do
	if "$KVMLAB" probe 2>/dev/null | grep -Eq "^ *no +$m "; then
		expect 3 "$m mode cannot run here" walk hello --mode $m --at 1
		expect 3 "$m mode cannot run here" walk hello --mode $m
		expect 3 "$m mode cannot run here" tui hello --mode $m
	fi
done
exit $fail
