#!/bin/sh
# bench-grade.sh KVMLAB LABS_DIR - time grading each lab's reference solution (build
# excluded) and a batch of 200 submissions with -j 2, builds included: in the sandbox
# (what grading does) and with --no-sandbox (what the sandbox costs), per submission too.
set -u
KVMLAB=$1
LABS=$2
if [ ! -w /dev/kvm ]; then echo "SKIP: /dev/kvm is not usable here"; exit 77; fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for lab in "$LABS"/[0-9][0-9]-*/; do
	[ -f "$lab/lab.yaml" ] || continue
	KVMLAB_GRADE_TIMING=1 "$KVMLAB" grade "$lab" "$lab/solution" 2>&1 >/dev/null |
		sed -n "s|kvmlab: timing: |$(basename "$lab"): |p"
done
L=$LABS/04-hypercalls
mkdir -p "$T/b"
i=0
while [ $i -lt 200 ]; do
	if [ $((i % 4)) -eq 3 ]; then cp -r "$L/starter" "$T/b/s$i"; else cp -r "$L/solution" "$T/b/s$i"; fi
	i=$((i + 1))
done
chmod 711 "$T"
for mode in sandbox no-sandbox; do
	flag=
	[ $mode = no-sandbox ] && flag=--no-sandbox
	start=$(date +%s.%N)
	"$KVMLAB" grade "$L" --batch "$T/b" -j 2 $flag --csv "$T/b.csv" 2>/dev/null
	end=$(date +%s.%N)
	rows=$(grep -c '^"s' "$T/b.csv")
	full=$(grep -c ',50,50,ok,' "$T/b.csv")
	[ "$rows" -eq 200 ] && [ "$full" -eq 150 ] || { echo "FAIL: $mode: $rows rows, $full at full marks"; exit 1; }
	echo "$end $start" | awk -v m=$mode '{ t = $1 - $2; printf "batch of 200 (04-hypercalls, build included) with -j 2, %s: %.1f s, %.0f ms per submission\n", m, t, t * 1000 / 200 }'
done
