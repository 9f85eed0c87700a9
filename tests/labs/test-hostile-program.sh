#!/bin/sh
# test-hostile-program.sh KVMLAB LABS_DIR HOSTILE_DIR - grade the hostile hypervisors of
# tests/hostile/program (README.md there), each lab's in one batch with its reference
# solution: every attack fails (no secret read, no result forged, no grader killed, traced
# or patched, nothing left running, nothing written outside the run's folder), and no
# grade changes.
set -u
KVMLAB=$1
LABS=$2
HOSTILE=$3
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/tmp"
chmod 711 "$T"   # the sandbox uid walks to the build folders under TMPDIR
export TMPDIR="$T/tmp"
. "$(dirname "$0")/hostile-lib.sh"
IN_SUM=$(cksum <"$LABS/08-files/in.txt")

for lab in $(cat "$HOSTILE"/*/expect | sed -n 's/^lab //p' | sort -u); do
	L=$LABS/$lab
	O=$T/$lab
	B=$O/batch
	mkdir -p "$B" "$O/reports"
	cp -r "$L/solution" "$B/ref"
	for h in "$HOSTILE"/*/; do
		grep -qx "lab $lab" "$h/expect" || continue
		name=$(basename "$h")
		base=solution
		grep -q '^base starter' "$h/expect" && base=starter
		cp -r "$L/$base" "$B/$name"
		cp "$h/kvm-hello-world.append.c" "$T/append.c"
		hostile_fill "$T/append.c" "$B" "$O"
		cat "$T/append.c" >>"$B/$name/kvm-hello-world.c"
	done
	hostile_batch "$L" "$B" "$O" 120 "$(sed -n 's/^points: //p' "$L/lab.yaml")"
	for h in "$HOSTILE"/*/; do
		grep -qx "lab $lab" "$h/expect" || continue
		name=$(basename "$h")
		hostile_expect "$name" "$(grep "^\"$name\"," "$O/grades.csv")" "$h/expect"
		grep -q "^Total: " "$O/reports/$name.txt" || bad "$name: no full report"
	done
	hostile_no_escape "$O" "$B"
done
[ "$(cksum <"$LABS/08-files/in.txt")" = "$IN_SUM" ] && ok "the lab's in.txt untouched" ||
	bad "the lab's in.txt was written"

exit $fail
