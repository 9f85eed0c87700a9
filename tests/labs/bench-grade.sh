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
	# lab 01's submission is the student's own clone plus answers: its solution is the answers
	# alone (tests/labs/test-lab01.sh grades them with a program)
	if grep -q '^program:' "$lab/lab.yaml" && [ ! -f "$lab/solution/Makefile" ]; then continue; fi
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
	# CPU seconds of the grader and everything it waited for (gcc, the VMs): divided by the
	# 2 cores, what the batch takes on an otherwise idle machine.  Measured, not trusted, in
	# the sandbox: what runs inside bwrap's PID namespace is not all charged to us there.
	cpu=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime)' "$KVMLAB" grade "$L" --batch "$T/b" -j 2 $flag --csv "$T/b.csv")
	end=$(date +%s.%N)
	rows=$(grep -c '^"s' "$T/b.csv")
	full=$(grep -c ',50,50,ok,' "$T/b.csv")
	[ "$rows" -eq 200 ] && [ "$full" -eq 150 ] || { echo "FAIL: $mode: $rows rows, $full at full marks"; exit 1; }
	echo "$end $start $cpu" | awk -v m=$mode '{ t = $1 - $2; printf "batch of 200 (04-hypercalls, build included) with -j 2, %s: %.1f s, %.0f ms per submission; CPU %.1f s, %.0f ms per submission (%.1f s on 2 idle cores)\n", m, t, t * 1000 / 200, $3, $3 * 1000 / 200, $3 / 2 }'
done
