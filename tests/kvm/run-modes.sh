#!/bin/bash
# run-modes.sh - kvmlab run of the built-in guests in every start mode, and probe.
#
# real, protected and long must print "Hello, world!" and halt with RAX=42, the
# report naming the mode.  paged32 and pae depend on the host: where `kvmlab probe`
# says the mode runs, the same is expected; where it says it cannot (kvm_pvm, this
# project's machines), the one-sentence host limitation and exit status 3.
set -u
. "$(dirname "$0")/lib.sh"
require_kvm

CASE="probe"
run_kvmlab 0 probe
PROBE=$OUT
for m in real protected paged32 pae long; do
	if echo "$PROBE" | grep -qE "^  (yes|no) +$m "; then
		pass "probe lists $m"
	else
		fail "probe does not list $m"
	fi
done
check "probe prints nothing on stderr" [ -z "$ERR" ]
check "probe names the API version" grep -q "KVM API version 12" "$TMP/out"

mode_runs() {
	echo "$PROBE" | grep -qE "^  yes +$1 "
}

# The final report's name for each start mode (vmm_cpu_mode_name).
declare -A REPORT=([real]=real [protected]=protected [paged32]=protected+paging [pae]=PAE [long]=long)

for m in real protected paged32 pae long; do
	CASE="hello --mode $m"
	if [ "$m" = real ] || [ "$m" = protected ] || [ "$m" = long ] || mode_runs "$m"; then
		run_kvmlab 0 run hello --mode "$m"
		expect_out "Hello, world!"
		expect_err "halted in ${REPORT[$m]} mode, RAX=42"
		expect_err "[0x400]=42"
	else
		echo "     ($m cannot run on this host according to probe: expecting the limitation)"
		run_kvmlab 3 run hello --mode "$m"
		expect_one_line
		expect_err "$m mode cannot run here"
		expect_err "host's limit"
		expect_no_err "triple"
		expect_no_err "Hello"
	fi
done

# Without --mode the guest's own .kvmlab.mode (or the ELF class) decides.
CASE="hello (no --mode)"
run_kvmlab 0 run hello
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

CASE="hello-16 by path"
run_kvmlab 0 run "$GUESTS_DIR/hello-16"
expect_out "Hello, world!"
expect_err "halted in real mode, RAX=42"

CASE="hello-32 by path"
run_kvmlab 0 run "$GUESTS_DIR/hello-32"
expect_out "Hello, world!"
expect_err "halted in protected mode, RAX=42"

CASE="hello --4k-pages"
run_kvmlab 0 run hello --mode long --4k-pages
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

CASE="hello --mem 64K"
run_kvmlab 0 run hello --mode long --mem 64K
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

CASE="hello --mem 1G"
run_kvmlab 0 run hello --mode long --mem 1G
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"

CASE="boot"
run_kvmlab 0 run boot
expect_out "RPL"
expect_err "halted in long mode, RAX=42"

CASE="pagetest"
run_kvmlab 0 run pagetest
expect_out "ok"
expect_err "halted in long mode, RAX=42"

CASE="tight"
run_kvmlab 0 run tight --stats
expect_err "halted in long mode, RAX=42"
expect_err "total           1"

# kvm-hello-world's flat images, unchanged, at 0.
CASE="hello-flat-64.bin --flat 0"
run_kvmlab 0 run --flat 0 --mode long "$GUESTS_DIR/hello-flat-64.bin"
expect_out "Hello, world!"
expect_err "halted in long mode, RAX=42"
expect_err "[0x400]=42"

CASE="hello-flat-16.bin --flat 0"
run_kvmlab 0 run --flat 0 --mode real "$GUESTS_DIR/hello-flat-16.bin"
expect_out ""
expect_err "halted in real mode, RAX=42"
expect_err "[0x400]=42"

# Guests by name from another folder: KVMLAB_GUESTS (what an installed kvmlab uses
# when its guests live elsewhere), with the binary copied out of the build tree.
CASE="KVMLAB_GUESTS"
mkdir -p "$TMP/bin"
cp "$KVMLAB" "$TMP/bin/kvmlab"
LAST_CMD="KVMLAB_GUESTS=$GUESTS_DIR $TMP/bin/kvmlab run hello --mode real"
KVMLAB_GUESTS=$GUESTS_DIR timeout 20 "$TMP/bin/kvmlab" run hello --mode real >"$TMP/out" 2>"$TMP/err"
STATUS=$?
OUT=$(cat "$TMP/out")
check "found hello-16 through KVMLAB_GUESTS" [ "$STATUS" = 0 ]
expect_out "Hello, world!"
expect_err "halted in real mode, RAX=42"

finish
