# lib.sh - shared by the core kvm tests (sourced, not run).
#
# Environment (set by tests/meson.build):
#   KVMLAB           the kvmlab binary
#   GUESTS_DIR       the built-in guests (build/guests)
#   TEST_GUESTS_DIR  the guests built from tests/guests (build/tests)
#
# run_kvmlab STATUS ARGS...  runs "$KVMLAB" ARGS (20 s at most; STATUS may be "A|B" where
# hosts differ), keeps its stdout in
# $OUT, its stderr in $ERR and its status in $STATUS, and checks the status; the
# expect_* helpers check the last run.  Every check prints "ok" or "FAIL" with the
# case name; the script ends with "N passed, M failed" and exits 1 on a failure.

set -u

: "${KVMLAB:?KVMLAB must name the kvmlab binary}"
: "${GUESTS_DIR:?GUESTS_DIR must name the guests build folder}"
TEST_GUESTS_DIR=${TEST_GUESTS_DIR:-$(dirname "$KVMLAB")/tests}
if [ ! -x "$KVMLAB" ]; then
	echo "FAIL: $KVMLAB does not exist or is not executable (did the build fail?)"
	exit 1
fi

npass=0
nfail=0
CASE=""
OUT=""
ERR=""
STATUS=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kvmlab-kvmtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Exit 77 (meson: skipped) with a reason when /dev/kvm is missing or not usable.
require_kvm() {
	if [ ! -e /dev/kvm ]; then
		echo "SKIP: /dev/kvm does not exist on this machine (no KVM)"
		exit 77
	fi
	if ! { exec 9<>/dev/kvm; } 2>/dev/null; then
		echo "SKIP: /dev/kvm exists but $(id -un) cannot open it read/write"
		exit 77
	fi
	exec 9>&-
}

pass() {
	npass=$((npass + 1))
	echo "ok   $CASE: $*"
}

fail() {
	nfail=$((nfail + 1))
	echo "FAIL $CASE: $*"
	echo "     command: ${LAST_CMD:-}"
	echo "     status:  $STATUS"
	echo "     stdout:  $(head -c 600 "$TMP/out" 2>/dev/null | sed 's/^/| /' | head -8)"
	echo "     stderr:  $(head -c 1200 "$TMP/err" 2>/dev/null | sed 's/^/| /' | head -12)"
}

run_kvmlab() {
	local want=$1
	shift
	LAST_CMD="kvmlab $*"
	timeout 20 "$KVMLAB" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	STATUS=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	if [ "$STATUS" = "$want" ] || case "|$want|" in *"|$STATUS|"*) true ;; *) false ;; esac; then
		pass "exit status $STATUS"
	else
		fail "exit status $STATUS, expected $want"
	fi
}

# The output (stdout) is exactly $1.
expect_out() {
	if [ "$OUT" = "$1" ]; then
		pass "stdout is '$(printf '%s' "$1" | head -c 60 | tr '\n' '|')'"
	else
		fail "stdout is not '$1'"
	fi
}

# stderr contains the fixed string $1.
expect_err() {
	if grep -qF -- "$1" "$TMP/err"; then
		pass "stderr has '$1'"
	else
		fail "stderr lacks '$1'"
	fi
}

# stderr matches the extended regex $1.
expect_err_re() {
	if grep -qE -- "$1" "$TMP/err"; then
		pass "stderr matches /$1/"
	else
		fail "stderr does not match /$1/"
	fi
}

# stderr does not contain the fixed string $1.
expect_no_err() {
	if grep -qF -- "$1" "$TMP/err"; then
		fail "stderr has '$1'"
	else
		pass "stderr has no '$1'"
	fi
}

# A clean refusal: one line on stderr starting "kvmlab: ", nothing on stdout.
expect_one_line() {
	local n
	n=$(wc -l <"$TMP/err")
	if [ "$n" -eq 1 ] && [ -z "$OUT" ] && [ "${ERR#kvmlab: }" != "$ERR" ]; then
		pass "one line on stderr, nothing on stdout"
	else
		fail "expected one 'kvmlab: ' line on stderr and empty stdout ($n lines)"
	fi
}

# A check on something other than kvmlab's output: check DESCRIPTION COMMAND...
check() {
	local what=$1
	shift
	if "$@"; then
		pass "$what"
	else
		fail "$what"
	fi
}

# Write bytes (given as \xNN escapes) into file at offset.
patch_bytes() {
	local file=$1 offset=$2 bytes=$3
	printf "$bytes" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

# 64-bit little-endian \x escapes of a number.
le64() {
	local v=$1 i s=""
	for i in 0 1 2 3 4 5 6 7; do
		s="$s$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff)))"
	done
	printf '%s' "$s"
}

# The fields of each step of a JSON Lines trace that do not depend on who set the vCPU up
# (where, what, which exit, the sentence): to hold a program's trace against kvmlab's own.
steps_of() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(o["pc"], o["asm"], json.dumps(o.get("exit")), o.get("explain", ""))
' "$1"
}

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}
