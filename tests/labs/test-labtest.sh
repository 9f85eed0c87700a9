#!/bin/sh
# test-labtest.sh KVMLAB LABS_DIR - `kvmlab lab test` on every lab of LABS_DIR: each lab's
# files are there and each example of its tests: block (the solution, the starter, known
# mistakes) gets exactly its listed score and failing checks, on real KVM.
set -u
KVMLAB=$1
LABS=$2
. "$(dirname "$0")/lib.sh"

n=0
for yaml in "$LABS"/*/lab.yaml; do
	lab=$(basename "$(dirname "$yaml")")
	n=$((n + 1))
	if "$KVMLAB" lab test "$LABS/$lab" >"$T/out" 2>&1; then
		if grep -q "examples as listed" "$T/out" && ! grep -q "^no examples" "$T/out"; then
			ok "$lab: $(tail -1 "$T/out")"
		else
			bad "$lab: no examples tested"; cat "$T/out"
		fi
	else
		bad "$lab: kvmlab lab test exit $?"; cat "$T/out"
	fi
done
[ "$n" -ge 8 ] && ok "$n labs tested" || bad "only $n labs found in $LABS"
exit $fail
