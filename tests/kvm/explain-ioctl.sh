#!/bin/bash
# explain-ioctl.sh - kvmlab explain against real programs: every KVM ioctl a
# kvm-hello-world-shaped program (tests/hv/classic.c, in each of its modes) makes under
# kvmlab exec has an entry, whose request code is the one kvmlab run --show-ioctls logs for
# the same name; every other ioctl kvmlab decodes gets the "no entry" sentence with its
# request code; bad command lines are refused in one line.
set -u
. "$(dirname "$0")/lib.sh"
: "${HV_CLASSIC:?}"

CASE="explain KVM_RUN"
run_kvmlab 0 explain KVM_RUN
cp "$TMP/out" "$TMP/run.txt"
for fact in "kvm_vcpu_fops" "kvm_vcpu_ioctl" "kvm_arch_vcpu_ioctl_run" "vcpu_enter_guest" \
	"KVM_EXIT_IO" "fs/ioctl.c"; do
	grep -qF -- "$fact" "$TMP/run.txt" && pass "says $fact" || fail "does not say $fact"
done
CASE="explain run (any case, KVM_ left out)"
run_kvmlab 0 explain run
cmp -s "$TMP/out" "$TMP/run.txt" && pass "the same text" || fail "another text"
CASE="explain ioctl"
run_kvmlab 0 explain ioctl
for fact in misc_register kvm_chardev_ops kvm_vm_fops unlocked_ioctl; do
	grep -qF "$fact" "$TMP/out" && pass "says $fact" || fail "does not say $fact"
done
real=$(stat -c '%t:%T' /dev/kvm 2>/dev/null)
[ -z "$real" ] || { grep -qF "prints $real" "$TMP/out" && pass "/dev/kvm is $real here, as it says" ||
	fail "/dev/kvm is $real here"; }

CASE="explain --list"
run_kvmlab 0 explain --list
cp "$TMP/out" "$TMP/list.txt"
grep -qE '^[0-9]+ of the [0-9]+ KVM ioctls kvmlab decodes have an entry' "$TMP/list.txt" &&
	pass "the count line" || fail "no count line"
# every decoded ioctl without an entry: the sentence, its request code, status 1
n=0
for name in $(sed -n '/without an entry yet/,/^$/s/^  \(KVM_[A-Z0-9_]*\)$/\1/p' "$TMP/list.txt"); do
	out=$("$KVMLAB" explain "$name" 2>&1 >/dev/null)
	rc=$?
	case $rc:$out in
	"1:kvmlab: explain: no entry for $name yet (its request code 0x"*) n=$((n + 1)) ;;
	*) CASE="explain $name"; fail "status $rc: $out" ;;
	esac
done
CASE="explain of the ioctls without an entry"
[ "$n" -gt 30 ] && pass "$n of them say 'no entry' with their request code" || fail "only $n"

CASE="bad command lines"
for args in "" "foo" "KVM_RUN KVM_GET_REGS" "--list KVM_RUN" "--bogus"; do
	# shellcheck disable=SC2086
	run_kvmlab 1 explain $args
	expect_one_line
done

require_kvm
# the ioctls a kvm-hello-world-shaped program really makes, in every mode it runs here
for mode in -l -s -r -p; do
	timeout 20 "$KVMLAB" exec -o "$TMP/log" -- "$HV_CLASSIC" "$mode" >/dev/null 2>&1
	awk '{ print $2 }' "$TMP/log" | grep '^KVM_' >>"$TMP/names"
done
timeout 20 "$KVMLAB" run hello --show-ioctls 2>"$TMP/show" >/dev/null
for name in $(sort -u "$TMP/names"); do
	CASE="explain $name (made by tests/hv/classic.c)"
	run_kvmlab 0 explain "$name"
	code=$(sed -n 's/^request \(0x[0-9a-f]*\):.*/\1/p' "$TMP/out")
	shown=$(sed -n "s/.*ioctl: $name  *req=\(0x[0-9a-f]*\) .*/\1/p" "$TMP/show" | head -1)
	if [ -z "$shown" ] || [ "$code" = "$shown" ]; then pass "request $code${shown:+, as --show-ioctls logs it}"
	else fail "request $code, --show-ioctls logs $shown"; fi
done
CASE="the program's ioctls"
[ "$(sort -u "$TMP/names" | grep -c .)" -ge 9 ] && pass "$(sort -u "$TMP/names" | tr '\n' ' ')" ||
	fail "too few names: $(sort -u "$TMP/names" | tr '\n' ' ')"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
