#!/bin/sh
# untrusted-files.sh - files that are not what they claim: a FIFO as a guest or a trace, a
# trace of unbounded line length, a folder as a trace.  Each ends at once with one line
# and its status, none hangs or reads without bound.
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
	if [ $rc -eq "$want" ] && grep -q "$text" "$T/err"; then ok "$*: $rc, '$text'"
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
exit $fail
